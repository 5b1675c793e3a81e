"""The results file and the runner: one line per host, torn lines, resume, interrupted runs."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from msdiag.capture.models import Capture, HostState, HostStatus
from msdiag.fleet.models import FleetRecord, FleetTarget
from msdiag.fleet.results import ReadReport, ResultsWriter, cut_torn_tail, iter_records, keys_done
from msdiag.fleet.runner import run_fleet
from msdiag.lab.config import builtin_hosts_dir, load_capture

HEALTHY = load_capture(builtin_hosts_dir() / "healthy-ja-jp.json")


def capture_for(host: str, state: HostState = HostState.OK) -> Capture:
    capture = HEALTHY.model_copy(deep=True)
    capture.host = host
    capture.mode = "remote"
    if state != HostState.OK:
        capture.host_status = HostStatus(
            state=state, detail=f"{host}: 接続が拒否されました", hint="check WinRM"
        )
    return capture


def record(host: str, state: HostState = HostState.OK) -> FleetRecord:
    return FleetRecord(
        target=FleetTarget(host=host),
        started_utc="2026-11-25T01:02:03.000Z",
        duration_ms=1234,
        capture=capture_for(host, state),
    )


def test_every_finished_host_is_one_valid_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as writer:
        for i in range(5):
            writer.append(record(f"pc{i:02d}.corp.example.jp"))
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 5 and all(line.endswith(b"\n") for line in lines)
    hosts = [r.capture.host for r in iter_records(path)]
    assert hosts == [f"pc{i:02d}.corp.example.jp" for i in range(5)]


def test_torn_last_line_is_reported_and_cut_before_resuming(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as writer:
        writer.append(record("pc01"))
        writer.append(record("pc02"))
    whole = path.read_bytes()
    path.write_bytes(whole + record("pc03").model_dump_json().encode()[:500])  # SIGKILL mid-write
    report = ReadReport()
    assert keys_done(path, report) == {"pc01:", "pc02:"}
    assert any("incomplete last line" in p and ":3:" in p for p in report.problems)
    assert cut_torn_tail(path) == 500
    assert path.read_bytes() == whole
    assert cut_torn_tail(path) == 0


def test_invalid_and_duplicate_lines_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    good = record("pc01").model_dump_json()
    path.write_text(
        good + "\n" + '{"target": {"host": "x"}}\n' + "not json\n" + good + "\n", encoding="utf-8"
    )
    report = ReadReport()
    records = list(iter_records(path, report))
    assert [r.target.host for r in records] == ["pc01"]
    assert report.duplicates == 1
    assert any(":2:" in p for p in report.problems) and any(":3:" in p for p in report.problems)


def test_runner_writes_each_host_once_with_its_status(tmp_path: Path) -> None:
    targets = [FleetTarget(host=f"pc{i:02d}") for i in range(40)]

    def scan_one(target: FleetTarget) -> Capture:
        time.sleep(0.01)
        number = int(target.host[2:])
        return capture_for(target.host, HostState.UNREACHABLE if number % 7 == 0 else HostState.OK)

    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as writer:
        summary = run_fleet(targets, scan_one, writer, concurrency=8)
    records = list(iter_records(path))
    assert sorted(r.target.host for r in records) == sorted(t.host for t in targets)
    assert summary.failed == 6 and summary.ok == 34 and summary.not_scanned == 0
    for r in records:
        assert r.capture.host == r.target.host
        expected = HostState.UNREACHABLE if int(r.target.host[2:]) % 7 == 0 else HostState.OK
        assert r.capture.host_status.state == expected


def test_an_internal_error_leaves_no_record_so_resume_retries_it(tmp_path: Path) -> None:
    def scan_one(target: FleetTarget) -> Capture:
        if target.host == "pc02":
            raise RuntimeError("boom")
        return capture_for(target.host)

    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as writer:
        summary = run_fleet([FleetTarget(host=f"pc0{i}") for i in range(4)], scan_one, writer, concurrency=2)
    assert keys_done(path) == {"pc00:", "pc01:", "pc03:"}
    assert len(summary.errored) == 1 and "pc02" in summary.errored[0]


def test_ctrl_c_stops_submitting_and_saves_the_running_hosts(tmp_path: Path) -> None:
    started = threading.Event()

    def scan_one(target: FleetTarget) -> Capture:
        started.set()
        time.sleep(0.3)
        return capture_for(target.host)

    def interrupt_main() -> None:
        started.wait(5)
        time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C: wakes the main thread's wait

    threading.Thread(target=interrupt_main, daemon=True).start()
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as writer:
        summary = run_fleet(
            [FleetTarget(host=f"pc{i:02d}") for i in range(20)], scan_one, writer, concurrency=4
        )
    assert summary.interrupted
    done = keys_done(path)
    assert len(done) == summary.written == 4  # the four running hosts finished and were saved
    assert summary.not_scanned == 16


@pytest.mark.parametrize("concurrency", [1, 64])
def test_concurrency_bounds(tmp_path: Path, concurrency: int) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()
    # Each scan holds its slot until 16 run at once (or 2 s pass), so a loaded machine that starts
    # threads slowly cannot make a correct runner look serial.
    enough = threading.Event()
    wanted = min(concurrency, 16)

    def scan_one(target: FleetTarget) -> Capture:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            if active >= wanted:
                enough.set()
        enough.wait(timeout=2)
        time.sleep(0.005)
        with lock:
            active -= 1
        return capture_for(target.host)

    with ResultsWriter(tmp_path / "r.jsonl") as writer:
        run_fleet(
            [FleetTarget(host=f"pc{i:02d}") for i in range(30)], scan_one, writer, concurrency=concurrency
        )
    assert peak <= concurrency
    if concurrency == 1:
        assert peak == 1
    else:
        assert peak >= 16
