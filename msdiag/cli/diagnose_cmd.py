"""`msdiag diagnose CAPTURE.json`: diagnose a saved capture."""

from __future__ import annotations

from pathlib import Path

import click

from msdiag.cli.options import ReportRequest, report_request_options
from msdiag.cli.reporting import report_and_exit_code
from msdiag.collectors.capture_file import load_capture


@click.command("diagnose")
@click.argument("capture_file", metavar="CAPTURE.json", type=click.Path(path_type=Path, dir_okay=False))
@report_request_options()
@click.pass_context
def diagnose_command(ctx: click.Context, capture_file: Path, request: ReportRequest) -> None:
    """Diagnose a saved capture: from `msdiag scan --save-capture`, `msdiag export-script`
    (run on a machine msdiag cannot reach), or another tool that ran the same scripts.

    \b
    Examples:
      msdiag diagnose pc01.json --error 0x800704cf
      msdiag diagnose pc01.json --phone "+81 90-1234-5678" --format html --lang ja
    """
    ctx.exit(report_and_exit_code(load_capture(capture_file), request))


COMMANDS: list[click.Command] = [diagnose_command]
