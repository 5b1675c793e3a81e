"""Tables of device results: the Intune admin center's CSV export and ConfigMgr's Run Scripts
results as CSV or JSON. Columns are read by header name (case, spaces and underscores ignored),
with ``--column-map FIELD=HEADER`` for exports whose headers differ.

Intune: the admin center's Device status export has no documented column list; the Export API
report DeviceRunStatesByProactiveRemediation, which Microsoft maps to that same view, has one
(https://learn.microsoft.com/intune/intune-service/fundamentals/reports-export-graph-available-reports),
and since 2025 the portal's exports of platform scripts use the API's column names: those are the
defaults. ConfigMgr: no Microsoft page documents an export of Script Status; the defaults are the
column names of the SMS_ScriptsExecutionStatus class and vSMS_ScriptsExecutionStatus view that
community exports read (observed, not documented). docs/scale.md lists them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, ClassVar

from msdiag.errors import InputError
from msdiag.ingest.readers.base import (
    ColumnMap,
    Reader,
    Sniff,
    fold,
    folded_keys,
    load_json_document,
    pick,
    row_of,
)
from msdiag.ingest.rows import BadRow, Row, Where

MAX_ROWS = 2_000_000  # per file: 100,000 devices with a margin for re-runs
MAX_TABLE_BYTES = 4 * 1024 * 1024 * 1024
MAX_ZIP_MEMBER = 2 * 1024 * 1024 * 1024
MAX_BAD_IN_A_ROW = 1000  # a file that is not the table it looked like stops here
_DELIMITERS = (",", ";", "\t")  # Import-Csv -UseCulture / Excel write ";" in many locales

INTUNE_COLUMNS: dict[str, tuple[str, ...]] = {
    "device": ("DeviceName",),
    "device_id": ("DeviceId",),
    "output": ("PreRemediationDetectionScriptOutput",),
    "error": ("PreRemediationDetectionScriptError",),
    "status": ("DetectionStatus", "DetectionScriptStatus"),
    "time": ("ModifiedTime",),
}
CONFIGMGR_COLUMNS: dict[str, tuple[str, ...]] = {
    "device": ("DeviceName",),
    "device_id": ("ResourceId", "ResourceID"),
    "output": ("ScriptOutput",),
    "error": (),
    "status": ("ScriptExecutionState",),
    "time": ("LastUpdateTime",),
}


class TableReader(Reader):
    """A table whose rows each hold one device's result under named columns."""

    columns: ClassVar[dict[str, tuple[str, ...]]]
    marker: ClassVar[str]  # the output column that tells this table from the other

    def record_row(self, record: dict[str, Any], where: Where, columns: ColumnMap) -> Row:
        keys = folded_keys(record)

        def get(field: str) -> Any:
            return pick(record, keys, columns.header(field, self.columns[field]))

        return row_of(
            self.kind,
            where,
            device=get("device"),
            device_id=get("device_id"),
            time=get("time"),
            status=get("status"),
            output=get("output"),
            error=get("error") if self.columns["error"] or "error" in columns.names else None,
            device_field=f"device name ({', '.join(columns.header('device', self.columns['device']))})",
        )

    def missing_columns(self, headers: Iterable[str], columns: ColumnMap) -> list[str]:
        have = {fold(h) for h in headers}
        wanted = ("device", "output")
        return [
            f"{field} ({' or '.join(columns.header(field, self.columns[field]))})"
            for field in wanted
            if not any(fold(name) in have for name in columns.header(field, self.columns[field]))
        ]


class CsvReader(TableReader):
    @classmethod
    def recognises(cls, sniff: Sniff) -> bool:
        if sniff.is_dir or sniff.first_char in ("{", "["):
            return False
        if sniff.path.suffix.lower() == ".zip":
            return cls.kind == "intune-csv"  # the admin center and the Export API hand out a zip
        header = fold(sniff.head.splitlines()[0]) if sniff.head.strip() else ""
        return fold(cls.marker) in header

    def rows(self, path: Path, name: str, columns: ColumnMap) -> Iterator[Row]:
        for member, handle in _csv_texts(path, name):
            with handle:
                yield from self._rows(handle, member, columns)

    def _rows(self, handle: IO[str], name: str, columns: ColumnMap) -> Iterator[Row]:
        first = handle.readline()
        delimiter = max(_DELIMITERS, key=lambda d: len(first.split(d)))
        headers = next(csv.reader([first], delimiter=delimiter), [])
        missing = self.missing_columns(headers, columns)
        if missing:
            raise InputError(
                f"{name}: no column for {', '.join(missing)} in its header ({', '.join(h[:40] for h in headers[:12])}); "
                "name the columns with --column-map FIELD=HEADER"
            )
        reader = csv.reader(handle, delimiter=delimiter)
        number, bad_run = 1, 0  # row 1 is the header, as a spreadsheet numbers them
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                bad_run += 1
                yield BadRow(Where(name, number), f"not a CSV row ({exc})")
                if bad_run >= MAX_BAD_IN_A_ROW:
                    raise InputError(f"{name}: {bad_run} unreadable rows in a row; is it a CSV file?") from None
                continue
            if number > MAX_ROWS + 1:
                raise InputError(f"{name}: more than {MAX_ROWS} rows; split the export")
            if not any(cell.strip() for cell in cells):
                continue
            bad_run = 0
            if len(cells) != len(headers):
                yield BadRow(Where(name, number), f"{len(cells)} cells where the header has {len(headers)}")
                continue
            yield self.record_row(dict(zip(headers, cells, strict=True)), Where(name, number), columns)


class IntuneCsv(CsvReader):
    kind = "intune-csv"
    summary = "Intune admin center / Export API CSV of a remediation's device status (also the .zip)"
    columns = INTUNE_COLUMNS
    marker = "PreRemediationDetectionScriptOutput"


class ConfigMgrCsv(CsvReader):
    kind = "configmgr-csv"
    summary = "ConfigMgr Run Scripts results as CSV (SMS_ScriptsExecutionStatus columns)"
    columns = CONFIGMGR_COLUMNS
    marker = "ScriptOutput"


class ConfigMgrJson(TableReader):
    """ConfigMgr results as JSON: ConvertTo-Json of the status objects (an array, or one object),
    or the AdminService's OData answer ``{"value": [...]}``."""

    kind = "configmgr-json"
    summary = "ConfigMgr Run Scripts results as JSON (ConvertTo-Json, AdminService)"
    columns = CONFIGMGR_COLUMNS
    marker = "ScriptOutput"

    @classmethod
    def recognises(cls, sniff: Sniff) -> bool:
        return not sniff.is_dir and sniff.first_char in ("{", "[") and '"scriptoutput"' in sniff.head.lower()

    def rows(self, path: Path, name: str, columns: ColumnMap) -> Iterator[Row]:
        data = load_json_document(path, name)
        if isinstance(data, dict):
            data = data.get("value", [data])
        if not isinstance(data, list):
            raise InputError(f"{name}: expected a JSON array of script results")
        if len(data) > MAX_ROWS:
            raise InputError(f"{name}: more than {MAX_ROWS} records; split the export")
        for number, record in enumerate(data, start=1):
            where = Where(name, number)
            if not isinstance(record, dict):
                yield BadRow(where, "not a JSON object")
                continue
            yield self.record_row(record, where, columns)


def _csv_texts(path: Path, name: str) -> Iterator[tuple[str, IO[str]]]:
    """The CSV text(s) in ``path``: the file itself, or each .csv inside a .zip (bounded)."""
    try:
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            raise InputError(f"{name} is {size} bytes; a table is read up to {MAX_TABLE_BYTES} bytes")
        if not zipfile.is_zipfile(path):
            yield name, _text(open(path, "rb"), name)
            return
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
            if not members:
                raise InputError(f"{name} is a zip file without a .csv in it")
            for member in members:
                if member.file_size > MAX_ZIP_MEMBER:
                    raise InputError(f"{name}!{member.filename} unpacks to {member.file_size} bytes; too large")
                yield f"{name}!{member.filename[:200]}", _text(archive.open(member), name)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None


def _text(raw: IO[bytes], name: str) -> IO[str]:
    """The byte stream as text: UTF-16 when it starts with its BOM, else UTF-8 (BOM dropped)."""
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type,type-var]
    start = buffered.peek(2)[:2]
    encoding = "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    return io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="")
