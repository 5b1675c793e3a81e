"""The second half of `scan` and `diagnose`: diagnose a capture, write the reports, pick the exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import click

from msdiag.capture.models import Capture, CheckStatus, HostState
from msdiag.cli.options import ReportRequest
from msdiag.cli.output import capture_timestamp, emit, plan_routes, safe_host_for_filename, use_color
from msdiag.diagnosis.models import DiagnosisResult
from msdiag.errors import ExitCode
from msdiag.formats.catalog import HOST_FORMATS
from msdiag.formats.interface import ReportFormat
from msdiag.formats.labels import check_lang
from msdiag.formats.redact import Redaction, parse_redaction, redact
from msdiag.sanitize import one_line


def default_report_path(result: DiagnosisResult, fmt: ReportFormat[DiagnosisResult], reports_dir: Path) -> Path:
    host = safe_host_for_filename(result.capture.host)
    stamp = capture_timestamp(result.capture.collected_utc)
    return reports_dir / f"msdiag-{host}-{stamp}.{fmt.extension}"


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
) -> list[Path]:
    """Redact once, render each format and route it (msdiag/cli/output.py); returns the files written."""
    chosen = HOST_FORMATS.parse([f if isinstance(f, str) else f.name for f in formats])
    check_lang(lang)
    level = parse_redaction(redaction)
    routes = plan_routes(
        chosen,
        output=output,
        path_for=lambda fmt: default_report_path(result, fmt, reports_dir),
        reports_dir=reports_dir,
    )
    safe = redact(result, level, show_phone=show_phone)
    stdout_color = use_color(stdout) if color is None else color
    written = emit(safe, routes, lang=lang, stdout_color=stdout_color, out=stdout).written
    for path in written:
        stdout.write(f"report written: {path}\n")
    stdout.flush()
    return written


def report_and_exit_code(capture: Capture, request: ReportRequest) -> int:
    """Diagnose, write every requested format, and return the documented exit code."""
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
