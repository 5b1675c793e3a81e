"""The second half of `scan` and `diagnose`: diagnose a capture, write the reports, pick the exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from diag.capture.models import Capture, CheckStatus, HostState
from diag.cli.options import ReportRequest
from diag.errors import ExitCode


def check_error_inputs(errors: Sequence[str]) -> None:
    """Reject an unparseable --error before a scan that may take a minute."""
    from diag.knowledge.kb import KnowledgeBase

    kb = KnowledgeBase.default()
    for code in errors:
        kb.lookup(code)  # raises InputError with a clear message


def report_and_exit_code(capture: Capture, request: ReportRequest) -> int:
    """Diagnose, write every requested format, and return the documented exit code."""
    from diag.diagnosis.engine import diagnose
    from diag.diagnosis.models import Status
    from diag.formats.output import write_outputs
    from diag.formats.redact import Redaction

    result = diagnose(capture, errors=request.errors, phone=request.phone, phone_region=request.phone_region)
    write_outputs(
        result,
        request.formats,
        output=request.output,
        lang=request.lang,
        redaction=Redaction(request.redact),
        show_phone=request.show_phone,
        reports_dir=request.reports_dir,
        stdout=sys.stdout,
    )
    collected = [n for n, r in capture.checks.items() if r.status is CheckStatus.OK]
    if not collected:
        status = capture.host_status
        click.echo(
            f"msdiag: no check produced data ({status.state.value}"
            f"{': ' + status.detail if status.detail else ''}).",
            err=True,
        )
        if status.hint:
            click.echo(f"msdiag: what to try: {status.hint}", err=True)
        return int(ExitCode.COLLECTION_FAILED)
    if capture.host_status.state is not HostState.OK:
        click.echo(
            f"msdiag: warning: host status {capture.host_status.state.value}: {capture.host_status.detail}",
            err=True,
        )
    if any(f.status is Status.FAIL for f in result.findings) or (
        result.phone is not None and any(f.status is Status.FAIL for f in result.phone.findings)
    ):
        return int(ExitCode.FINDINGS_FAILED)
    return int(ExitCode.OK)
