"""The fix is always shown: one ordered "do this first" list, with or without --error, on the lab hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support.report_results import CAPTURES, LAB_HOSTS, engine_result

from msdiag.cli import cli
from msdiag.diagnosis.models import CauseVerdict, DiagnosisResult, Status
from msdiag.diagnosis.steps import order_problems


def texts(result: DiagnosisResult) -> list[str]:
    return [action.text.en for action in result.do_first]


def index_of(steps: list[str], fragment: str) -> int:
    return next(i for i, step in enumerate(steps) if fragment in step)


def terminal(host: str, code: str) -> str:
    """`msdiag diagnose <lab host>.json --error CODE` as the helpdesk sees it."""
    out = CliRunner().invoke(
        cli, ["diagnose", str(LAB_HOSTS / f"{host}.json"), "--error", code, "--lang", "en"]
    )
    assert out.exit_code == 1, out.output  # a finding failed
    return " ".join(out.output.split())  # the table wraps lines


def test_proxy_mismatch_with_an_error_code_shows_the_netsh_fix_after_its_record_step() -> None:
    steps = texts(engine_result("proxy-mismatch", errors=["0x800704cf"]))
    assert index_of(steps, "netsh winhttp show proxy") < index_of(
        steps, "netsh winhttp import proxy source=ie"
    )
    shown = terminal("proxy-mismatch", "0x800704cf")
    assert "netsh winhttp import proxy source=ie" in shown and "netsh winhttp show proxy" in shown


def test_every_failing_finding_keeps_its_fix_when_no_cause_is_confirmed() -> None:
    result = engine_result("vpn-dns-failure", errors=["0x8019019a"])
    failing = [f for f in result.findings if f.status in (Status.FAIL, Status.WARN)]
    assert len(failing) == 3 and all(c.verdict is not CauseVerdict.CONFIRMED for c in result.errors[0].causes)
    steps = texts(result)
    for finding in failing:
        assert finding.remediation and all(step.en in steps for step in finding.remediation), finding.id
    shown = terminal("vpn-dns-failure", "0x8019019a")
    assert "ipconfig /flushdns" in shown and "forward public names" in shown


def test_clock_skew_shows_w32tm_and_no_step_of_a_cause_it_ruled_out() -> None:
    result = engine_result("clock-skew", errors=["0x80072F8F"])
    steps = texts(result)
    assert any("w32tm /resync" in step for step in steps)
    ruled_out = [c for c in result.errors[0].causes if c.verdict is CauseVerdict.RULED_OUT]
    assert ruled_out and not any(step.en in steps for c in ruled_out for step in c.remediation)
    assert not any("TLS inspection" in step for step in steps)  # the TLS-inspection cause was ruled out
    shown = terminal("clock-skew", "0x80072F8F")
    assert "w32tm /resync" in shown and "TLS inspection" not in shown


def test_the_confirmed_vpn_dns_cause_comes_before_connect_to_a_working_network() -> None:
    steps = texts(engine_result("vpn-dns-failure", errors=["0x800704cf"]))
    assert index_of(steps, "forward public names") < index_of(steps, "Connect to a working network")
    shown = terminal("vpn-dns-failure", "0x800704cf")
    assert shown.index("forward public names") < shown.index("Connect to a working network")


def test_without_an_error_the_list_is_every_failing_finding_root_first() -> None:
    result = engine_result("clock-skew")
    steps = texts(result)
    # W32Time set to NoSync is why the clock is off: its fix comes before "Sync now"
    assert index_of(steps, "w32tm /resync") < index_of(steps, "Sync now")
    assert {a.basis for a in result.do_first} == {"finding"}


def test_a_healthy_machine_with_every_cause_ruled_out_gets_no_steps() -> None:
    result = engine_result("healthy-ja-jp", errors=["0x80072F8F"])
    assert all(c.verdict is CauseVerdict.RULED_OUT for c in result.errors[0].causes)
    assert result.do_first == []


CASES = [
    (path, code)
    for path in sorted(LAB_HOSTS.glob("*.json")) + sorted(CAPTURES.glob("*.json"))
    for code in ("0x800704CF", "0x80072F8F", "0xCAA70004", "0x8019019A")
]


@pytest.mark.parametrize(("path", "code"), CASES, ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_the_list_is_safe_complete_and_honest_on_every_capture(path: Path, code: str) -> None:
    result = engine_result(path.stem, errors=[code])
    steps = [a.text for a in result.do_first]
    assert order_problems(steps) == []  # every change after a record step, with the managed-PC sentence
    assert len({(s.en, s.ja) for s in steps}) == len(steps)  # each step once
    shown = {s.en for s in steps}
    for finding in result.findings:
        if finding.status in (Status.FAIL, Status.WARN):
            assert all(step.en in shown for step in finding.remediation), finding.id
    verdicts = {(result.errors[0].entry_id, c.cause_id): c.verdict for c in result.errors[0].causes}
    for action in result.do_first:
        if action.cause is not None:
            assert verdicts[action.cause] is not CauseVerdict.RULED_OUT, action


def test_the_measured_fault_s_fix_leads_and_state_is_recorded_once() -> None:
    # 0x800704CF on the proxy-mismatch host: the netsh fix of the finding comes before the cause's
    # generic "switch the proxy off for a test"; w32tm's status is not recorded twice on clock-skew
    proxy = engine_result("proxy-mismatch", errors=["0x800704cf"])
    texts = [a.text.en for a in proxy.do_first]
    assert "netsh winhttp import proxy source=ie" in texts[1]
    assert texts.index(next(t for t in texts if "switch off the proxy" in t)) > 1
    clock = engine_result("clock-skew", errors=["0x80072F8F"])
    records = [a.text.en for a in clock.do_first if a.text.kind == "record"]
    assert sum("w32tm /query /status" in t for t in records) == 1
