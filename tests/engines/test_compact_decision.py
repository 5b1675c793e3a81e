"""The decision table against the rules themselves, over many compact lines, and the table as the
script holds it: every field a condition reads is one the script fills."""

from __future__ import annotations

import inspect
import random
import re
from pathlib import Path

import pytest

from msdiag.checks import CHECK_NAMES, DEFAULT_ENDPOINT_HOSTS
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import Status
from msdiag.diagnosis.rules import RULES
from msdiag.engines.compact import expand_facts
from msdiag.engines.compact_decision import CONDITIONS, decision_view, failing_rules, render_powershell
from msdiag.engines.compact_format import SERVICES, CompactFacts, Probe, read_line, write_line
from msdiag.engines.compact_nodes import I, Node, V

REPO = Path(__file__).resolve().parents[2]
#: pre-1809 builds still in servicing for one edition group (LTSB 2016): the script does not exit 1
#: for them, the expanded capture's diagnosis judges the edition (docs/compact-format.md)
EDITION_DECIDES = {"14393"}


def _probe(rng: random.Random, host: str, labels: str) -> Probe:
    tcp = rng.choice("-TFN")
    return Probe(
        host=host,
        path=rng.choice("dd" + labels),
        dns=rng.choice("-oof"),
        tcp=tcp,
        connect_status=rng.choice([None, None, 200, 403, 407, 502]) if tcp != "-" else None,
        tls=rng.choice("-TTF"),
        tls_error=rng.random() < 0.2,
        issuer=rng.choice(["", "m", "m", "x"]),
        http=rng.random() < 0.7,
        http_status=rng.choice([None, 200, 302, 401, 403, 407, 511]),
        http_error=rng.random() < 0.3,
        skew=rng.choice([None, 0, 1, -2, 299, 301, -400, 432]),
    )


def random_facts(rng: random.Random) -> CompactFacts:
    labels = "123"
    checks = {name: rng.choice([f"o{rng.randint(0, 9)}"] * 6 + ["e", "n"]) for name in CHECK_NAMES}
    facts = CompactFacts(version="0.1.0", collected="20261125T010203Z", checks=checks,
                         user_context=rng.choice(["-", "c1p", "c0y", "n-y", "s1p", "u--", "l0y"]))  # fmt: skip
    facts.os_version = rng.choice(["10.0", "6.3", "-"])
    facts.os_build = rng.choice([26200, 22631, 19045, 17763, 17134, 14393, 10240, None])
    facts.os_edition = rng.choice(["Core", "Professional", "Enterprise", "EnterpriseS", "-"])
    facts.elevated = rng.choice("10-")
    facts.w32time = rng.choice(
        ["Running/Manual/NTP", "Stopped/Disabled/NTP", "Stopped/Manual/NoSync", "NotFound//", "-"]
    )
    facts.utc_time = rng.choice("110")
    w = lambda: rng.choice("-" + labels)  # noqa: E731
    facts.wininet = rng.choice([f"{rng.choice('10-')}/{w()}/{rng.choice('-hf')}", "-"])
    facts.winhttp = rng.choice([f"{rng.choice('rnu')}/{rng.choice('10-')}/{w()}", "-"])
    facts.env = rng.sample([f"u/H/{w()}", f"m/S/{w()}"], rng.randint(0, 2))
    facts.adapters = rng.choice(["3/1/0", "2/0/1", "4/0/0", "1/1/1", "-"])
    facts.vpn_profiles = rng.choice(["-", "-", "s", "f", "u"])
    facts.hosts_readable = rng.choice("110-")
    facts.probes = [_probe(rng, host, labels) for host in DEFAULT_ENDPOINT_HOSTS]
    facts.winhttp_probes = [
        _probe(rng, host, labels) for host in rng.sample(DEFAULT_ENDPOINT_HOSTS, rng.randint(0, 3))
    ]
    for p in facts.winhttp_probes:
        p.skew = None
    named = rng.sample(DEFAULT_ENDPOINT_HOSTS, rng.randint(0, 2)) if facts.hosts_readable != "-" else []
    facts.hosts_entries = [
        f"{h}/{rng.choice('br')}/{'p' if any(p.host == h and p.path != 'd' for p in facts.probes) else 'd'}"
        for h in named
    ]
    for p in facts.probes:  # as the encoders set it: the hosts file names this probe's host
        p.hosts_file = p.host in named and not checks["network"].startswith(("e", "n"))
    facts.pac = rng.choice(["-", "f/N/-/-", "o/T/h200/1", "o/T/h404/0", "o/T/he/-", "o/T/h200/0"])
    facts.services = [rng.choice(["1SM", "1RA", "1SD", "0--", "1OO", "-"]) for _ in SERVICES]
    facts.tls12 = rng.choice(["-", "-", "0/1", "1/0", "4294967295/-", "-/1"])
    facts.no_connected_user = rng.choice(["-", "0", "1", "3"])
    facts.dsreg = rng.choice(
        ["-", "0", "YNNNY/100", "YNNNN/-", "YYNNY/20000", "NNNN-/-", "YNNNY/u", "Y---Y/14401"]
    )
    facts.faults = failing_rules(facts)
    return facts


def test_the_table_decides_as_the_rules_do_over_many_lines() -> None:
    rng = random.Random(20261125)
    fired: set[str] = set()
    for _ in range(400):
        facts = random_facts(rng)
        facts = read_line(write_line(facts))  # what ingest would read back
        decided = set(failing_rules(facts))
        fails = {f.id for f in diagnose(expand_facts(facts)).findings if f.status is Status.FAIL}
        if str(facts.os_build) in EDITION_DECIDES and facts.checks["os"].startswith("o"):
            decided.discard("windows.too_old")
            fails.discard("windows.too_old")
        assert decided == fails, (write_line(facts), sorted(decided ^ fails))
        fired |= decided
    assert fired == set(CONDITIONS)  # every condition was exercised, true as well as false


def test_every_rule_that_can_fail_has_a_condition() -> None:
    # a rule fails through fail(...) in its own body or in the module helper it returns
    can_fail = {
        rule_id
        for rule_id, rule in RULES.items()
        if re.search(r"return (fail\(|_judge\(|_ended\()", inspect.getsource(rule.func))
    }
    assert can_fail == set(CONDITIONS)


def _fields(node: Node, kind: type) -> set[str]:
    found = {node.name} if isinstance(node, kind) else set()  # type: ignore[attr-defined]
    for value in vars(node).values():
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, Node):
                found |= _fields(child, kind)
    return found


def test_the_script_fills_every_field_a_condition_reads() -> None:
    template = (REPO / "ps_scripts" / "MsdiagCompact.ps1").read_text(encoding="utf-8")
    scalars = set().union(*(_fields(c, V) for c in CONDITIONS.values()))
    items = set().union(*(_fields(c, I) for c in CONDITIONS.values()))
    for name in sorted(scalars):
        filled = name.startswith("ck_") or re.search(rf"\$view\.{name}\b\s*=", template)
        assert filled, f"the script never sets the view's {name}"
    for name in sorted(items):
        assert re.search(rf"\b{name} = ", template) or f"$item.{name} =" in template, f"no item field {name}"
    # and the Python view has them too, from any line
    view = decision_view(random_facts(random.Random(1)))
    assert scalars <= set(view) and {"ep", "wp", "he", "sv"} <= set(view)


def test_the_rendered_table_is_one_function_with_one_branch_per_rule() -> None:
    text = render_powershell()
    assert text.count("function Get-MsdiagCompactFault") == 1
    assert [m for m in re.findall(r"\$faults \+= '([a-z0-9_.]+)'", text)] == list(CONDITIONS)
    assert " -eq " not in text  # strings compare case-sensitively, as in Python


@pytest.mark.parametrize("rule_id", sorted(CONDITIONS))
def test_each_condition_renders_to_powershell(rule_id: str) -> None:
    from support.pstools import syntax_problems

    assert syntax_problems(f"$x = {CONDITIONS[rule_id].ps()}\n") == []
