"""The second half of `scan` and `diagnose`: diagnose a capture, write the reports, pick the exit code."""

from __future__ import annotations

import os
import shutil
import sys
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import click

from msdiag.capture.models import Capture, CheckStatus, HostState
from msdiag.cli.options import ReportRequest
from msdiag.cli.output import (
    capture_timestamp,
    emit,
    is_terminal,
    plan_routes,
    safe_host_for_filename,
    use_color,
)
from msdiag.diagnosis.models import DiagnosisResult
from msdiag.errors import ExitCode
from msdiag.formats.catalog import HOST_FORMATS
from msdiag.formats.interface import RenderOptions, ReportFormat
from msdiag.formats.labels import check_lang
from msdiag.formats.redact import Redaction, parse_redaction, redact
from msdiag.formats.table import DEFAULT_WIDTH
from msdiag.sanitize import one_line


def terminal_width(stream: TextIO) -> int:
    """Columns for the table: COLUMNS when set, else the real terminal's width when ``stream`` is
    a terminal, else 80 (a pipe or a file). The table keeps itself between its minimum and maximum."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if is_terminal(stream):
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


def default_report_path(result: DiagnosisResult, fmt: ReportFormat[DiagnosisResult], reports_dir: Path) -> Path:
    host = safe_host_for_filename(result.capture.host)
    stamp = capture_timestamp(result.capture.collected_utc)
    return reports_dir / f"msdiag-{host}-{stamp}.{fmt.extension}"


Opener = Callable[[str], bool]


def open_in_browser(paths: Sequence[Path], opener: Opener | None) -> None:
    """Open the HTML report of ``paths`` in the default browser (``--open``); say so when none can."""
    html = next((p for p in paths if p.suffix == ".html"), None)
    if html is None:
        click.echo("msdiag: --open: no HTML report was written", err=True)
        return
    opener = opener or webbrowser.open
    try:
        opened = opener(html.as_uri())
    except (webbrowser.Error, OSError):  # a broken browser setup: say where the report is
        opened = False
    if not opened:
        click.echo(f"msdiag: --open: no browser could be started; open {html.as_uri()}", err=True)


def write_reports(
    result: DiagnosisResult,
    formats: Sequence[str | ReportFormat[DiagnosisResult]],
    *,
    output: Path | None,
    lang: str,
    redaction: Redaction | str,
    show_phone: bool,
    reports_dir: Path = Path("reports"),
    stdout: TextIO,
    color: bool | None = None,
    width: int | None = None,
    show_all: bool = False,
    accounts: Sequence[str] = (),
    open_report: bool = False,
    opener: Opener | None = None,
) -> list[Path]:
    """Redact once, render each format and route it (msdiag/cli/output.py); returns the files
    written, whose absolute paths are printed. ``width``: the table's, from the terminal when None;
    ``accounts``: the scanning account(s), masked like the host's users; ``open_report``: open the
    HTML report in the default browser (``opener``: injected by tests, never a real browser)."""
    chosen = HOST_FORMATS.parse([f if isinstance(f, str) else f.name for f in formats])
    check_lang(lang)
    level = parse_redaction(redaction)
    routes = plan_routes(
        chosen,
        output=output,
        path_for=lambda fmt: default_report_path(result, fmt, reports_dir),
        reports_dir=reports_dir,
    )
    safe = redact(result, level, show_phone=show_phone, accounts=accounts)
    options = RenderOptions(
        lang=lang,
        color=use_color(stdout) if color is None else color,
        width=width if width is not None else terminal_width(stdout),
        show_all=show_all,
    )
    written = emit(safe, routes, options, out=stdout).written
    for path in written:
        stdout.write(f"report written: {path}\n")
    stdout.flush()
    if open_report:
        open_in_browser(written, opener)
    return written


def report_and_exit_code(capture: Capture, request: ReportRequest, *, accounts: Sequence[str] = ()) -> int:
    """Diagnose, write every requested format, and return the documented exit code.

    ``accounts``: the account msdiag scanned with (``scan --username``), masked in every report."""
    from msdiag.diagnosis.engine import diagnose
    from msdiag.diagnosis.models import Status

    formats = request.host_formats()
    result = diagnose(capture, errors=request.errors, phone=request.phone, phone_region=request.phone_region)
    write_reports(
        result,
        formats,
        output=request.output,
        lang=request.lang,
        redaction=Redaction(request.redact),
        show_phone=request.show_phone,
        reports_dir=request.reports_dir,
        stdout=sys.stdout,
        show_all=request.show_all,
        accounts=accounts,
        open_report=request.open_report,
    )
    status = capture.host_status
    # the host's own words reach stderr: cleaned of escapes and controls (msdiag.sanitize)
    detail = one_line(status.detail) if status.detail else ""
    collected = [n for n, r in capture.checks.items() if r.status is CheckStatus.OK]
    if not collected:
        click.echo(
            f"msdiag: no check produced data ({status.state.value}{': ' + detail if detail else ''}).",
            err=True,
        )
        if status.hint:
            click.echo(f"msdiag: what to try: {one_line(status.hint)}", err=True)
        return int(ExitCode.COLLECTION_FAILED)
    if status.state is not HostState.OK:
        click.echo(f"msdiag: warning: host status {status.state.value}: {detail}", err=True)
    if any(f.status is Status.FAIL for f in result.findings) or (
        result.phone is not None and any(f.status is Status.FAIL for f in result.phone.findings)
    ):
        return int(ExitCode.FINDINGS_FAILED)
    if status.state is not HostState.OK:  # cut short: what did not run is not a pass (README, exit codes)
        click.echo("msdiag: the scan did not finish, so its verdict covers only part of the checks (exit 3).", err=True)
        return int(ExitCode.COLLECTION_FAILED)
    return int(ExitCode.OK)
