"""The fleet results file: JSON Lines, one FleetRecord per host, safe against crashes and kills.

Writing: one writer appends one complete line per host and flushes and fsyncs it before the
next, so after a crash, SIGKILL or power loss every complete line is a valid record and at most
the last line is torn. Reading: records are streamed one at a time (a 10,000-host file is never
held as objects at once); a torn last line and any invalid line are reported, never fatal.
Resuming: the torn tail is cut off (its host is scanned again) and new records are appended.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from msdiag.errors import InputError
from msdiag.fleet.models import FleetRecord

MAX_LINE_BYTES = 64 * 1024 * 1024  # a capture is bounded well below this


@dataclass
class ReadReport:
    """What reading a results file found besides the records."""

    records: int = 0
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0


class ResultsWriter:
    """Appends records to a results file; used from one thread only (the runner's main thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file: IO[bytes] = open(path, "ab")
        except OSError as exc:
            raise InputError(f"cannot write results file {path}: {exc.strerror or exc}") from None

    def append(self, record: FleetRecord) -> None:
        line = record.model_dump_json().encode("utf-8") + b"\n"
        self._file.write(line)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def iter_records(path: Path, report: ReadReport | None = None) -> Iterator[FleetRecord]:
    """Stream the valid records of a results file, first record per host wins.

    Invalid lines, a torn last line and duplicate hosts go into ``report.problems``."""
    report = report if report is not None else ReadReport()
    seen: set[str] = set()
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read results file {path}: {exc.strerror or exc}") from None
    with handle:
        number = 0
        for raw in handle:
            number += 1
            if not raw.endswith(b"\n"):
                report.problems.append(
                    f"{path}:{number}: incomplete last line ignored (the scan was interrupted while "
                    "writing it; --resume scans that host again)"
                )
                break
            if not raw.strip():
                continue
            record = _parse_line(raw, path, number, report)
            if record is None:
                continue
            if record.target.key in seen:
                report.duplicates += 1
                report.problems.append(
                    f"{path}:{number}: {record.target.host} is already in the file; ignored"
                )
                continue
            seen.add(record.target.key)
            report.records += 1
            yield record


def _parse_line(raw: bytes, path: Path, number: int, report: ReadReport) -> FleetRecord | None:
    if len(raw) > MAX_LINE_BYTES:
        report.problems.append(f"{path}:{number}: line longer than {MAX_LINE_BYTES} bytes ignored")
        return None
    try:
        return FleetRecord.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        report.problems.append(
            f"{path}:{number}: not a valid fleet record ({where}: {first['msg']}); ignored"
        )
    except (ValueError, json.JSONDecodeError) as exc:
        report.problems.append(f"{path}:{number}: not JSON ({exc}); ignored")
    return None


def keys_done(path: Path, report: ReadReport | None = None) -> set[str]:
    """The keys of the hosts already in a results file (for --resume)."""
    return {record.target.key for record in iter_records(path, report)}


def cut_torn_tail(path: Path) -> int:
    """Truncate an incomplete last line so appended records start on a line of their own.

    Returns how many bytes were cut (0 when the file ends cleanly)."""
    with open(path, "rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        # scan backwards in blocks for the last newline
        position, block = size, 65536
        while position > 0:
            start = max(0, position - block)
            handle.seek(start)
            chunk = handle.read(position - start)
            index = chunk.rfind(b"\n")
            if index >= 0:
                keep = start + index + 1
                break
            position = start
        else:
            keep = 0
        if keep == size:
            return 0
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
        return size - keep
