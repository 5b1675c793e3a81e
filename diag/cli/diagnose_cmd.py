"""`msdiag diagnose CAPTURE.json`: diagnose a saved capture."""

from __future__ import annotations

from pathlib import Path

import click

from diag.cli.options import diagnosis_options, report_options
from diag.cli.reporting import check_error_inputs, report_and_exit_code
from diag.collectors.capture_file import load_capture


@click.command("diagnose")
@click.argument("capture_file", metavar="CAPTURE.json", type=click.Path(path_type=Path, dir_okay=False))
@diagnosis_options
@report_options
@click.pass_context
def diagnose_command(
    ctx: click.Context,
    capture_file: Path,
    errors: tuple[str, ...],
    phone: str | None,
    phone_region: str | None,
    show_phone: bool,
    formats: str,
    output: str | None,
    lang: str,
    redact: str,
    reports_dir: str,
) -> None:
    """Diagnose a saved capture: from `msdiag scan --save-capture`, `msdiag export-script`
    (run on a machine msdiag cannot reach), or another tool that ran the same scripts.

    \b
    Examples:
      msdiag diagnose pc01.json --error 0x800704cf
      msdiag diagnose pc01.json --phone "+81 90-1234-5678" --format html --lang ja
    """
    from diag.formats.output import parse_formats

    fmt_list = parse_formats(formats)
    check_error_inputs(errors)
    capture = load_capture(capture_file)
    ctx.exit(
        report_and_exit_code(
            capture,
            errors=errors,
            phone=phone,
            phone_region=phone_region,
            show_phone=show_phone,
            formats=fmt_list,
            output=output,
            lang=lang,
            redact=redact,
            reports_dir=reports_dir,
        )
    )


COMMANDS: list[click.Command] = [diagnose_command]
