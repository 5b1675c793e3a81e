"""Scan many hosts at once and append each host's record to the results file as it finishes.

Threads by default: a host scan is network-bound and pypsrp is synchronous. Given more than one
``processes``, the threads are spread over worker processes (msdiag.fleet.process_pool), because
the orchestrator's per-host CPU (pypsrp, NTLM, XML) otherwise caps the scan at one core. pypsrp objects
are not thread-safe, so ``scan_one`` must build its own WSMan per call (collect_remote does).
Only the calling thread records outcomes (msdiag.fleet.outcomes.OutcomeRecorder, shared with the
process pool), so records never interleave. A sliding window of submitted hosts keeps memory
flat for large fleets and lets Ctrl-C stop submitting at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from msdiag.fleet.credential_guard import CredentialGuard
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.outcomes import HostOutcome, OutcomeRecorder, RunSummary, ScanOne, Summarize, scan_host
from msdiag.fleet.progress import FleetProgress
from msdiag.fleet.results import ResultsWriter

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_CONCURRENCY",
    "MAX_PROCESSES",
    "RunSummary",
    "ScanOne",
    "Summarize",
    "run_fleet",
]

DEFAULT_CONCURRENCY = 32
MAX_CONCURRENCY = 1024
MAX_PROCESSES = 64


def run_fleet(
    targets: Sequence[FleetTarget],
    scan_one: ScanOne,
    writer: ResultsWriter,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: FleetProgress | None = None,
    summarize: Summarize | None = None,
    processes: int = 1,
    guard: CredentialGuard | None = None,
    insecure: bool = False,
) -> RunSummary:
    """Scan ``targets`` with ``concurrency`` workers; every finished host is on disk before the next.

    Ctrl-C stops submitting, lets the running hosts finish (each is bounded by its own deadline)
    and records them; a second Ctrl-C stops waiting (those hosts are scanned again on resume).
    ``summarize`` adds the host's diagnosis to its record (see Summarize).
    ``processes`` > 1 scans in that many worker processes (``concurrency`` threads in all); then
    ``scan_one`` and ``summarize`` must be picklable (module-level functions or objects).
    ``guard`` stops credentials that keep failing authentication (msdiag.fleet.credential_guard);
    ``insecure`` marks every record as scanned without certificate validation."""
    concurrency = max(1, min(concurrency, MAX_CONCURRENCY, len(targets) or 1))
    processes = max(1, min(processes, MAX_PROCESSES, concurrency))
    recorder = OutcomeRecorder(
        writer,
        progress or FleetProgress(len(targets), enabled=False),
        RunSummary(total=len(targets)),
        targets=targets,
        guard=guard,
        insecure=insecure,
    )
    if processes > 1:
        from msdiag.fleet.process_pool import run_fleet_in_processes  # multiprocessing: only when used

        run_fleet_in_processes(
            scan_one, recorder, concurrency=concurrency, processes=processes, summarize=summarize
        )
    else:
        _run_in_threads(scan_one, recorder, concurrency=concurrency, summarize=summarize)
    return recorder.summary


def _run_in_threads(
    scan_one: ScanOne,
    recorder: OutcomeRecorder,
    *,
    concurrency: int,
    summarize: Summarize | None,
) -> None:
    pending: dict[Future[HostOutcome], int] = {}
    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="msdiag-host")

    def submit_more() -> None:
        while len(pending) < concurrency * 2 and (item := recorder.take()) is not None:
            index, target = item
            pending[executor.submit(scan_host, target, scan_one, summarize)] = index

    def collect(done: set[Future[HostOutcome]]) -> None:
        for future in done:
            index = pending.pop(future)
            if not future.cancelled():
                recorder.record(future.result(), index)

    try:
        submit_more()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            collect(done)
            submit_more()
    except KeyboardInterrupt:
        recorder.interrupted()
        for future in list(pending):
            if future.cancel():
                pending.pop(future)
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                collect(done)
        except KeyboardInterrupt:
            pass
    finally:
        executor.shutdown(wait=not recorder.summary.interrupted, cancel_futures=True)
        recorder.finish()
