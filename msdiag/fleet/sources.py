"""The results files one fleet report reads: several files merged, newest record per host.

``msdiag report reports/msdiag-fleet-*.jsonl`` names every scan in the folder: a host scanned in
two of them is shown once, with the record whose scan started last (a later file wins a tie).
Records are streamed file after file in one numbering (``iter_fleet_records``), so the report and
the single-host reports it links agree on which record is which. A file that is not a results
file but another msdiag file (a single-host capture, a diagnosis report, a fleet report) gets a
message naming the command that reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from msdiag.capture.envelope import CAPTURE_FORMAT
from msdiag.fleet.models import FleetRecord
from msdiag.fleet.results import ReadReport, iter_numbered_records, iter_records, read_lines

MAX_SNIFF_BYTES = 64 * 1024 * 1024  # a capture or a report is far smaller
FIRST_LINE_BYTES = 1024 * 1024
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


@dataclass(frozen=True)
class MergeNote:
    """What merging did, for the report to say: files read, hosts shown, hosts found in several."""

    files: int
    hosts: int
    repeated: int


#: where a record is: (the file's position in the files given, its line number)
Place = tuple[int, int]


def iter_fleet_records(paths: Sequence[Path], read: ReadReport | None = None) -> Iterator[FleetRecord]:
    """Every valid record of every file, file after file (number them with ``enumerate(..., 1)``)."""
    for path in paths:
        yield from iter_records(path, read)


def iter_placed_records(
    paths: Sequence[Path], read: ReadReport | None = None, *, owned: Callable[[Place], bool] | None = None,
    line_notes: bool = True, placed: list[tuple[Place, str]] | None = None,
) -> Iterator[tuple[Place, FleetRecord]]:
    """:func:`iter_fleet_records` with where each record is, for :func:`read_placed`.

    Read in shares (``owned``, see msdiag.fleet.results.iter_numbered_records), the problems go to
    ``placed`` with where each is, for merging the shares' problems in file order."""
    read = read if read is not None else ReadReport()
    if owned is not None:
        read.placed = []
    for file, path in enumerate(paths):
        mine = None if owned is None else partial(_owned_line, owned, file)
        for line, record in iter_numbered_records(path, read, owned=mine, line_notes=line_notes):
            yield (file, line), record
        if read.placed is not None and placed is not None:
            placed.extend(((file, line), text) for line, text in read.placed)
            read.placed.clear()


def _owned_line(owned: Callable[[Place], bool], file: int, line: int) -> bool:
    return owned((file, line))


def read_placed(paths: Sequence[Path], places: Sequence[Place]) -> Iterator[tuple[Place, FleetRecord]]:
    """The records at ``places`` (from :func:`iter_placed_records`), reading no other line."""
    for file, path in enumerate(paths):
        lines = [line for where, line in places if where == file]
        for line, record in read_lines(path, lines):
            yield (file, line), record


def started_at(record: FleetRecord) -> datetime | None:
    """When the record's scan started (``started_utc``), None when it is not a time."""
    match = _ISO.match(record.started_utc.strip())
    if match is None:
        return None
    fraction = (match.group(2) or ".0")[:7].ljust(7, "0")  # .NET writes 7 digits, Python 3.10 reads 6
    zone = (match.group(3) or "Z").replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(match.group(1) + fraction + zone)
    except ValueError:
        return None
    return moment.astimezone(timezone.utc)


def is_newer(started: datetime | None, index: int, than: datetime | None, than_index: int) -> bool:
    """Whether the record started at ``started`` (number ``index``) replaces the one started at
    ``than``: a later scan start, or the same start (or an unreadable one) and later in the files."""
    if started is not None and than is not None and started != than:
        return started > than
    return index > than_index


def not_results_hint(path: Path) -> str | None:
    """Why ``path`` is another msdiag file and which command reads it; None for anything else
    (a results file is recognised by its first line; other JSON is read whole, bounded)."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(FIRST_LINE_BYTES)
        if b'"record_version"' in first and b'"target"' in first:
            return None  # a results file, one record per line (maybe with bad lines later)
        if path.stat().st_size > MAX_SNIFF_BYTES:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("format") == CAPTURE_FORMAT:
        return f"{path} is one host's capture, not fleet results: run `msdiag diagnose {path}` for its report"
    if "verdict" in data and isinstance(data.get("capture"), dict):
        return (
            f"{path} is one host's diagnosis report, not fleet results: `msdiag report` reads the .jsonl "
            "results file written by `msdiag scan --inventory` (or several --host)"
        )
    if data.get("format") == "msdiag-fleet-report":
        return f"{path} is a fleet report already: pass the .jsonl results file it was made from"
    return None
