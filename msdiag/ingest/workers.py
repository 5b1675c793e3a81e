"""Decoding device results into record lines, in this process or in worker processes.

Decoding (validating the output, expanding a compact line) and diagnosing cost a millisecond or
two per device: at 100,000 devices that is minutes on one core. Once an ingest has more than
:data:`POOL_AFTER` rows to decode, chunks of rows go to one worker process per core, a bounded
number of chunks in flight (memory stays bounded for captures of any size), and their lines come
back in the order the rows were given: the results file is the same as decoding in this process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from msdiag.fleet.models import FleetRecord, FleetTarget, RecordSource
from msdiag.fleet.report_pool import cores
from msdiag.gc_tuning import tune_for_batch
from msdiag.ingest.decode import decode
from msdiag.ingest.rows import DeviceResult
from msdiag.ingest.times import utc_text

CHUNK = 256
POOL_AFTER = 2 * CHUNK  # small ingests (and the tests' samples) never start processes
IN_FLIGHT_PER_WORKER = 3


@dataclass(frozen=True)
class Written:
    """One device's record line, its host state and, for bad output, the problem to report."""

    line: bytes
    state: str
    problem: str | None


def record_line(row: DeviceResult) -> Written:
    decoded = decode(row)
    capture = decoded.capture
    record = FleetRecord(
        target=FleetTarget(host=row.device_id or row.device, name=row.device if row.device_id else None),
        started_utc=utc_text(row.run_time),
        duration_ms=capture.duration_ms or 0,
        capture=capture,
        diagnosis=decoded.diagnosis,
        source=RecordSource(kind=row.kind, file=row.where.file[:4096], row=row.where.row, state=row.state,
                            output_sha256=decoded.digest),
    )
    problem = None if decoded.problem is None else f"{row.where}: {row.device}: bad output: {decoded.problem}"
    return Written(record.model_dump_json().encode("utf-8") + b"\n", capture.host_status.state.value, problem)


def record_lines(rows: list[DeviceResult]) -> list[Written]:
    return [record_line(row) for row in rows]


def worker_count() -> int:
    """One worker per core this process may run on (the reading stays in this process)."""
    return cores()


class Decoder:
    """Decodes rows in order and hands each :class:`Written` to ``out``."""

    def __init__(self, out: Callable[[Written], None], *, workers: int | None = None) -> None:
        self._out = out
        self._workers = worker_count() if workers is None else workers
        self._chunk: list[DeviceResult] = []
        self._given = 0
        self._pool: ProcessPoolExecutor | None = None
        self._flying: deque[Future[list[Written]]] = deque()

    def add(self, row: DeviceResult) -> None:
        self._chunk.append(row)
        self._given += 1
        if len(self._chunk) >= CHUNK:
            self._send()

    def _send(self) -> None:
        rows, self._chunk = self._chunk, []
        if not rows:
            return
        if self._pool is None and self._workers > 1 and self._given > POOL_AFTER:
            # fork keeps what this process imported (the compact format, the rule registry)
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=multiprocessing.get_context(method), initializer=tune_for_batch
            )
        if self._pool is None:
            for written in record_lines(rows):
                self._out(written)
            return
        self._flying.append(self._pool.submit(record_lines, rows))
        while len(self._flying) > self._workers * IN_FLIGHT_PER_WORKER:
            self._take()

    def _take(self) -> None:
        for written in self._flying.popleft().result():
            self._out(written)

    def finish(self) -> None:
        """Decode what is left and wait for every line; the pool is gone afterwards."""
        try:
            self._send()
            while self._flying:
                self._take()
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            for future in self._flying:
                future.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._flying.clear()
