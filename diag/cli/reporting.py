"""The second half of `scan` and `diagnose`: diagnose a capture, write the reports, pick the exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from diag.capture.models import Capture, CheckStatus, HostState
from diag.errors import ExitCode


def check_error_inputs(errors: Sequence[str]) -> None:
    """Reject an unparseable --error before a scan that may take a minute."""
    from diag.knowledge.kb import KnowledgeBase

    kb = KnowledgeBase.default()
    for code in errors:
        kb.lookup(code)  # raises InputError with a clear message


def report_and_exit_code(
    capture: Capture,
    *,
    errors: Sequence[str],
    phone: str | None,
    phone_region: str | None,
    show_phone: bool,
    formats: Sequence[str],
    output: str | None,
    lang: str,
    redact: str,
    reports_dir: str,
) -> int:
    """Diagnose, write every requested format, and return the documented exit code."""
    from diag.diagnosis.engine import diagnose
    from diag.diagnosis.models import Status
    from diag.formats.output import write_outputs
    from diag.formats.redact import Redaction

    result = diagnose(capture, errors=errors, phone=phone, phone_region=phone_region)
    write_outputs(
        result,
        list(formats),
        output=Path(output) if output else None,
        lang=lang,
        redaction=Redaction(redact),
        show_phone=show_phone,
        reports_dir=Path(reports_dir),
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
