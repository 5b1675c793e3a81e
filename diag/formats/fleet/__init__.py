"""Fleet report formats: table, JSON, CSV, HTML; where each goes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from diag.errors import InputError
from diag.fleet.report import FleetReport
from diag.formats.fleet.csv_ import render_csv
from diag.formats.fleet.host_reports import write_host_reports
from diag.formats.fleet.html import render_fleet_html
from diag.formats.fleet.text import render_json, render_table

FLEET_FORMATS = ("table", "json", "html", "csv")
_SUFFIX = {"table": ".txt", "json": ".json", "html": ".html", "csv": ".csv"}


def parse_fleet_formats(value: str | Sequence[str]) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    names = [p.strip().lower() for p in parts if p.strip()]
    unknown = [n for n in names if n not in FLEET_FORMATS]
    if unknown or not names:
        raise InputError(
            f"unknown fleet report format(s): {', '.join(unknown) or '(none)'}; "
            f"use {', '.join(FLEET_FORMATS)}"
        )
    return tuple(dict.fromkeys(names))


def render(report: FleetReport, fmt: str, lang: str) -> str:
    if fmt == "table":
        return render_table(report, lang)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    return render_fleet_html(report, lang)


def write_fleet_outputs(
    report: FleetReport,
    formats: Sequence[str],
    *,
    lang: str,
    reports_dir: Path,
    stem: str,
    output: Path | None = None,
    results: Path | None = None,
    redaction: str = "standard",
) -> tuple[str | None, list[Path]]:
    """Render each format; returns (text for stdout, files written).

    ``output`` takes exactly one format. Without it a lone table or JSON goes to stdout and
    everything else to ``reports_dir/<stem>.<ext>``; an existing file is never overwritten.
    With ``results`` (the results file the report was built from), the HTML links each host that
    needs attention to its single-host report, written to ``<stem>-hosts/`` beside it."""
    if output is not None and len(formats) != 1:
        raise InputError("--output takes one format; leave it out to write several into reports/")
    stdout: str | None = None
    written: list[Path] = []
    host_reports: list[Path] = []
    if "html" in formats and results is not None:
        html_path = output if output is not None else reports_dir / f"{stem}.html"
        host_reports = write_host_reports(
            report, results, html_path.parent / f"{html_path.stem}-hosts", redaction=redaction, lang=lang
        )
    for fmt in formats:
        text = render(report, fmt, lang)
        if output is None and (fmt == "table" or (fmt == "json" and len(formats) == 1)):
            stdout = (stdout or "") + text
            continue
        path = output if output is not None else reports_dir / f"{stem}{_SUFFIX[fmt]}"
        _write_new(path, text)
        written.append(path)
    return stdout, written + host_reports


def _write_new(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise InputError(f"{path} already exists; choose another --output or move it away") from None
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
