"""One outcome recorder for both fleet runners: the same hosts give the same file, summary and notes.

The threads-only runner and the multi-process pool hand every host's outcome to the same
OutcomeRecorder; a user must not be able to tell from the results file, the summary or the
progress messages which of the two scanned the fleet.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from msdiag.capture.models import Capture, HostState, HostStatus
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.progress import FleetProgress
from msdiag.fleet.results import ResultsWriter, iter_records
from msdiag.fleet.runner import RunSummary, run_fleet
from msdiag.lab.config import builtin_hosts_dir, load_capture

HEALTHY = load_capture(builtin_hosts_dir() / "healthy-ja-jp.json")
HOSTS = ["pc01", "pc02", "down-pc03", "pc04", "bug-pc05", "pc06", "down-pc07", "pc08"]


@dataclass(frozen=True)
class ScriptedScan:
    """A scan_one that answers from a built-in capture (module level: workers receive it pickled).

    With ``worker_ready`` set, hosts scanned in the parent wait until a worker process is ready
    to scan (it creates that file first), so both lanes are sure to scan some of the hosts."""

    worker_ready: Path | None = None

    def prepare(self) -> None:
        """Called by a worker process before it says it is ready."""
        if self.worker_ready is not None:
            self.worker_ready.touch()

    def __call__(self, target: FleetTarget) -> Capture:
        if self.worker_ready is not None and multiprocessing.parent_process() is None:
            give_up = time.monotonic() + 60
            while not self.worker_ready.exists() and time.monotonic() < give_up:
                time.sleep(0.02)
            time.sleep(0.3)  # the parent reads the worker's "ready" before this host ends
        if target.host.startswith("bug-"):
            raise RuntimeError("a bug in msdiag")
        capture = HEALTHY.model_copy(deep=True)
        capture.host = target.host
        capture.mode = "remote"
        capture.warnings = [f"scanned by process {os.getpid()}"]
        if target.host.startswith("down-"):
            capture.host_status = HostStatus(
                state=HostState.UNREACHABLE, detail=f"{target.host}:5986 refused the connection"
            )
        return capture


def _run(processes: int, tmp_path: Path) -> tuple[RunSummary, list[tuple[str, str]], list[str], set[str]]:
    path = tmp_path / f"fleet-{processes}.jsonl"
    stream = io.StringIO()  # not a terminal: plain progress lines and notes
    targets = [FleetTarget(host=host) for host in HOSTS]
    progress = FleetProgress(len(targets), enabled=True, stream=stream)
    with ResultsWriter(path) as writer:
        summary = run_fleet(
            targets,
            ScriptedScan(tmp_path / "worker-ready" if processes > 1 else None),
            writer,
            concurrency=4,
            progress=progress,
            processes=processes,
        )
    records = sorted((r.target.host, r.capture.host_status.state.value) for r in iter_records(path))
    scanned_by = {w for r in iter_records(path) for w in r.capture.warnings}
    notes = sorted(line for line in stream.getvalue().splitlines() if "internal error" in line)
    assert (progress.done, progress.ok, progress.failed) == (8, 5, 3)
    return summary, records, notes, scanned_by


@pytest.mark.slow
def test_threads_and_processes_record_the_same_outcomes_the_same_way(tmp_path: Path) -> None:
    summary, records, notes, scanned_by = _run(1, tmp_path)
    assert scanned_by == {f"scanned by process {os.getpid()}"}
    assert (summary.ok, summary.failed, summary.not_scanned, summary.interrupted) == (5, 2, 0, False)
    assert summary.errored == ["bug-pc05: internal error RuntimeError: a bug in msdiag"]
    assert records == sorted(
        [(h, "unreachable" if h.startswith("down-") else "ok") for h in HOSTS if not h.startswith("bug-")]
    )
    assert notes == ["msdiag: bug-pc05: internal error RuntimeError: a bug in msdiag"]
    in_processes = _run(2, tmp_path)
    assert len(in_processes[3]) == 2, "the worker process scanned no host: the test shows nothing"
    assert in_processes[:3] == (summary, records, notes)
