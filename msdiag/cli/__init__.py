"""The msdiag command line: a thin layer that wires collectors, diagnosis and report formats."""

from __future__ import annotations

import os
import sys
import traceback

import click

from msdiag import __version__
from msdiag.errors import ExitCode, MsdiagError
from msdiag.sanitize import clean_text

EXIT_CODES_HELP = """\b
Exit codes:
  0  nothing failed
  1  at least one finding failed
  2  usage or input error
  3  collection failed (no PowerShell, or no check produced data)
  4  fleet scan: some hosts could not be scanned
  70 internal error (a bug in msdiag; set MSDIAG_DEBUG=1 for the traceback)
"""


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="msdiag")
def cli() -> None:
    """Find out why a Microsoft account will not take a phone number, sends codes to an old
    number, or refuses to sign in, by checking the Windows machine (locally or over PowerShell
    remoting), matching error codes against a knowledge base, and writing a report for the ticket.

    \b
    Start with:
      msdiag demo                      try it against built-in lab hosts (no Windows needed)
      msdiag scan --error 0x800704cf   scan this Windows machine
      msdiag scan --host PC01          scan a user's PC over WinRM
      msdiag codes 0x8019019a          what an error code means
      msdiag phone "+81 090-1234-5678" check a phone number
    """


def _register() -> None:
    # Imported here so each command lives in its own module (one job each).
    from msdiag.cli import (
        checks_cmd,
        codes_cmd,
        diagnose_cmd,
        export_cmd,
        fleet_cmd,
        ingest_cmd,
        intune_cmd,
        lab_cmd,
        phone_cmd,
        rules_cmd,
        scan_cmd,
    )

    for module in (checks_cmd, scan_cmd, diagnose_cmd, codes_cmd, rules_cmd, phone_cmd, export_cmd, lab_cmd, fleet_cmd, ingest_cmd, intune_cmd):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every failure becomes a message and an exit code, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="msdiag", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("msdiag: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code)
    except MsdiagError as exc:
        # messages quote files and hosts: cleaned, so a hostile value cannot drive the terminal
        click.echo(f"msdiag: {clean_text(exc.message, newlines='keep')}", err=True)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        click.echo("msdiag: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(int(ExitCode.OK))
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if os.environ.get("MSDIAG_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"msdiag: internal error: {type(exc).__name__}: {clean_text(str(exc))}. This is a bug in msdiag; "
            "run again with MSDIAG_DEBUG=1 to see the traceback and report it.",
            err=True,
        )
        sys.exit(70)
    sys.exit(int(code) if isinstance(code, int) else 0)
