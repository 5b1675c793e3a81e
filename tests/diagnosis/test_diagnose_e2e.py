"""Realistic captures through diagnose() and `msdiag diagnose`: the expected cause ranked first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.rule_captures import HEALTHY, capture

from msdiag.capture.models import Capture
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import CauseVerdict, Status

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "msdiag" / "lab" / "hosts"
FIXTURES = ROOT / "tests" / "fixtures" / "captures"


def load(path: Path) -> Capture:
    return Capture.model_validate(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("host", "code", "cause_rules"),
    [
        ("proxy-mismatch", "0xCAA70004", {"proxy.wininet_winhttp_mismatch"}),
        ("clock-skew", "0x80072F8F", {"clock.skew"}),
        ("hosts-file-block", "0x800704CF", {"hosts_file.override"}),
        ("vpn-dns-failure", "0x80072EE7", {"vpn.dns_failure", "dns.account_hosts"}),
    ],
)
def test_broken_lab_host_gets_its_cause_first(host: str, code: str, cause_rules: set[str]) -> None:
    result = diagnose(load(LAB / f"{host}.json"), errors=[code])
    first = result.errors[0].causes[0]
    assert first.verdict is CauseVerdict.CONFIRMED
    assert cause_rules & set(first.findings), (first.cause_id, first.findings)
    supporting = next(f for f in result.findings if f.id in first.findings)
    assert supporting.evidence  # the conclusion shows the facts it rests on
    assert result.findings[0].status is Status.FAIL


def test_wlidsvc_disabled_is_the_top_finding() -> None:
    result = diagnose(load(LAB / "wlidsvc-disabled.json"))
    assert result.findings[0].id == "services.wlidsvc_disabled"
    assert result.findings[0].status is Status.FAIL
    assert result.verdict == "fail"


def test_healthy_ja_jp_has_no_failures() -> None:
    result = diagnose(load(LAB / "healthy-ja-jp.json"), errors=["0x800704CF"])
    assert result.counts.fail == 0
    assert all(c.verdict is not CauseVerdict.CONFIRMED for c in result.errors[0].causes)
    assert result.clock_skew_seconds is not None and abs(result.clock_skew_seconds) < 5


def test_clock_skew_capture_reports_the_measured_skew() -> None:
    result = diagnose(load(LAB / "clock-skew.json"))
    assert result.clock_skew_seconds is not None and result.clock_skew_seconds > 300
    skew = next(f for f in result.findings if f.id == "clock.skew")
    assert skew.detail is not None and "behind" in skew.detail.en


def test_checks_not_run_are_not_collected_never_pass() -> None:
    result = diagnose(capture(endpoints=None, services=None))
    by_id = {f.id: f for f in result.findings}
    for rule_id in (
        "dns.account_hosts",
        "tcp.all_blocked",
        "clock.skew",
        "services.wlidsvc_disabled",
        "tls.interception",
    ):
        assert by_id[rule_id].status is Status.NOT_COLLECTED, rule_id
    assert result.counts.not_collected >= 5


def test_no_data_at_all_is_incomplete() -> None:
    result = diagnose(capture(**{name: None for name in [*HEALTHY, "endpoints"]}))
    assert result.verdict == "incomplete"
    assert result.counts.pass_ == 0


def test_findings_are_ordered_and_the_result_is_deterministic() -> None:
    cap = load(LAB / "vpn-dns-failure.json")
    one = diagnose(cap, errors=["0x80072EE7"], phone="+81 090-1234-5678").model_dump_json()
    two = diagnose(cap, errors=["0x80072EE7"], phone="+81 090-1234-5678").model_dump_json()
    assert one == two
    result = diagnose(cap)
    order = {"fail": 0, "warn": 1, "not_collected": 2, "pass": 3, "not_applicable": 4}
    statuses = [order[f.status.value] for f in result.findings]
    assert statuses == sorted(statuses)


def test_phone_joins_the_diagnosis_and_the_region_matrix() -> None:
    result = diagnose(load(FIXTURES / "abroad-ja-jp-in-us.json"), phone="+1 206-555-0123")
    ids = {f.id: f.status for f in result.findings}
    assert ids["region.settings_disagree"] is Status.WARN
    assert "phone.invalid" in ids
    assert result.region is not None
    phone_signal = next(s for s in result.region.signals if s.source == "phone")
    assert phone_signal.value is not None and "555-0123" not in phone_signal.value  # masked


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("*.json")) + sorted(LAB.glob("*.json")), ids=lambda p: p.stem
)
def test_every_capture_diagnoses_without_rule_crashes(path: Path) -> None:
    result = diagnose(load(path))
    crashed = [f.id for f in result.findings if f.detail and "could not evaluate" in f.detail.en]
    assert crashed == []
    for f in result.findings:
        assert f.detail is None or len(f.detail.en) <= 800


@pytest.mark.parametrize(
    ("host", "code", "cause"),
    [
        ("proxy-mismatch", "0xCAA70004", "proxy_mismatch"),
        ("clock-skew", "0x80072F8F", "clock_skew"),
        ("hosts-file-block", "800704cf", "hosts_file_block"),
    ],
)
def test_msdiag_diagnose_command_ranks_the_cause_first(host: str, code: str, cause: str) -> None:
    from click.testing import CliRunner

    from msdiag.cli import cli

    result = CliRunner().invoke(
        cli, ["diagnose", str(LAB / f"{host}.json"), "--error", code, "--format", "json"]
    )
    assert result.exit_code == 1, result.output  # a finding failed
    data = json.loads(result.output)
    assert data["errors"][0]["causes"][0]["cause_id"] == cause
    assert data["errors"][0]["causes"][0]["verdict"] == "confirmed"


def test_judge_gives_the_verdict_and_findings_of_diagnose() -> None:
    """What a fleet record stores (msdiag.fleet.stored_diagnosis.host_diagnosis uses judge) is diagnose's."""
    from msdiag.diagnosis.engine import judge
    from msdiag.lab import load_lab_hosts

    for host in load_lab_hosts():
        full = diagnose(host.capture)
        verdict, findings = judge(host.capture)
        assert (verdict, [f.model_dump() for f in findings]) == (full.verdict, [f.model_dump() for f in full.findings]), host.name
