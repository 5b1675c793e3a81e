"""The fleet results file: JSON Lines, one FleetRecord per host, safe against crashes and kills.

Writing: one writer, holding an exclusive lock on the file, appends one complete line per host
and flushes and fsyncs it before the next, so after a crash, SIGKILL or power loss every complete
line is a valid record and at most the last line is torn. Reading: records are streamed one at a
time (a 10,000-host file is never held as objects at once); a torn last line and any invalid line
are reported, never fatal; a host recorded more than once (``--retry-failed``) counts by its
newest record. Resuming: the torn tail is cut off (its host is scanned again) and new records
are appended.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from msdiag.capture.models import HostState
from msdiag.errors import InputError
from msdiag.files import open_private_binary
from msdiag.fleet.file_lock import ResultsLock
from msdiag.fleet.models import FleetRecord, FleetTarget

MAX_LINE_BYTES = 64 * 1024 * 1024  # a capture is bounded well below this
#: the beginning of a line as ResultsWriter writes it: the target comes first
_TARGET_AT = re.compile(rb'^\{"record_version":\d+,"target":')
_DECODER = json.JSONDecoder()


@dataclass
class ReadReport:
    """What reading a results file found besides the records."""

    records: int = 0
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0  # older records of a host scanned again later (the newest is used)
    #: read in shares (``owned``): each problem with its line number instead, for merging in order
    placed: list[tuple[int, str]] | None = None

    def note(self, number: int, text: str) -> None:
        if self.placed is None:
            self.problems.append(text)
        else:
            self.placed.append((number, text))


class ResultsWriter:
    """Appends records to a results file and holds it, exclusively, while the scan runs.

    A new file is created exclusively (O_EXCL: a file that appeared since is never appended to)
    and owner-only (msdiag.files); ``resume`` opens an existing one. Either way an exclusive lock
    (msdiag.fleet.file_lock) is taken at once: a second scanner of the same file is refused with
    the first one's pid, machine and start time. Used from one thread only (the runner's main thread).
    """

    def __init__(self, path: Path, *, resume: bool = False) -> None:
        self.path = path
        try:
            self._file: IO[bytes] = open_results(path) if resume else open_private_binary(path, "x")
        except FileExistsError:
            raise InputError(
                f"{path} already exists; continue it with --resume {path} or choose another --results"
            ) from None
        except OSError as exc:
            what = "append to" if resume else "create"
            raise InputError(f"cannot {what} the results file {path}: {exc.strerror or exc}") from None
        try:
            self._lock = ResultsLock.take(self._file, path)
        except BaseException:
            self._file.close()
            raise

    def append(self, record: FleetRecord) -> None:
        line = record.model_dump_json().encode("utf-8") + b"\n"
        self._file.write(line)
        self._file.flush()
        os.fsync(self._file.fileno())

    def cut_torn_tail(self) -> int:
        """Cut an incomplete last line (see :func:`cut_torn_tail`) under this writer's lock."""
        return cut_torn_tail(self.path)

    def close(self) -> None:
        try:
            self._lock.release()
        finally:
            self._file.close()

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_results(path: Path) -> IO[bytes]:
    """An existing results file, for appending (OSError when it is missing or read-only)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
    return os.fdopen(fd, "ab")


def iter_records(path: Path, report: ReadReport | None = None) -> Iterator[FleetRecord]:
    """Stream the valid records of a results file in file order; the newest record per host wins
    (``--retry-failed`` appends a host again: its older records are skipped and counted).

    Invalid lines and a torn last line go into ``report.problems``."""
    for _, record in iter_numbered_records(path, report):
        yield record


def iter_numbered_records(
    path: Path, report: ReadReport | None = None, *, owned: Callable[[int], bool] | None = None,
    line_notes: bool = True,
) -> Iterator[tuple[int, FleetRecord]]:
    """:func:`iter_records` with each record's line number (for :func:`read_lines`).

    ``owned``: read in shares, this one yields (and parses) only the lines it owns; the others are
    skipped unparsed when their host is known from the cheap first pass. ``line_notes``: this share
    also notes what needs no parsing (older records of a host, the torn last line): one share does.
    """
    report = report if report is not None else ReadReport()
    newest = _newest_lines(path)
    with _open_for_reading(path) as handle:
        number = 0
        for raw in handle:
            number += 1
            mine = owned is None or owned(number)
            if not raw.endswith(b"\n"):
                if line_notes:
                    report.note(number, f"{path}:{number}: incomplete last line ignored (the scan was interrupted "
                                "while writing it; --resume scans that host again)")
                break
            if not raw.strip():
                continue
            target = _target(raw)
            if target is not None and newest.get(target.key, number) != number:
                if line_notes:
                    _superseded(report, number, f"{path}:{number}", target.host, newest[target.key])
                continue
            if target is not None and not mine:
                continue  # another share's record
            # (a line without a cheap target is parsed by every share: which line of its host wins
            # depends on the lines before it)
            record = _parse_line(raw, path, number, report if mine else ReadReport())
            if record is None:
                continue
            if target is None and newest.setdefault(record.target.key, number) != number:
                # a line not written by ResultsWriter: its host's first line wins
                if line_notes:
                    _superseded(report, number, f"{path}:{newest[record.target.key]}", record.target.host, number,
                                kept=False)
                continue
            if not mine:
                continue
            report.records += 1
            yield number, record


def read_lines(path: Path, numbers: Collection[int]) -> Iterator[tuple[int, FleetRecord]]:
    """The records on the given lines of ``path`` (numbers from :func:`iter_numbered_records`),
    in file order; the other lines are skipped unparsed. A line that no longer reads is left out."""
    wanted = set(numbers)
    if not wanted:
        return
    last = max(wanted)
    with _open_for_reading(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if number in wanted:
                record = _parse_line(raw, path, number, ReadReport())
                if record is not None:
                    yield number, record
            if number >= last:
                break


def _open_for_reading(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read results file {path}: {exc.strerror or exc}") from None


#: notes about hosts recorded more than once (one each, then a count): --retry-failed makes many
MAX_DUPLICATE_NOTES = 20


def _superseded(report: ReadReport, number: int, where: str, host: str, other: int, *, kept: bool = True) -> None:
    report.duplicates += 1
    if report.duplicates <= MAX_DUPLICATE_NOTES:
        report.note(
            number,
            f"{where}: {host} is recorded again on line {other}; the newer record is used"
            if kept
            else f"{where}: {host} is recorded again on line {other}; that line is ignored",
        )
    elif report.duplicates == MAX_DUPLICATE_NOTES + 1:
        report.note(number, "... more hosts are recorded more than once; for each, the newest record is used")


def _target(raw: bytes) -> FleetTarget | None:
    """The target of a line as ResultsWriter writes it, reading only that (cheap)."""
    match = _TARGET_AT.match(raw)
    if match is None:
        return None
    try:
        target, _ = _DECODER.raw_decode(raw[: match.end() + 4096].decode("utf-8", "replace"), match.end())
        return FleetTarget.model_validate(target)
    except (ValueError, ValidationError):
        return None


def _newest_lines(path: Path) -> dict[str, int]:
    """Each host's last complete line (a first, cheap pass over the file)."""
    newest: dict[str, int] = {}
    with _open_for_reading(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.endswith(b"\n"):
                target = _target(raw)
                if target is not None:
                    newest[target.key] = number
    return newest


def _parse_line(raw: bytes, path: Path, number: int, report: ReadReport) -> FleetRecord | None:
    if len(raw) > MAX_LINE_BYTES:
        report.note(number, f"{path}:{number}: line longer than {MAX_LINE_BYTES} bytes ignored")
        return None
    try:
        return FleetRecord.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        report.note(number, f"{path}:{number}: not a valid fleet record ({where}: {first['msg']}); ignored")
    except (ValueError, json.JSONDecodeError) as exc:
        report.note(number, f"{path}:{number}: not JSON ({exc}); ignored")
    return None


def host_states(path: Path, report: ReadReport | None = None) -> dict[str, HostState]:
    """Each host's state in its newest record, by host key (what --resume and --retry-failed read)."""
    return {record.target.key: record.capture.host_status.state for record in iter_records(path, report)}


def keys_done(path: Path, report: ReadReport | None = None) -> set[str]:
    """The keys of the hosts a resume skips: every host with a record, except those whose newest
    record says they were not attempted (msdiag stopped before them)."""
    return {key for key, state in host_states(path, report).items() if state is not HostState.NOT_ATTEMPTED}


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
