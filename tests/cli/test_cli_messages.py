"""What the CLI prints on stderr is cleaned too: a host's error text cannot drive the terminal.

Before the one sanitiser, `host_status.detail` reached stderr raw: a host could set the window
title, clear the screen or print an OSC 8 link in the helpdesk's terminal (issue 14, item 4).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_run import run
from support.hostile_text import PAYLOADS, active_characters
from support.report_results import load_capture

from msdiag.capture.models import CheckResult, CheckStatus, HostState, HostStatus
from msdiag.fleet.models import FleetRecord, FleetTarget

ALL = " | ".join(payload for _, payload in PAYLOADS)


def _capture_file(tmp_path: Path, *, collected: bool) -> Path:
    capture = load_capture("healthy-ja-jp")
    capture.host_status = HostStatus(state=HostState.SCRIPT_ERROR, detail=ALL, hint=ALL)
    if not collected:
        capture.checks = {
            name: CheckResult(status=CheckStatus.ERROR, reason=ALL) for name in capture.checks
        }
    path = tmp_path / "capture.json"
    path.write_text(capture.model_dump_json(), encoding="utf-8")
    return path


@pytest.mark.parametrize("collected", [True, False], ids=["partial", "nothing-collected"])
def test_host_status_on_stderr_is_cleaned(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, collected: bool
) -> None:
    code, out, err = run(capsys, "diagnose", str(_capture_file(tmp_path, collected=collected)))
    assert code in ((1, 3) if collected else (3,))  # a scan cut short is never exit 0
    assert active_characters(err) == [], sorted(set(active_characters(err)))
    assert active_characters(out) == []
    assert "screen cleared" in err and "invoicegpj.exe" in err  # still said, harmlessly
    if not collected:
        assert "no check produced data" in err and "what to try" in err


def test_notes_about_a_results_file_are_cleaned(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    capture = load_capture("healthy-ja-jp")
    hostile_host = PAYLOADS[0][1] + PAYLOADS[4][1]
    line = FleetRecord(
        target=FleetTarget(host=hostile_host),
        started_utc="2026-11-25T01:00:00.000Z",
        duration_ms=1500,
        capture=capture,
    ).model_dump_json()
    results = tmp_path / "fleet.jsonl"
    results.write_text(line + "\n" + line + "\n", encoding="utf-8")  # the duplicate gets a note
    code, out, err = run(capsys, "report", str(results), "--redact", "none")
    assert code in (0, 1)
    assert "is recorded again" in err  # the newest record per host is used
    assert active_characters(err) == [] and active_characters(out) == []


def test_error_messages_quoting_a_file_name_are_cleaned(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "report", str(tmp_path / "\x1b]0;title\x07\u202eresults.jsonl"))
    assert code == 2
    assert "no such results file" in err and active_characters(err) == []
