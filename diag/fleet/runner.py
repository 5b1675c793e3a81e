"""Scan many hosts at once and append each host's record to the results file as it finishes.

Threads by default: a host scan is network-bound and pypsrp is synchronous. Given more than one
``processes``, the threads are spread over worker processes (diag.fleet.process_pool), because
the orchestrator's per-host CPU (pypsrp, NTLM, XML) otherwise caps the scan at one core. pypsrp objects
are not thread-safe, so ``scan_one`` must build its own WSMan per call (collect_remote does).
Only the calling thread writes the results file, so records never interleave. A sliding window
of submitted hosts keeps memory flat for large fleets and lets Ctrl-C stop submitting at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone

from diag.capture.models import Capture, HostState
from diag.fleet.models import FleetRecord, FleetTarget, HostDiagnosis
from diag.fleet.progress import FleetProgress
from diag.fleet.results import ResultsWriter

DEFAULT_CONCURRENCY = 32
MAX_CONCURRENCY = 1024
MAX_PROCESSES = 64

ScanOne = Callable[[FleetTarget], Capture]
#: the diagnosis stored with each record (diag.fleet.report.host_diagnosis), so the fleet report
#: does not have to run every rule over every capture again
Summarize = Callable[[Capture], HostDiagnosis | None]


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
class _Outcome:
    record: FleetRecord | None
    error: str | None


def _scan(target: FleetTarget, scan_one: ScanOne, summarize: Summarize | None) -> _Outcome:
    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    try:
        capture = scan_one(target)
    except Exception as exc:  # a bug in msdiag: the host is not recorded, so a resume retries it
        return _Outcome(None, f"{target.host}: internal error {type(exc).__name__}: {exc}")
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
    return _Outcome(record, None)


def run_fleet(
    targets: Sequence[FleetTarget],
    scan_one: ScanOne,
    writer: ResultsWriter,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: FleetProgress | None = None,
    summarize: Summarize | None = None,
    processes: int = 1,
) -> RunSummary:
    """Scan ``targets`` with ``concurrency`` workers; every finished host is on disk before the next.

    Ctrl-C stops submitting, lets the running hosts finish (each is bounded by its own deadline)
    and records them; a second Ctrl-C stops waiting (those hosts are scanned again on resume).
    ``summarize`` adds the host's diagnosis to its record (see Summarize).
    ``processes`` > 1 scans in that many worker processes (``concurrency`` threads in all); then
    ``scan_one`` and ``summarize`` must be picklable (module-level functions or objects)."""
    concurrency = max(1, min(concurrency, MAX_CONCURRENCY, len(targets) or 1))
    progress = progress or FleetProgress(len(targets), enabled=False)
    summary = RunSummary(total=len(targets))
    processes = max(1, min(processes, MAX_PROCESSES, concurrency))
    if processes > 1:
        from diag.fleet.process_pool import run_fleet_in_processes

        run_fleet_in_processes(
            targets,
            scan_one,
            writer,
            concurrency=concurrency,
            processes=processes,
            progress=progress,
            summarize=summarize,
            summary=summary,
        )
        summary.not_scanned = summary.total - summary.written - len(summary.errored)
        return summary
    pending: set[Future[_Outcome]] = set()
    queue = iter(targets)
    submitted = 0
    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="msdiag-host")

    def submit_more() -> None:
        nonlocal submitted
        while len(pending) < concurrency * 2:
            target = next(queue, None)
            if target is None:
                return
            pending.add(executor.submit(_scan, target, scan_one, summarize))
            submitted += 1

    def collect(done: set[Future[_Outcome]]) -> None:
        for future in done:
            pending.discard(future)
            if future.cancelled():
                continue
            outcome = future.result()
            if outcome.record is None:
                summary.errored.append(outcome.error or "internal error")
                progress.host_done(ok=False)
                progress.note(f"msdiag: {outcome.error}")
                continue
            writer.append(outcome.record)
            ok = outcome.record.capture.host_status.state == HostState.OK
            summary.ok += ok
            summary.failed += not ok
            progress.host_done(ok=ok)

    try:
        submit_more()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            collect(done)
            submit_more()
    except KeyboardInterrupt:
        summary.interrupted = True
        progress.note("msdiag: interrupted; finishing the hosts in progress (Ctrl-C again to stop now)")
        for future in list(pending):
            if future.cancel():
                pending.discard(future)
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                collect(done)
        except KeyboardInterrupt:
            pass
    finally:
        executor.shutdown(wait=not summary.interrupted, cancel_futures=True)
        progress.close()
    summary.not_scanned = summary.total - summary.written - len(summary.errored)
    return summary
