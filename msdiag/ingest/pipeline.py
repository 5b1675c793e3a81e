"""Rows in, one fleet record per device out: the newest result of each device wins.

Records are spooled as they are decoded (only a row newer than the device's result so far is
decoded at all; msdiag.ingest.workers spreads the decoding over the cores) and the index holds only (run time, order, spool line) per device, so 100,000
devices need neither their captures nor their outputs in memory. At the end the spool becomes
the results file: renamed as it is when no device was seen twice, else copied without the
superseded lines; the file appears whole or not at all, readable by its owner only.

The results file is msdiag's standard one (msdiag.fleet.models.FleetRecord per line, the diagnosis
stored as `msdiag scan` stores it), so `msdiag report` and every fleet format read it unchanged.
"""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from msdiag.errors import InputError
from msdiag.fleet.sources import is_newer
from msdiag.gc_tuning import batch_collection
from msdiag.ingest.readers import ColumnMap, reader_for
from msdiag.ingest.rows import BadRow, Row
from msdiag.ingest.workers import Decoder, Written
from msdiag.sanitize import clean_text

FILE_MODE = 0o600  # the results hold host data
MAX_DEVICES = 2_000_000
MAX_PROBLEMS = 100_000  # listed one by one; beyond, only counted


@dataclass
class IngestSummary:
    """What an ingest read and wrote, for the command to say (every problem with its file and row)."""

    results: Path | None = None
    rows: int = 0
    devices: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    superseded: int = 0
    pending: int = 0
    bad_rows: int = 0
    bad_outputs: int = 0
    problems: list[str] = field(default_factory=list)
    problems_uncounted: int = 0
    files: list[str] = field(default_factory=list)
    #: inputs that could not be read to their end (their rows before that are kept)
    failed_files: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        """Note a problem; it quotes the engine's data (a device name, a reason), so it is cleaned
        of control characters and escape sequences before anything prints or stores it."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(clean_text(text))
        else:
            self.problems_uncounted += 1


class Ingest:
    """Collects rows into a results file at ``path`` (see the module docstring)."""

    def __init__(self, path: Path, *, force: bool = False, workers: int | None = None) -> None:
        if path.exists() and not force:
            raise InputError(f"{path} already exists; choose another --results or --force to replace it")
        if path.is_dir():
            raise InputError(f"{path} is a folder; --results names a file such as {path / 'ingest.jsonl'}")
        self.path = path
        self.summary = IngestSummary()
        self._spool_path = path.with_name(f".{path.name}.{os.getpid()}.spool")
        self._spool = _open_new(self._spool_path)
        self._lines = 0  # spool lines handed to the decoder (written in this order)
        self._order = 0
        #: device key -> (run time, order, spool line)
        self._newest: dict[str, tuple[datetime | None, int, int]] = {}
        self._states: list[str] = []  # host state of each spool line, as it is written
        self._sizes = array("q")  # byte length of each spool line: kept lines are copied as ranges
        self._decoder = Decoder(self._write, workers=workers)

    def add_all(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.add(row)

    def add(self, row: Row) -> None:
        summary = self.summary
        summary.rows += 1
        self._order += 1
        if isinstance(row, BadRow):
            summary.bad_rows += 1
            summary.problem(f"{row.where}: {row.reason}")
            return
        if row.pending:
            summary.pending += 1
            return
        kept = self._newest.get(row.key)
        if kept is not None:
            summary.superseded += 1
            if not is_newer(row.run_time, self._order, kept[0], kept[1]):
                return  # an older result: never decoded
        elif len(self._newest) >= MAX_DEVICES:
            raise InputError(f"more than {MAX_DEVICES} devices in one ingest; split the inputs")
        self._lines += 1
        self._newest[row.key] = (row.run_time, self._order, self._lines)
        self._decoder.add(row)

    def _write(self, written: Written) -> None:
        if written.problem is not None:
            self.summary.bad_outputs += 1
            self.summary.problem(written.problem)
        self._spool.write(written.line)
        self._sizes.append(len(written.line))
        self._states.append(written.state)

    def finish(self) -> IngestSummary:
        """Write the results file (whole, or not at all) and say what went into it."""
        summary = self.summary
        try:
            self._decoder.finish()
            if not self._newest:
                raise InputError("no device results in the input" + (f" ({summary.problems[0]})" if summary.problems else ""))
            keep = {entry[2] for entry in self._newest.values()}
            if len(keep) == self._lines:
                self._close_spool(durable=True)
                os.replace(self._spool_path, self.path)
            else:
                self._close_spool(durable=False)  # only the copy made of it must reach the disk
                self._copy_kept(keep)
        except BaseException:
            self.abort()
            raise
        summary.results = self.path
        summary.devices = len(self._newest)
        summary.by_state = Counter(self._states[entry[2] - 1] for entry in self._newest.values())
        return summary

    def _close_spool(self, *, durable: bool) -> None:
        if not self._spool.closed:
            self._spool.flush()
            if durable:
                os.fsync(self._spool.fileno())
            self._spool.close()

    def _copy_kept(self, keep: set[int]) -> None:
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(self._spool_path, "rb") as spool, _open_new(temporary) as out:
            for offset, length in kept_ranges(self._sizes, keep):
                copy_range(spool, out, offset, length)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        self._spool_path.unlink(missing_ok=True)

    def abort(self) -> None:
        """Leave nothing behind but what was there before."""
        self._decoder.close()
        if not self._spool.closed:
            self._spool.close()
        self._spool_path.unlink(missing_ok=True)
        self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp").unlink(missing_ok=True)


def ingest_files(
    inputs: Sequence[Path], results: Path, *, kind: str | None = None, columns: ColumnMap | None = None,
    force: bool = False,
) -> IngestSummary:
    """Read every input (each in the form it is recognised as, or ``kind``) into ``results``."""
    readers = [(path, reader_for(path, kind)) for path in inputs]  # every input is checked first
    job = Ingest(results, force=force)
    with batch_collection():  # 100,000 devices: see msdiag.gc_tuning
        try:
            for path, reader in readers:
                job.summary.files.append(f"{path} ({reader.kind})")
                try:
                    job.add_all(reader.rows(path, str(path), columns or ColumnMap()))
                except InputError as exc:  # the rows read before stay; the command says the file failed
                    job.summary.failed_files.append(exc.message)
                    job.summary.problem(exc.message)
        except BaseException:
            job.abort()
            raise
        return job.finish()


def kept_ranges(sizes: Sequence[int], keep: set[int]) -> Iterator[tuple[int, int]]:
    """(offset, length) of each run of kept lines (numbered from 1) in a file of lines of ``sizes``."""
    offset = start = 0
    for number, size in enumerate(sizes, start=1):
        if number not in keep:
            if offset > start:
                yield start, offset - start
            start = offset + size
        offset += size
    if offset > start:
        yield start, offset - start


def copy_range(source: IO[bytes], target: IO[bytes], offset: int, length: int) -> None:
    """``length`` bytes of ``source`` from ``offset`` appended to ``target`` (flushed: written
    by the kernel where it can, os.copy_file_range on Linux)."""
    target.flush()  # what the target's buffer holds comes first
    copy = getattr(os, "copy_file_range", None)
    while length > 0 and copy is not None:
        try:
            done = copy(source.fileno(), target.fileno(), length, offset)
        except OSError:  # another file system, an old kernel: the portable way for the rest
            break
        if done == 0:
            break
        offset, length = offset + done, length - done
    source.seek(offset)
    while length > 0:
        block = source.read(min(length, 1024 * 1024))
        if not block:
            raise InputError(f"{source.name} ended early while the results were written")
        target.write(block)
        length -= len(block)
    target.flush()


def _open_new(path: Path) -> IO[bytes]:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        raise InputError(f"{path} exists (another ingest writing here?); remove it and run again") from None
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return os.fdopen(descriptor, "wb", buffering=1024 * 1024)
