"""The reader stage: one small class per input form, registered when it is defined.

A reader says whether it recognises a file from its first bytes (:class:`Sniff`) and streams the
file's rows. ``READERS`` is the registry (the dispatch of msdiag.ingest.pipeline: the first reader
that recognises a file reads it, or the one ``--source`` names). Rows that tell the same
story in every form (no device, no result yet, the script failed) are made by :func:`row_of`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from msdiag.capture.models import HostState
from msdiag.errors import InputError
from msdiag.ingest.rows import MAX_NAME, BadRow, DeviceResult, Failure, Row, Where, bounded
from msdiag.ingest.times import parse_time

SNIFF_BYTES = 64 * 1024
MAX_JSON_BYTES = 200 * 1024 * 1024  # one JSON document (a Graph page, the Ansible json callback): ~0.7 GB parsed

#: statuses that mean "no result yet" when the output is empty (Graph detectionState values and
#: the admin center's words for them)
PENDING = frozenset({"pending", "unknown", "notapplicable", "not applicable", "notstarted", "not started"})
#: statuses that mean the script itself failed (Graph scriptError, the admin center's "Failed",
#: ConfigMgr's "Failed")
SCRIPT_FAILED = frozenset({"scripterror", "script error", "failed", "failure", "error"})


@dataclass(frozen=True)
class Sniff:
    """What a reader may look at to recognise a file: its name and its first bytes as text."""

    path: Path
    head: str
    is_dir: bool = False

    @property
    def first_char(self) -> str:
        stripped = self.head.lstrip("\ufeff \t\r\n")
        return stripped[:1]


@dataclass(frozen=True)
class ColumnMap:
    """Logical field -> header name given with ``--column-map`` (overrides a reader's defaults)."""

    names: Mapping[str, str] = field(default_factory=dict)

    def header(self, logical: str, default: tuple[str, ...]) -> tuple[str, ...]:
        given = self.names.get(logical)
        return (given,) if given else default


class Reader(ABC):
    """Reads one input form. Subclasses set ``kind`` and ``summary`` and register themselves."""

    kind: ClassVar[str]
    summary: ClassVar[str]
    #: the logical fields --column-map may rename, with the headers read by default
    columns: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "kind", None):
            READERS[cls.kind] = cls

    @classmethod
    @abstractmethod
    def recognises(cls, sniff: Sniff) -> bool:
        """Whether the file (or folder) is in this reader's form."""

    @abstractmethod
    def rows(self, path: Path, name: str, columns: ColumnMap) -> Iterator[Row]:
        """The file's rows in order (``name``: how messages name the file)."""


READERS: dict[str, type[Reader]] = {}


def row_of(
    kind: str,
    where: Where,
    *,
    device: object,
    device_id: object = None,
    time: object = None,
    status: object = None,
    output: object = None,
    error: object = None,
    device_field: str = "device name",
) -> Row:
    """One table row or JSON record as a device result (the fields as the engine wrote them)."""
    name = bounded(device, MAX_NAME + 1)
    if name is None:
        return BadRow(where, f"no {device_field}; the row is not about any device")
    if len(name) > MAX_NAME:
        return BadRow(where, f"the {device_field} is longer than {MAX_NAME} characters")
    state = bounded(status, 64)
    text = bounded(output)
    result = DeviceResult(
        kind=kind,
        where=where,
        device=name,
        device_id=bounded(device_id, MAX_NAME),
        run_time=parse_time(bounded(time, 64)),
        state=state,
        output=text,
    )
    folded = (state or "").lower()
    if text is None and folded in PENDING:
        result.pending = True
    elif text is None and (folded in SCRIPT_FAILED or bounded(error)):
        detail = bounded(error, 4000) or f"the engine reports the script as {state}"
        result.failure = Failure(HostState.SCRIPT_ERROR, f"the detection script failed: {detail}")
    return result


def load_json_document(path: Path, name: str) -> Any:
    """A whole JSON document (bounded), or an input error naming the file."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise InputError(
                f"{name} is {size} bytes; one JSON document is read up to {MAX_JSON_BYTES} bytes "
                "(split it, or for Ansible use the ansible.posix.jsonl callback, read line by line)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        return json.loads(decode_bytes(raw, name))
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None


def decode_bytes(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM (Windows PowerShell 5.1's Out-File)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 or UTF-16 text") from None


def head_text(path: Path) -> str:
    """The first bytes of a file as text, for recognising its form."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw[: len(raw) // 2 * 2].decode("utf-16", errors="ignore")
    return raw.decode("utf-8-sig", errors="ignore")


def folded_keys(record: Mapping[str, Any]) -> dict[str, str]:
    """A record's keys by their folded form (case, spaces, dashes and underscores ignored)."""
    return {fold(key): key for key in record if isinstance(key, str)}


def fold(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch.isalnum())


def pick(record: Mapping[str, Any], keys: Mapping[str, str], names: tuple[str, ...]) -> Any:
    """The value of the first of ``names`` the record has (matched folded), else None."""
    for name in names:
        key = keys.get(fold(name))
        if key is not None:
            return record[key]
    return None
