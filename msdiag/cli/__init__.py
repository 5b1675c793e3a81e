"""The msdiag command line: a thin layer that wires collectors, diagnosis and report formats."""

from __future__ import annotations

import importlib
import io
import os
import sys
import traceback
from typing import Any, NamedTuple, NoReturn, TextIO

import click

from msdiag import __version__
from msdiag.errors import ExitCode, MsdiagError
from msdiag.sanitize import clean_text

EXIT_CODES_HELP = """\b
Exit codes:
  0  nothing failed
  1  at least one finding failed
  2  usage or input error (also: a file msdiag cannot read or write)
  3  collection failed (no PowerShell, or no check produced data) or was cut short
  4  fleet scan: some hosts could not be scanned or were not attempted
  70 internal error (a bug in msdiag; set MSDIAG_DEBUG=1 for the traceback)
A closed stdout (msdiag ... | head) keeps the command's exit code.
"""


class LazyCommand(NamedTuple):
    """Where a command lives and what `msdiag --help` says about it before it is imported."""

    module: str
    help: str  # the first paragraph of its help (or its short_help, with ``short``)
    short: bool = False


#: every command: its module (imported only when the command runs or its help is asked for) and
#: its short help for `msdiag --help` (tests/cli/test_hardening_startup.py keeps each equal to the
#: command's own). `msdiag --version` and `--help` so import no command, no lab, no pypsrp.
COMMAND_MODULES: dict[str, LazyCommand] = {
    "checks": LazyCommand(
        "msdiag.cli.checks_cmd",
        "List the bundled checks: what each collects, its script, and where it runs.",
    ),
    "scan": LazyCommand(
        "msdiag.cli.scan_cmd",
        "Run the checks and diagnose what they find.",
    ),
    "diagnose": LazyCommand(
        "msdiag.cli.diagnose_cmd",
        "Diagnose a saved capture: from `msdiag scan --save-capture`, `msdiag export-script` (run on a machine msdiag cannot reach), or another tool that ran the same scripts.",
    ),
    "codes": LazyCommand(
        "msdiag.cli.codes_cmd",
        "Explain an error code or message, or list them all.",
        short=True,
    ),
    "rules": LazyCommand(
        "msdiag.cli.rules_cmd",
        "List the diagnosis rules, or explain one.",
        short=True,
    ),
    "phone": LazyCommand(
        "msdiag.cli.phone_cmd",
        "Check a phone number: valid?, E.164 form, type (mobile / landline / VoIP), a trunk 0 typed after the country code, and the safe order to change the number on the account.",
    ),
    "export-script": LazyCommand(
        "msdiag.cli.export_cmd",
        "Write one standalone PowerShell script that runs every check and prints a capture.",
    ),
    "lab": LazyCommand(
        "msdiag.cli.lab_cmd",
        "Simulated Windows hosts on 127.0.0.1 for trying msdiag without Windows (see docs/lab.md).",
    ),
    "ingest": LazyCommand(
        "msdiag.cli.ingest_cmd",
        "Turn what Intune, ConfigMgr or Ansible returned into a fleet results file for `msdiag report`.",
    ),
    "intune": LazyCommand(
        "msdiag.cli.intune_cmd",
        "Intune Remediations: pull the results of msdiag's detection script from Microsoft Graph.",
    ),
    "report": LazyCommand(
        "msdiag.cli.fleet_cmd",
        "Fleet report from the results files of `msdiag scan --inventory`: every host by name with its status, hosts grouped by the same failing findings with the fix to do first, a hosts x findings matrix.",
    ),
    "demo": LazyCommand(
        "msdiag.cli.fleet_cmd",
        "Try msdiag with no Windows machine: scan the built-in lab hosts over real WinRM.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when used (click's lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(COMMAND_MODULES[cmd_name].module)
            for command in module.COMMANDS:
                self.add_command(command)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from COMMAND_MODULES, so that --help imports no command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            # not loaded: the same shortening click applies, to the text in COMMAND_MODULES
            lazy = COMMAND_MODULES[name]
            shown = loaded or click.Command(
                name, help=lazy.help, short_help=lazy.help if lazy.short else None
            )
            text = shown.get_short_help_str(limit)
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
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


class _StdoutPipe(io.RawIOBase):
    """stdout's file descriptor, but a reader that went away (``msdiag scan | head -2``) is not an
    error: the rest of the output is dropped and the command ends with its own exit code."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.reader_gone = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data: Any) -> int:
        size = len(memoryview(data).cast("B"))
        if not self.reader_gone:
            try:
                return os.write(self.fd, data)
            except BrokenPipeError:
                self.reader_gone = True
        return size


def _tolerate_closed_stdout() -> TextIO | None:
    """Put sys.stdout on a :class:`_StdoutPipe`; returns the stream it replaced (None: left alone)."""
    original = sys.stdout
    try:
        fd = original.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        return None
    original.flush()
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_StdoutPipe(fd)),
        encoding=original.encoding,
        errors=original.errors,
        line_buffering=bool(getattr(original, "line_buffering", False)),
    )
    return original


def _exit_for_os_error(exc: OSError) -> NoReturn:
    """A file msdiag had to read or write could not be (disk full, read-only, no permission):
    the user's to fix, not a bug (exit 2)."""
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or type(exc).__name__
    click.echo(f"msdiag: cannot use{clean_text(str(where))}: {reason}", err=True)
    sys.exit(int(ExitCode.USAGE))


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every failure becomes a message and an exit code, never a traceback."""
    replaced = _tolerate_closed_stdout()
    try:
        _run(argv)
    finally:
        if replaced is not None:
            try:
                sys.stdout.flush()
            finally:
                sys.stdout = replaced


def _run(argv: list[str] | None) -> None:
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
    except BrokenPipeError:  # stderr's reader went away: nobody is left to tell
        sys.exit(int(ExitCode.OK))
    except OSError as exc:  # last resort: every writer maps its own errors with more context
        _exit_for_os_error(exc)
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
