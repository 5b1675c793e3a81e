"""Read a saved capture (from `scan --save-capture`, `export-script`, or another tool).

A capture file is untrusted input like any check output: every document in it is validated again,
a bad document makes that one check ``error`` (raw kept), and a file that is not a capture at all is
a clear input error. The documented bounds (docs/capture-format.md) hold before and while parsing:
the file's size before it is read, its members and nesting while it is decoded, then each check
document's size, nesting and number lengths (over a bound: that check is ``error``; in the
envelope: the file is refused). Lone surrogates become U+FFFD.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from msdiag.capture.models import (
    CAPTURE_FORMAT,
    Capture,
    CheckResult,
    CheckStatus,
    HostState,
    HostStatus,
    PowerShellInfo,
)
from msdiag.capture.parse import MAX_DOCUMENT_CHARS, RAW_LIMIT, validate_document
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.interface import NOT_IN_CAPTURE, assemble_capture, check_results
from msdiag.collectors.runner_output import parse_runner_output
from msdiag.collectors.runner_script import validate_check_names
from msdiag.errors import InputError
from msdiag.files import private_folder, write_private
from msdiag.json_bounds import MAX_DEPTH, JsonBoundsError, decode, inspect, replace_surrogates

MAX_CAPTURE_BYTES = 64 * 1024 * 1024
#: object members in a whole capture file (a real capture has about 500; 3 million took 1.8 GB)
MAX_CAPTURE_MEMBERS = 400_000


def read_capture_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"capture file not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read capture file {path}: {exc.strerror or exc}") from None
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a capture file")
    if size > MAX_CAPTURE_BYTES:
        raise InputError(f"{path} is {size} bytes; a capture is at most {MAX_CAPTURE_BYTES} bytes")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        # PowerShell 5.1's Out-File / > writes UTF-16 LE with a BOM by default.
        raw = path.read_bytes()
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            # a lone UTF-16 surrogate becomes U+FFFD, as it does in the JSON text (json_bounds)
            return raw.decode("utf-16", errors="replace")
        raise InputError(f"{path} is not UTF-8 or UTF-16 text; is it a capture file?") from None
    except OSError as exc:
        raise InputError(f"cannot read capture file {path}: {exc.strerror or exc}") from None


def load_capture(path: Path) -> Capture:
    """Load and re-validate a capture file. Raises InputError when it is not a capture."""
    return parse_capture_text(read_capture_text(path), source=str(path))


def parse_capture_text(text: str, source: str = "capture") -> Capture:
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{source} is empty; expected a capture from `msdiag scan --save-capture`")
    if stripped.startswith("{") and '"msdiag_runner"' in stripped.splitlines()[0]:
        return _from_runner_lines(stripped.splitlines(), source)
    try:
        data = decode(replace_surrogates(stripped), max_chars=MAX_CAPTURE_BYTES, max_members=MAX_CAPTURE_MEMBERS)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "expected a capture from `msdiag scan --save-capture` or `msdiag export-script`"
        ) from None
    except JsonBoundsError as exc:
        raise InputError(f"{source} is refused unread: {exc} (see the bounds in docs/capture-format.md)") from None
    if not isinstance(data, dict) or data.get("format") != CAPTURE_FORMAT:
        raise InputError(
            f'{source} is JSON but not an msdiag capture (no "format": "{CAPTURE_FORMAT}"); '
            "expected a file from `msdiag scan --save-capture` or `msdiag export-script`"
        )
    return capture_from_dict(data, source)


def capture_from_dict(data: dict[str, Any], source: str = "capture") -> Capture:
    envelope, problem = inspect({k: v for k, v in data.items() if k != "checks"}, max_depth=MAX_DEPTH)
    if problem is not None:
        raise InputError(f"{source}: the capture envelope is refused: {problem}")
    checks_in = data.get("checks")
    if not isinstance(checks_in, dict):
        raise InputError(f"{source}: the capture has no checks object")
    warnings = list(envelope.get("warnings") or []) if isinstance(envelope.get("warnings"), list) else []
    present = {name: _check_from_entry(name, checks_in[name]) for name in CHECK_NAMES if name in checks_in}
    checks = check_results(
        present, selected=None, missing=CheckResult(status=CheckStatus.NOT_RUN, reason=NOT_IN_CAPTURE)
    )
    unknown = sorted(str(k)[:64] for k in checks_in if k not in CHECK_NAMES)
    if unknown:
        warnings.append(f"ignored unknown check(s) in the capture: {', '.join(unknown[:10])}")
    envelope["warnings"] = [str(w)[:4096] for w in warnings[:64]]
    try:
        return Capture.model_validate({**envelope, "checks": checks})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{source}: invalid capture envelope at {where}: {first['msg']}") from None


def _check_from_entry(name: str, entry: Any) -> CheckResult:
    entry, problem = inspect(entry, max_depth=MAX_DEPTH + 1)  # the entry: one level above its document
    if problem is None and isinstance(entry, dict) and isinstance(entry.get("document"), dict):
        size = len(json.dumps(entry["document"], ensure_ascii=False))
        if size > MAX_DOCUMENT_CHARS:
            problem = f"the document has {size:,} characters (at most {MAX_DOCUMENT_CHARS:,})"
    if problem is not None:  # no raw: it is what broke the bound
        return CheckResult(status=CheckStatus.ERROR, reason=f"refused: {problem}")
    if entry is None:
        return CheckResult(status=CheckStatus.NOT_RUN, reason=NOT_IN_CAPTURE)
    if not isinstance(entry, dict):
        return CheckResult(
            status=CheckStatus.ERROR, reason="capture entry is not an object", raw=str(entry)[:RAW_LIMIT]
        )
    status = entry.get("status")
    reason = entry.get("reason") if isinstance(entry.get("reason"), str) else None
    raw = entry.get("raw") if isinstance(entry.get("raw"), str) else None
    if status == CheckStatus.OK.value:
        if "document" not in entry:
            return CheckResult(status=CheckStatus.ERROR, reason="status ok but no document", raw=raw)
        return validate_document(entry["document"], expected_check=name)
    if status == CheckStatus.NOT_RUN.value:
        return CheckResult(status=CheckStatus.NOT_RUN, reason=(reason or "not run")[:4096])
    if status == CheckStatus.ERROR.value:
        return CheckResult(
            status=CheckStatus.ERROR,
            reason=(reason or "the check failed")[:4096],
            raw=None if raw is None else raw[:RAW_LIMIT],
        )
    return CheckResult(status=CheckStatus.ERROR, reason=f"unknown check status {str(status)[:40]!r}", raw=raw)


def _from_runner_lines(lines: list[str], source: str) -> Capture:
    """A file holding the runner's raw output lines (e.g. saved from a pasted remote session)."""
    output = parse_runner_output(lines, CHECK_NAMES)
    start = output.start or {}
    host = start.get("host") if isinstance(start.get("host"), str) else "unknown-host"
    utc = start.get("utc") if isinstance(start.get("utc"), str) else "unknown"
    return assemble_capture(
        msdiag_version=None,  # the runner's own version is not in its output
        host=str(host)[:255],
        mode="other",
        collected_utc=str(utc)[:64],
        powershell=PowerShellInfo(
            edition=start.get("ps_edition") if isinstance(start.get("ps_edition"), str) else None,
            version=start.get("ps_version") if isinstance(start.get("ps_version"), str) else None,
        ),
        host_status=HostStatus(
            state=HostState.OK if output.ended else HostState.SCRIPT_ERROR,
            detail=None if output.ended else "the runner output ends before its end line",
        ),
        # every check was asked for: the transcript does not say which were selected
        reported=output.results,
        selected=None,
        missing=CheckResult(status=CheckStatus.NOT_RUN, reason="not in this output"),
        warnings=[f"read from runner output in {source}"[:4096]],
    )


@dataclass(frozen=True)
class CaptureFile:
    """A saved capture or runner transcript as a :class:`~msdiag.collectors.interface.Collector`."""

    path: Path

    @property
    def description(self) -> str:
        return f"capture file {self.path}"

    def collect(self, checks: Sequence[str]) -> Capture:
        """The file's capture; checks outside ``checks`` are marked not selected."""
        selected = validate_check_names(checks)
        capture = load_capture(self.path)
        if len(selected) == len(CHECK_NAMES):
            return capture
        filled = check_results(
            capture.checks, selected=selected, missing=CheckResult(status=CheckStatus.NOT_RUN, reason=NOT_IN_CAPTURE)
        )
        return capture.model_copy(update={"checks": filled})


def save_capture(capture: Capture, path: Path, *, overwrite: bool = False) -> None:
    """Write a capture atomically (a crash never leaves half a file where a capture was), owner-only
    (0600, new folders 0700: msdiag.files). An existing file is replaced only with ``overwrite``;
    otherwise it is an InputError naming it (``--force`` replaces it)."""
    text = capture.model_dump_json(indent=1)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        private_folder(path.parent)
        if not overwrite and path.exists():
            raise FileExistsError(17, "File exists", str(path))
        write_private(tmp, text + "\n", "w")
        if overwrite:
            tmp.replace(path)
        else:
            _link_new(tmp, path)
    except FileExistsError:
        raise InputError(f"{path} already exists; choose another file name, or add --force to replace it") from None
    except OSError as exc:
        raise InputError(f"cannot write capture to {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _link_new(tmp: Path, path: Path) -> None:
    """Give the finished file its name only if the name is free (no race with another writer)."""
    try:
        os.link(tmp, path)  # atomic, and fails if ``path`` exists
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: the check above is the best there is
        if path.exists():
            raise FileExistsError(17, "File exists", str(path)) from None
        tmp.replace(path)
