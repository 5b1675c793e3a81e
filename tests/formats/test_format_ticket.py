"""`--format ticket`: a summary to paste into a support ticket, at most 40 lines, in en and ja.

It holds what the support engineer asks first: host, verdict, the error code and what it means,
the do-this-first steps, the failing findings, the masked phone number and where the full report
is; it is redacted like every report.
"""

from __future__ import annotations

import pytest
from support.report_results import engine_result, hand_result, load_capture
from wcwidth import wcswidth

from msdiag.capture.models import CheckResult, CheckStatus, HostState, HostStatus
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import ActionStep, DiagnosisResult, Finding, Localized, Severity, Status, Step
from msdiag.formats.catalog import HOST_FORMATS
from msdiag.formats.interface import RenderOptions
from msdiag.formats.redact import redact
from msdiag.formats.ticket import MAX_LINES, render_ticket
from msdiag.lab import load_lab_hosts

REPORT = "/home/helpdesk/reports/msdiag-DESKTOP-8RJ2VXC-20261125T010203Z.html"


def _ticket(result: DiagnosisResult, lang: str = "en", paths: tuple[str, ...] = ()) -> str:
    return HOST_FORMATS.get("ticket").render(redact(result, "standard"), RenderOptions(lang=lang, report_paths=paths))


def test_it_holds_what_support_asks_for() -> None:
    result = engine_result("proxy-mismatch", errors=["0x800704cf"], phone="+81 090-1234-5678")
    text = _ticket(result, paths=(REPORT,))
    flat = " ".join(text.split())
    for wanted in (
        "Host: DESKTOP-8RJ2VXC",
        "Verdict: Problems found",
        "Error 0x800704cf (HRESULT_FROM_WIN32(ERROR_NETWORK_UNREACHABLE 1231)): The network location cannot be reached",
        "Most likely cause [confirmed]: A proxy or VPN",
        "Phone number: +81 0**-****-5678 (JP, mobile, valid)",
        "Do this first: 1. First record the current proxy settings: run `netsh winhttp show proxy`",
        "FAIL (high): The user's proxy (WinINET) and the system proxy (WinHTTP) differ",
        f"Full report: {REPORT}",
        "Redaction: standard",
    ):
        assert wanted in flat, text
    assert "1234" not in text  # the phone number is masked
    assert "checks passed" not in text and "Active network adapter" not in text  # no passed checks


def test_without_a_report_written_it_says_how_to_get_one() -> None:
    text = _ticket(engine_result("clock-skew"))
    assert "Full report: not written (add --format html to write one)" in text


def test_japanese() -> None:
    result = engine_result("clock-skew", errors=["0xCAA70004"], phone="+81 90-1234-5678")
    text = _ticket(result, "ja", (REPORT,))
    flat = "".join(text.split())
    for wanted in ("サポート依頼用の", "判定:問題あり", "エラー0xCAA70004", "スキャン方法:ローカル", "電話番号:+81**-****-5678(JP,携帯電話,有効)", "失敗・警告の項目:", f"詳細レポート:{REPORT}", "マスキング:標準"):
        assert wanted in flat, text
    assert all(wcswidth(line) <= 80 for line in text.splitlines() if not line.startswith("詳細レポート:"))


def test_do_first_steps_are_listed_and_findings_point_at_them() -> None:
    result = engine_result("clock-skew")
    failing = next(f for f in result.findings if f.status is Status.FAIL)
    result.do_first = [
        ActionStep(text=Step(en="Record the time settings: w32tm /query /status", ja="記録: w32tm /query /status", kind="record"), finding_id=failing.id),
        ActionStep(text=Step(en="Turn on Set time automatically.", ja="時刻を自動的に設定する をオン", kind="change"), finding_id=failing.id),
    ]
    text = _ticket(result)
    assert "Do this first:\n1. Record the time settings: w32tm /query /status\n2. Turn on" in text
    assert "Fix: Do this first 1, 2" in text


@pytest.mark.parametrize("capture", [h.name for h in load_lab_hosts()] + ["pii", "hostile"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_never_more_than_40_lines_of_80_cells(capture: str, lang: str) -> None:
    result = engine_result(capture, errors=["0x800704cf", "0xCAA70004", "AADSTS50079"], phone="+81 090-1234-5678")
    lines = _ticket(result, lang, (REPORT, REPORT.replace(".html", ".json"))).splitlines()
    assert len(lines) <= MAX_LINES
    # every line fits 80 cells but the report's paths (never wrapped: they are copied whole)
    assert all(wcswidth(line) <= 80 for line in lines if not line.startswith(("Full report:", "詳細レポート:")))
    assert any(line.endswith(REPORT) for line in lines)


def test_a_long_list_gives_way_and_says_how_many_more() -> None:
    result = hand_result(load_capture("pii"))
    many = [
        Finding(
            id=f"test.problem_{i:02d}",
            status=Status.FAIL,
            severity=Severity.MEDIUM,
            title=Localized(en=f"Problem number {i} found on this machine", ja=f"問題 {i}"),
            detail=Localized(en="A detail long enough to take a line of its own in the ticket.", ja="詳細"),
            remediation=[Localized(en=f"Fix problem {i}.", ja=f"問題 {i} を直す")],
        )
        for i in range(30)
    ]
    result.findings = many + result.findings
    text = render_ticket(redact(result, "standard"), lang="en", report_paths=(REPORT,))
    lines = text.splitlines()
    assert len(lines) <= MAX_LINES
    assert "Problem number 0 found" in text  # the most important first
    assert any(line.startswith("... ") and line.endswith("more in the full report") for line in lines)
    assert lines[-2].startswith("Full report:") or any(line.startswith("Full report:") for line in lines[-4:])
    assert lines[-1].startswith("replaced") or "Redaction:" in "\n".join(lines[-3:])  # the tail stays


def test_a_failed_scan_says_why_in_one_line() -> None:
    capture = load_lab_hosts()[0].capture.model_copy(deep=True)
    for name in capture.checks:
        capture.checks[name] = CheckResult(status=CheckStatus.NOT_RUN, reason="the scan did not run (auth_failed)")
    capture.host_status = HostStatus(state=HostState.AUTH_FAILED, detail="The host refused the credentials (ntlm authentication).")
    text = _ticket(diagnose(capture))
    flat = " ".join(text.split())
    assert "Host status: auth_failed: The host refused the credentials" in flat
    assert flat.count("the scan did not run (auth_failed)") == 1
    assert len(text.splitlines()) <= 15


def test_host_text_is_cleaned_and_redacted() -> None:
    result = engine_result("hostile", errors=["0x800704cf"])
    text = _ticket(result)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    pii = _ticket(engine_result("pii", errors=["0x800704cf"], phone="+81 090-1234-5678"))
    for leak in ("taro.yamada", "1234-5678", "Sakura2026!"):
        assert leak not in pii
