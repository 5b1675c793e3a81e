"""Where each report goes (issue 4's routing rules), after redaction.

- ``--output PATH``: exactly one format, written there. An existing file is never overwritten: that is
  an input error naming the file (the user picked the name, so msdiag does not pick another).
- no ``--output``, one format: ``table`` and ``json`` print to stdout (so they pipe); ``html`` is written
  to ``reports/msdiag-<host>-<UTC capture time>.html`` and its path printed.
- several formats: the table (if asked for) prints to stdout, the others go to ``reports/``.
- Files in ``reports/`` are never overwritten either: when the name is taken, ``-2``, ``-3`` ... is
  appended (two scans of one host in the same second both keep their report).
- ``reports/`` is created when missing; a path that cannot be written is an input error, no traceback.
- Colour only on a terminal with NO_COLOR unset; files never get colour.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from diag.diagnosis.models import DiagnosisResult
from diag.errors import InputError
from diag.formats.html import render_html
from diag.formats.json_format import render_json
from diag.formats.labels import check_lang
from diag.formats.redact import Redaction, parse_redaction, redact
from diag.formats.table import render_table

FORMATS = ("table", "json", "html")
EXTENSIONS = {"table": "txt", "json": "json", "html": "html"}
MAX_HOST_IN_FILENAME = 63
MAX_NAME_ATTEMPTS = 1000


def parse_formats(value: str) -> list[str]:
    """``table``, ``json``, ``html`` or a comma-separated mix; duplicates dropped, order kept."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not names:
        raise InputError(f"no report format given: use one or more of {', '.join(FORMATS)} (comma-separated)")
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise InputError(
            f"unknown report format(s): {', '.join(repr(n) for n in unknown)}; use {', '.join(FORMATS)} "
            "(several at once: --format table,json,html)"
        )
    return list(dict.fromkeys(names))


def safe_host_for_filename(host: str) -> str:
    """A host name reduced to characters safe in a file name on Windows and Linux."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", host).strip("._-")
    return cleaned[:MAX_HOST_IN_FILENAME] or "host"


def capture_timestamp(collected_utc: str) -> str:
    """The capture's time as 20261125T010203Z (UTC); unparsable input falls back to its digits."""
    text = collected_utc.strip()
    match = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$", text)
    if match:
        try:
            moment = datetime.fromisoformat(match.group(1) + (match.group(2) or "Z").replace("Z", "+00:00"))
            return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        except ValueError:
            pass
    digits = re.sub(r"\D", "", text)[:14]
    return digits or "unknown-time"


def default_report_path(result: DiagnosisResult, fmt: str, reports_dir: Path) -> Path:
    host = safe_host_for_filename(result.capture.host)
    stamp = capture_timestamp(result.capture.collected_utc)
    return reports_dir / f"msdiag-{host}-{stamp}.{EXTENSIONS[fmt]}"


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False


def render(result: DiagnosisResult, fmt: str, *, lang: str, color: bool) -> str:
    if fmt == "table":
        return render_table(result, lang=lang, color=color)
    if fmt == "json":
        return render_json(result)
    if fmt == "html":
        return render_html(result, lang=lang)
    raise InputError(f"unknown report format {fmt!r}")


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; fails with FileExistsError rather than overwrite."""
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _write_report(path: Path, text: str, *, exact: bool) -> Path:
    """Write to ``path`` (exact: refuse an existing file) or the first free ``-N`` variant of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the report folder {path.parent}: {exc.strerror or exc}") from None
    candidates = (
        [path]
        if exact
        else [path] + [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(2, MAX_NAME_ATTEMPTS)]
    )
    for candidate in candidates:
        try:
            _write_new(candidate, text)
            return candidate
        except FileExistsError:
            continue
        except IsADirectoryError:
            raise InputError(f"cannot write the report to {candidate}: it is a directory") from None
        except OSError as exc:
            raise InputError(f"cannot write the report to {candidate}: {exc.strerror or exc}") from None
    if exact:
        raise InputError(
            f"{path} already exists; msdiag does not overwrite reports: remove it or choose another --output"
        )
    raise InputError(f"too many reports named like {path} already exist in {path.parent}")


def write_outputs(
    result: DiagnosisResult,
    formats: list[str],
    *,
    output: Path | None,
    lang: str,
    redaction: Redaction | str,
    show_phone: bool,
    reports_dir: Path = Path("reports"),
    stdout: TextIO,
    color: bool | None = None,
) -> list[Path]:
    """Redact once, render each format and route it; returns the files written."""
    formats = parse_formats(",".join(formats))
    check_lang(lang)
    level = parse_redaction(redaction)
    if output is not None and len(formats) != 1:
        raise InputError(
            f"--output takes exactly one format, but {len(formats)} were asked for "
            f"({', '.join(formats)}); drop --output to write them to {reports_dir}/"
        )
    safe = redact(result, level, show_phone=show_phone)
    stdout_color = use_color(stdout) if color is None else color
    written: list[Path] = []

    if output is not None:
        fmt = formats[0]
        written.append(_write_report(output, render(safe, fmt, lang=lang, color=False), exact=True))
    elif len(formats) == 1 and formats[0] in ("table", "json"):
        stdout.write(render(safe, formats[0], lang=lang, color=stdout_color))
    else:
        for fmt in formats:
            if fmt == "table":
                stdout.write(render(safe, fmt, lang=lang, color=stdout_color))
                continue
            path = default_report_path(safe, fmt, reports_dir)
            written.append(_write_report(path, render(safe, fmt, lang=lang, color=False), exact=False))
    for path in written:
        stdout.write(f"report written: {path}\n")
    stdout.flush()
    return written
