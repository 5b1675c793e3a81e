"""One host's scan-and-record step, and the one place a fleet run records what each host gave.

Both runners use this module: the threads-only runner (:mod:`msdiag.fleet.runner`) and the
multi-process one (:mod:`msdiag.fleet.process_pool`). A scanning thread, wherever it runs, calls
:func:`scan_host` and gets a :class:`HostOutcome` (a record, or the internal error that kept the
host from having one). The parent's main thread hands every outcome to one
:class:`OutcomeRecorder`, the only writer of the results file, of the summary and of the progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from msdiag.capture.models import Capture, HostState
from msdiag.fleet.models import FleetRecord, FleetTarget, HostDiagnosis
from msdiag.fleet.progress import FleetProgress
from msdiag.fleet.results import ResultsWriter

ScanOne = Callable[[FleetTarget], Capture]
#: the diagnosis stored with each record (msdiag.fleet.report.host_diagnosis), so the fleet report
#: does not have to run every rule over every capture again
Summarize = Callable[[Capture], HostDiagnosis | None]

INTERRUPTED_NOTE = "msdiag: interrupted; finishing the hosts in progress (Ctrl-C again to stop now)"


@dataclass
class RunSummary:
    total: int = 0
    ok: int = 0
    failed: int = 0  # a record was written, with a host status other than ok
    errored: list[str] = field(default_factory=list)  # msdiag itself failed on these (no record)
    interrupted: bool = False
    not_scanned: int = 0  # left when interrupted (a later --resume scans them)

    @property
    def written(self) -> int:
        return self.ok + self.failed


@dataclass
class HostOutcome:
    """What scanning one host gave: its record, or (a bug in msdiag) the error instead of one."""

    record: FleetRecord | None
    error: str | None = None


def scan_host(target: FleetTarget, scan_one: ScanOne, summarize: Summarize | None) -> HostOutcome:
    """Scan one host and build its record; never raises for an exception of ``scan_one``."""
    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    try:
        capture = scan_one(target)
    except Exception as exc:  # a bug in msdiag: the host is not recorded, so a resume retries it
        return HostOutcome(None, f"{target.host}: internal error {type(exc).__name__}: {exc}")
    duration_ms = int((time.monotonic() - clock) * 1000)
    diagnosis: HostDiagnosis | None = None
    if summarize is not None:
        try:
            diagnosis = summarize(capture)
        except Exception:  # the capture is what matters; the report diagnoses it again
            diagnosis = None
    record = FleetRecord(
        target=target,
        started_utc=started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        duration_ms=duration_ms,
        capture=capture,
        diagnosis=diagnosis,
    )
    return HostOutcome(record)


class OutcomeRecorder:
    """Records each host's outcome: its line in the results file, the summary and the progress.

    Used from one thread only (the runner's main thread), so records never interleave.
    """

    def __init__(self, writer: ResultsWriter, progress: FleetProgress, summary: RunSummary) -> None:
        self.writer = writer
        self.progress = progress
        self.summary = summary

    def record(self, outcome: HostOutcome) -> None:
        """A finished host: on disk (flushed) before the next one is recorded."""
        if outcome.record is None:
            self.internal_error(outcome.error or "internal error")
            return
        self.writer.append(outcome.record)
        ok = outcome.record.capture.host_status.state == HostState.OK
        self.summary.ok += ok
        self.summary.failed += not ok
        self.progress.host_done(ok=ok)

    def internal_error(self, error: str) -> None:
        """A host msdiag itself failed on: counted and shown, not recorded (a resume retries it)."""
        self.summary.errored.append(error)
        self.progress.host_done(ok=False)
        self.progress.note(f"msdiag: {error}")

    def interrupted(self) -> None:
        """Ctrl-C: no more hosts start; the ones running are still recorded as they finish."""
        self.summary.interrupted = True
        self.progress.note(INTERRUPTED_NOTE)

    def finish(self) -> RunSummary:
        """The run is over: count what was never scanned and close the progress display."""
        summary = self.summary
        summary.not_scanned = summary.total - summary.written - len(summary.errored)
        self.progress.close()
        return summary
