"""The fleet report's rows made by one process per core, for results files of 100,000 hosts.

The lines are dealt out by line number: each share's process parses and reduces only the records
on its own lines (diagnosis stored, redaction of what the report shows: most of the cost) and
skips the others unparsed; one share also notes what needs no parsing (older records of a host, a
torn last line). This process makes the first share, merges the rows and problems in file order
and numbers the records as one process would. The rows are the ones a single process makes: a
test compares them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from msdiag.fleet.results import ReadReport
from msdiag.fleet.sources import Place

#: results files this large are reduced in shares (a 10,000-host file of full captures is ~130 MB)
POOL_MIN_BYTES = 64 * 1024 * 1024
POOL_MAX_WORKERS = 4

Row = TypeVar("Row")
Rows = Iterator[tuple[int, str, "datetime | None", Callable[[], Row]]]


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def workers_for(files: Sequence[Path]) -> int:
    """How many shares: one per core this process may use, when the files are large enough."""
    try:
        size = sum(path.stat().st_size for path in files)
    except OSError:  # a missing file (reported later)
        return 1
    return min(POOL_MAX_WORKERS, cores()) if size >= POOL_MIN_BYTES else 1


@dataclass(frozen=True)
class Share(Generic[Row]):
    """One share's rows (where, host key, scan start, row), problems (where, text) and counts."""

    rows: list[tuple[Place, str, datetime | None, Row]]
    problems: list[tuple[Place, str]]
    records: int
    duplicates: int


def pooled_rows(
    share_rows: Callable[..., Share[Row]], numbered: Callable[[Row, int], Row], files: Sequence[Path], level: Any,
    accounts: tuple[str, ...], workers: int, read: ReadReport,
) -> Rows[Row]:
    """Every record's (index, host key, scan start, row) in file order, as one process gives them:
    ``share_rows(files, level.value, accounts, workers, share)`` for each share (the first here),
    merged; ``numbered(row, index)`` gives a row its index."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context(method)) as pool:
        others = [pool.submit(share_rows, list(files), level.value, accounts, workers, share)
                  for share in range(1, workers)]
        shares = [share_rows(list(files), level.value, accounts, workers, 0)]
        shares.extend(future.result() for future in others)
    rows = sorted((row for share in shares for row in share.rows), key=_place)  # a place is one line
    problems = sorted((problem for share in shares for problem in share.problems), key=_place)
    read.problems.extend(text for _, text in problems)
    read.records += sum(share.records for share in shares)
    read.duplicates += sum(share.duplicates for share in shares)
    for index, (_, key, started, row) in enumerate(rows, start=1):
        yield index, key, started, partial(_given, numbered(row, index))


def _place(item: tuple[Any, ...]) -> Place:
    return cast(Place, item[0])


def _given(row: Row) -> Row:
    return row
