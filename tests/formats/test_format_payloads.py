"""Every registered format, single-host and fleet, renders terminal payloads inert.

The formats come from the registries, so a new format is covered here without editing this file.
Text formats show the payload's visible text with its escapes removed; JSON formats keep the exact
string (it decodes back) but write its active characters as \\u escapes.
"""

from __future__ import annotations

import json

import pytest
from support.hostile_text import PAYLOADS, active_characters
from support.report_results import hand_result, load_capture

from msdiag.capture.models import CheckResult, CheckStatus, HostState, HostStatus
from msdiag.diagnosis.models import DiagnosisResult, Evidence, Localized
from msdiag.fleet.report import FindingCount, FleetReport, HostFinding, HostRow, Signature
from msdiag.formats.catalog import FLEET_FORMATS, HOST_FORMATS
from msdiag.formats.interface import RenderOptions, ReportFormat

ALL = " | ".join(payload for _, payload in PAYLOADS)


def host_result() -> DiagnosisResult:
    """A result whose host name, status, warnings, finding, evidence and raw output carry payloads."""
    result = hand_result(load_capture("pii"))
    capture = result.capture.model_copy(deep=True)
    capture.host = PAYLOADS[0][1]
    capture.host_status = HostStatus(state=HostState.SCRIPT_ERROR, detail=ALL, hint=PAYLOADS[1][1])
    capture.warnings = [payload for _, payload in PAYLOADS]
    name = sorted(capture.checks)[0]
    capture.checks[name] = CheckResult(status=CheckStatus.ERROR, reason=ALL, raw=ALL + "\n" + ALL)
    finding = result.findings[0].model_copy(
        update={
            "title": Localized(en=PAYLOADS[2][1], ja=PAYLOADS[2][1]),
            "detail": Localized(en=ALL, ja=ALL),
            "evidence": [Evidence(fact="proxy.wininet.proxy_server", value=ALL)],
        }
    )
    return result.model_copy(update={"capture": capture, "findings": [finding, *result.findings[1:]]})


def fleet_report() -> FleetReport:
    rows = [
        HostRow(
            name=payload,
            state="ok" if i % 2 else "unreachable",
            verdict="fail" if i % 2 else "not_scanned",
            failing=("proxy.wininet_winhttp_mismatch",) if i % 2 else (),
            warning=(),
            duration_ms=1200 + i,
            detail=None if i % 2 else ALL,
            hint=None if i % 2 else payload,
            findings=[
                HostFinding("proxy.wininet_winhttp_mismatch", "fail", payload, payload, ALL, ALL)
            ]
            if i % 2
            else [],
            index=i + 1,
        )
        for i, (_, payload) in enumerate(PAYLOADS)
    ]
    failing = [row.name for row in rows if row.failing]
    return FleetReport(
        source="fleet.jsonl",
        redaction="none",
        msdiag_version="0.1.0",
        hosts=rows,
        by_state={"ok": len(failing), "unreachable": len(rows) - len(failing)},
        by_verdict={"fail": len(failing), "not_scanned": len(rows) - len(failing)},
        by_finding=[FindingCount("proxy.wininet_winhttp_mismatch", ALL, ALL, fail=len(failing))],
        signatures=[Signature(("proxy.wininet_winhttp_mismatch",), failing)],
        problems=[f"fleet.jsonl:3: {ALL}"],
    )


def _check(fmt: ReportFormat[object], text: str, strings: list[str]) -> None:
    assert active_characters(text) == [], f"{fmt.name}: {sorted(set(active_characters(text)))!r}"
    if fmt.extension == "json":
        data = json.dumps(json.loads(text), ensure_ascii=False)
        for expected in strings:  # the exact strings survive, only written as escapes
            assert json.dumps(expected, ensure_ascii=False)[1:-1] in data, (fmt.name, expected)


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", HOST_FORMATS.names())
def test_single_host_formats(name: str, lang: str) -> None:
    fmt = HOST_FORMATS.get(name)
    result = host_result()
    for color in (False, True):
        text = fmt.render(result, RenderOptions(lang=lang, color=color))
        if color:  # our own colour codes only: remove them, then nothing active may be left
            text = text.replace("\x1b[0m", "")
            for code in ("\x1b[1;31m", "\x1b[33m", "\x1b[32m", "\x1b[35m", "\x1b[2m", "\x1b[1;41;97m"):
                text = text.replace(code, "")
        _check(fmt, text, [ALL, PAYLOADS[0][1]])  # type: ignore[arg-type]
        if fmt.extension != "json":
            assert "screen cleared" in text and "invoicegpj.exe" in text  # shown, made harmless


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", FLEET_FORMATS.names())
def test_fleet_formats(name: str, lang: str) -> None:
    fmt = FLEET_FORMATS.get(name)
    text = fmt.render(fleet_report(), RenderOptions(lang=lang))
    _check(fmt, text, [payload for _, payload in PAYLOADS])  # type: ignore[arg-type]
    if fmt.extension != "json":
        assert "invoicegpj.exe" in text and "login.live.com" in text
