"""One Collector interface and one assembly: what a check that did not run looks like, everywhere.

Whatever the collector (this machine, a remote host, a saved file), every known check is in the
capture, in the spec's order, and a check that did not run or did not report is never ``ok``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msdiag.capture.models import CheckStatus, HostState, HostStatus
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.capture_file import CaptureFile, load_capture
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.interface import (
    NOT_REPORTED,
    NOT_SELECTED,
    Collector,
    assemble_capture,
    did_not_run,
    not_reported,
)
from msdiag.collectors.local import LocalCollector
from msdiag.collectors.remote import RemoteCollector, RemoteTarget
from msdiag.collectors.remote.capture import remote_capture
from msdiag.collectors.remote.session import Exchange
from msdiag.errors import InputError

HOSTS = Path(__file__).resolve().parents[2] / "msdiag" / "lab" / "hosts"
HEALTHY = HOSTS / "healthy-ja-jp.json"


def _line(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _healthy_documents() -> dict[str, dict[str, object]]:
    data = json.loads(HEALTHY.read_text(encoding="utf-8"))
    return {name: entry["document"] for name, entry in data["checks"].items() if entry["status"] == "ok"}


START = {"msdiag_runner": "start", "protocol": 1, "host": "TARO-PC", "ps_edition": "Desktop", "ps_version": "5.1"}


def test_every_collector_is_a_collector_and_says_what_it_collects_from(tmp_path: Path) -> None:
    target = RemoteTarget(host="pc01.corp.example.jp", transport="http", auth="ntlm")
    collectors: list[object] = [
        LocalCollector(Path("/usr/bin/pwsh")),
        RemoteCollector(target, Credentials("CORP\\helpdesk", "S3cret-never-shown")),
        CaptureFile(HEALTHY),
    ]
    for collector in collectors:
        assert isinstance(collector, Collector), type(collector).__name__
    descriptions = [c.description for c in collectors if isinstance(c, Collector)]
    assert descriptions == [
        "this machine (/usr/bin/pwsh)",
        "pc01.corp.example.jp:5985 over http (ntlm)",
        f"capture file {HEALTHY}",
    ]
    assert "S3cret" not in repr(collectors[1])


def test_assembly_fills_every_check_in_spec_order_and_none_that_did_not_run_is_ok() -> None:
    documents = _healthy_documents()
    from msdiag.capture.parse import validate_document

    reported = {"time": validate_document(documents["time"], expected_check="time"), "os": not_reported()}
    capture = assemble_capture(
        host="TARO-PC",
        mode="local",
        collected_utc="2026-11-25T01:02:03Z",
        host_status=HostStatus(state=HostState.SCRIPT_ERROR, detail="PowerShell stopped early"),
        reported=reported,
        selected=("os", "time", "proxy"),
        missing=did_not_run(HostState.SCRIPT_ERROR),
    )
    assert list(capture.checks) == list(CHECK_NAMES)
    assert capture.checks["time"].status is CheckStatus.OK
    # started, cut short by the end of the scan: not run (never ok, never a check's own error)
    assert capture.checks["os"].status is CheckStatus.NOT_RUN and capture.checks["os"].reason == NOT_REPORTED
    assert capture.unfinished_checks == ["os"]
    # selected, never reported on: the host failed before it
    assert capture.checks["proxy"].status is CheckStatus.NOT_RUN
    assert capture.checks["proxy"].reason == "the scan did not run (script_error)"
    for name in set(CHECK_NAMES) - {"os", "time", "proxy"}:
        assert capture.checks[name].status is CheckStatus.NOT_RUN
        assert capture.checks[name].reason == NOT_SELECTED


def test_remote_terminating_error_after_some_checks_keeps_them_and_none_after_is_ok() -> None:
    # The runner printed its start line and two checks, then a terminating error stopped it.
    documents = _healthy_documents()
    exchange = Exchange(
        phase="running the checks",
        texts=[_line(START), _line(documents["os"]), _line(documents["locale"])],
        had_errors=True,
        error_records=["Get-CimInstance : アクセスが拒否されました。"],
    )
    requested = ("os", "locale", "time", "identity")
    target = RemoteTarget(host="pc01.corp.example.jp", transport="http", auth="ntlm")
    capture = remote_capture(
        target,
        Credentials("CORP\\helpdesk", "pw"),
        requested,
        exchange,
        None,
        collected_utc="2026-11-25T01:02:03Z",
        duration_ms=1200,
    )
    assert capture.host_status.state is HostState.SCRIPT_ERROR
    assert "アクセスが拒否されました" in (capture.host_status.detail or "")
    assert capture.checks["os"].status is CheckStatus.OK
    assert capture.checks["locale"].status is CheckStatus.OK
    for name in ("time", "identity"):  # started, never reported: not run, never passes
        assert capture.checks[name].status is CheckStatus.NOT_RUN
        assert capture.checks[name].reason == NOT_REPORTED
    assert capture.unfinished_checks == ["time", "identity"]
    assert capture.checks["proxy"].reason == NOT_SELECTED
    assert [n for n, r in capture.checks.items() if r.status is CheckStatus.OK] == ["os", "locale"]


def test_remote_failure_before_any_output_marks_every_selected_check_not_run() -> None:
    target = RemoteTarget(host="pc01.corp.example.jp", transport="http", auth="ntlm")
    failure = HostStatus(state=HostState.AUTH_FAILED, detail="The host refused the credentials.")
    capture = remote_capture(
        target,
        Credentials("CORP\\helpdesk", "pw"),
        ("os", "time"),
        Exchange(phase="opening the runspace pool"),
        failure,
        collected_utc="2026-11-25T01:02:03Z",
        duration_ms=80,
    )
    assert capture.host_status == failure
    assert capture.checks["os"].reason == capture.checks["time"].reason == "the scan did not run (auth_failed)"
    assert not any(r.status is CheckStatus.OK for r in capture.checks.values())


def test_capture_file_collector_reads_the_file_and_marks_unselected_checks() -> None:
    whole = CaptureFile(HEALTHY).collect(CHECK_NAMES)
    assert whole == load_capture(HEALTHY)
    some = CaptureFile(HEALTHY).collect(["time", "OS"])
    assert some.checks["time"] == whole.checks["time"]
    assert some.checks["os"] == whole.checks["os"]
    assert some.checks["proxy"].status is CheckStatus.NOT_RUN and some.checks["proxy"].reason == NOT_SELECTED
    assert list(some.checks) == list(CHECK_NAMES)
    with pytest.raises(InputError, match="unknown check"):
        CaptureFile(HEALTHY).collect(["os", "registry"])


def test_runner_transcript_keeps_what_reported_and_marks_the_rest_not_ok(tmp_path: Path) -> None:
    documents = _healthy_documents()
    path = tmp_path / "transcript.txt"
    path.write_text("\n".join([_line(START), _line(documents["os"])]) + "\n", encoding="utf-8")
    capture = CaptureFile(path).collect(CHECK_NAMES)
    assert capture.mode == "other"
    assert capture.host_status.state is HostState.SCRIPT_ERROR  # no end line: cut short
    assert capture.checks["os"].status is CheckStatus.OK
    assert [n for n, r in capture.checks.items() if r.status is CheckStatus.OK] == ["os"]
    assert list(capture.checks) == list(CHECK_NAMES)
