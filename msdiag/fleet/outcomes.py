"""One host's scan-and-record step, and the one place a fleet run records what each host gave.

Both runners use this module: the threads-only runner (:mod:`msdiag.fleet.runner`) and the
multi-process one (:mod:`msdiag.fleet.process_pool`). A scanning thread, wherever it runs, calls
:func:`scan_host` and gets a :class:`HostOutcome` (a record, or the internal error that kept the
host from having one). The parent's main thread hands every outcome to one
:class:`OutcomeRecorder`, the only writer of the results file, of the summary and of the progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from msdiag.capture.models import Capture, CheckResult, CheckStatus, HostState, HostStatus
from msdiag.collectors.interface import assemble_capture, utc_now
from msdiag.fleet.credential_guard import NOT_ATTEMPTED_HINT, CredentialGuard, HostFeed
from msdiag.fleet.models import FleetRecord, FleetTarget, HostDiagnosis
from msdiag.fleet.progress import FleetProgress
from msdiag.fleet.results import ResultsWriter

ScanOne = Callable[[FleetTarget], Capture]
#: the diagnosis stored with each record (msdiag.fleet.stored_diagnosis.host_diagnosis), so the fleet report
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
    not_scanned: int = 0  # left when interrupted or halted (a later --resume scans them)
    not_attempted: int = 0  # recorded as not attempted (their credentials were stopped)
    unrecorded: int = 0  # scanned, but the results file could not be written (halted)
    halted: str | None = None  # why no more hosts were started (the results file failed)

    @property
    def written(self) -> int:
        return self.ok + self.failed + self.not_attempted


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
    """Hands out the hosts and records each one's outcome: its line in the results file, the
    summary and the progress; stops credentials that keep failing (msdiag.fleet.credential_guard).

    Used from one thread only (the runner's main thread), so records never interleave. A results
    file that cannot be written (disk full) halts the run: ``halted`` says why, no host starts
    after it, and the hosts still running are counted as not recorded.
    """

    def __init__(
        self,
        writer: ResultsWriter,
        progress: FleetProgress,
        summary: RunSummary,
        *,
        targets: Sequence[FleetTarget] = (),
        guard: CredentialGuard | None = None,
        insecure: bool = False,
    ) -> None:
        self.writer = writer
        self.progress = progress
        self.summary = summary
        self.insecure = insecure
        self.halted: str | None = None
        self.feed = HostFeed(targets, guard or CredentialGuard(0, ""), self.not_attempted)

    def take(self) -> tuple[int, FleetTarget] | None:
        """The next host to start (index into the fleet, target), or None: none may start now."""
        if self.halted is not None or self.summary.interrupted:
            return None
        return self.feed.take()

    def record(self, outcome: HostOutcome, index: int | None = None) -> None:
        """A finished host (``index``: as :meth:`take` gave it): on disk (flushed) before the next."""
        state = outcome.record.capture.host_status.state if outcome.record is not None else None
        host = outcome.record.target.host if outcome.record is not None else ""
        if outcome.record is None:
            self.internal_error(outcome.error or "internal error", index)
            return
        if not self._write(outcome.record):
            return
        ok = state == HostState.OK
        self.summary.ok += ok
        self.summary.failed += not ok
        self.progress.host_done(ok=ok)
        if index is not None:
            stopped = self.feed.finished(index, host, state)
            if stopped is not None:
                self.progress.note(f"msdiag: warning: {stopped}; {NOT_ATTEMPTED_HINT}")

    def _write(self, record: FleetRecord) -> bool:
        if self.halted is not None:
            self.summary.unrecorded += 1
            return False
        if self.insecure:
            record = record.model_copy(update={"insecure": True})
        try:
            self.writer.append(record)
        except OSError as exc:  # disk full, file system gone read-only: stop, keep what is written
            self.halted = f"cannot write the results file {self.writer.path}: {exc.strerror or exc}"
            self.summary.halted = self.halted
            self.summary.unrecorded += 1
            self.progress.note(f"msdiag: {self.halted}; no more hosts are started")
            return False
        return True

    def not_attempted(self, target: FleetTarget, reason: str) -> None:
        """A host msdiag decided not to contact: recorded as such (reports show it; --resume scans it)."""
        capture = assemble_capture(
            host=target.host,
            mode="remote",
            collected_utc=utc_now(),
            host_status=HostStatus(
                state=HostState.NOT_ATTEMPTED, detail=reason[:4096], hint=NOT_ATTEMPTED_HINT
            ),
            reported={},
            selected=None,
            missing=CheckResult(status=CheckStatus.NOT_RUN, reason="the host was not attempted"),
        )
        stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if self._write(FleetRecord(target=target, started_utc=stamp, duration_ms=0, capture=capture)):
            self.summary.not_attempted += 1
            self.progress.host_done(ok=False)

    def internal_error(self, error: str, index: int | None = None) -> None:
        """A host msdiag itself failed on: counted and shown, not recorded (a resume retries it)."""
        self.summary.errored.append(error)
        self.progress.host_done(ok=False)
        self.progress.note(f"msdiag: {error}")
        if index is not None:
            self.feed.finished(index, "", None)

    def interrupted(self) -> None:
        """Ctrl-C: no more hosts start; the ones running are still recorded as they finish."""
        self.summary.interrupted = True
        self.progress.note(INTERRUPTED_NOTE)

    def finish(self) -> RunSummary:
        """The run is over: count what was never scanned and close the progress display."""
        summary = self.summary
        summary.not_scanned = summary.total - summary.written - len(summary.errored) - summary.unrecorded
        self.progress.close()
        return summary
