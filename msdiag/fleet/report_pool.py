"""The fleet report's rows made by one process per core, for results files of 100,000 hosts.

Each share's process reads every record (so every process numbers and merges them exactly as
one process would) and reduces every n-th one (diagnosis stored, redaction of what the report
shows: most of the cost); this process makes the first share and hands out the rows in the
records' order. The rows are the ones a single process makes: a test compares them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from msdiag.fleet.results import ReadReport

#: results files this large are reduced in shares (a 10,000-host file of full captures is ~130 MB)
POOL_MIN_BYTES = 64 * 1024 * 1024
POOL_MAX_WORKERS = 4

Row = TypeVar("Row")
Rows = Iterator[tuple[int, str, "datetime | None", Callable[[], Row]]]


def workers_for(files: Sequence[Path]) -> int:
    """How many shares: one per core this process may use, when the files are large enough."""
    try:
        size = sum(path.stat().st_size for path in files)
        cores = len(os.sched_getaffinity(0))
    except (OSError, AttributeError):  # a missing file (reported later), or not Linux
        return 1
    return min(POOL_MAX_WORKERS, cores) if size >= POOL_MIN_BYTES else 1


def pooled_rows(
    rows: Callable[..., Rows[Row]], share_rows: Callable[..., dict[int, Row]], files: Sequence[Path], level: Any,
    accounts: tuple[str, ...], workers: int, read: ReadReport,
) -> Rows[Row]:
    """``rows(files, level, None, accounts, read, workers, 0)`` with every other share's rows
    from ``share_rows(files, level.value, accounts, workers, share)`` in a worker process."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context(method)) as pool:
        others = [pool.submit(share_rows, list(files), level.value, accounts, workers, share)
                  for share in range(1, workers)]
        # this share's rows are made as its records are read: no record is kept, only rows
        mine = [(index, key, started, make() if index % workers == 0 else None)
                for index, key, started, make in rows(files, level, None, accounts, read, workers, 0)]
        made: dict[int, Row] = {}
        for future in others:
            made.update(future.result())
    for index, key, started, row in mine:
        yield index, key, started, partial(_given, row if row is not None else made[index])


def _given(row: Row) -> Row:
    return row
