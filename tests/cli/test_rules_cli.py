"""`msdiag rules [RULE_ID]` through the real entry point: list, one rule, JSON, unknown ids."""

from __future__ import annotations

import json
from typing import Any

import pytest

from msdiag.cli import main
from msdiag.diagnosis.rules import RULES
from msdiag.knowledge.kb import KnowledgeBase


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["rules", *args])
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_list_shows_every_rule_what_it_reads_and_the_entries_it_supports(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--lang", "en")
    assert code == 0
    for rule_id in RULES:
        assert rule_id in out
    line = next(line for line in out.splitlines() if line.startswith("tls.protocol_disabled "))
    assert "critical" in line and " tls " in line and "0x80072F8F, 0xCAA82F8F" in line
    assert "TLS 1.2 is disabled" in line
    assert "phone.voip" in out  # the phone findings the knowledge base links are named too


def test_list_in_japanese_uses_the_japanese_titles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "ja")
    assert code == 0 and "重大度" in out and "VPN が接続されています" in out


def test_list_json_is_every_rule_sorted_with_checks_and_entries(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    data: list[dict[str, Any]] = json.loads(out)
    assert [r["id"] for r in data] == sorted(RULES)
    hosts = next(r for r in data if r["id"] == "hosts_file.override")
    assert hosts["checks"] == ["network", "endpoints"] and hosts["severity"] == "critical"
    assert hosts["entries"] == [e.id for e in KnowledgeBase.default().entries_for_rule("hosts_file.override")]
    assert set(hosts["title"]) == {"en", "ja"}


def test_one_rule_shows_its_documentation_inputs_steps_and_causes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "proxy.unreachable", "--lang", "en")
    assert code == 0
    assert out.startswith("proxy.unreachable  (severity: critical)\nThe configured proxy cannot be reached")
    assert RULES["proxy.unreachable"].doc in out
    assert "Reads: proxy, endpoints (optional)" in out
    assert "  1. First record the current proxy settings" in out
    assert "  2. If you are outside the company network" in out
    assert "  0xCAA70004  ERROR_INET_RESOURCE_NOT_FOUND\n    - proxy_unreachable:" in out


def test_one_rule_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "clock.skew", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "rule" and data["id"] == "clock.skew"
    assert data["checks"] == [{"check": "time", "required": True}, {"check": "endpoints", "required": True}]
    assert data["doc"].startswith("The PC's clock differs from Microsoft's servers")
    assert {
        "entry": "0xCAA20003",
        "name": "ERROR_ADAL_SERVER_ERROR_INVALID_GRANT",
        "cause": "wrong_time",
    } in [{k: c[k] for k in ("entry", "name", "cause")} for c in data["causes"]]


def test_a_rule_no_cause_links_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "session.not_elevated", "--lang", "en")
    assert code == 0 and "none: no knowledge-base cause links this rule" in out


def test_a_phone_finding_id_explains_where_it_comes_from(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "phone.voip", "--lang", "en")
    assert code == 0
    assert "phone number analysis" in out and "msg-verification-code-not-delivered" in out


def test_ids_are_matched_without_case_or_surrounding_spaces(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, " DNS.Account_Hosts ", "--lang", "en")
    assert code == 0 and out.startswith("dns.account_hosts  (severity: high)")


def test_unknown_id_exits_2_and_suggests_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "dns.acount_host")
    assert code == 2 and out == ""
    assert "no rule 'dns.acount_host'; did you mean dns.account_hosts?" in err
    assert "Traceback" not in err


def test_a_renamed_id_points_at_its_new_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "time.clock_skew")
    assert code == 2 and "renamed to clock.skew" in err


def test_a_hostile_id_is_echoed_escaped_and_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "\x1b]0;owned\x07" + "x" * 500)
    assert code == 2
    assert "\x1b" not in err and "\x07" not in err
    assert len(err) < 200
