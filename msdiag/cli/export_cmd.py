"""`msdiag export-script`: one standalone .ps1 that runs every check and prints a capture.

For machines msdiag cannot reach (Intune remediations, ConfigMgr, an RMM tool, a pasted remote
session): the script's output is read back with `msdiag diagnose FILE` like any other capture.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.runner_script import build_runner
from msdiag.engines.engine_script import OUTPUT_LIMITS, TARGETS, build_engine_script
from msdiag.errors import InputError


def _write_new(path: Path, text: str, *, force: bool) -> None:
    data = text.encode("utf-8")
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name such as {path / 'msdiag-collect.ps1'}")
    if path.exists() and not force:
        raise InputError(f"{path} already exists; use --force to overwrite it")
    # "x" refuses to replace a file that appeared after the check above (unless --force).
    mode = "wb" if force else "xb"
    try:
        with path.open(mode) as fh:
            fh.write(data)
    except FileExistsError as exc:
        raise InputError(f"{path} already exists; use --force to overwrite it") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"cannot write {path}: {reason}. Choose another --output path.") from exc


@click.command("export-script")
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (for example msdiag-collect.ps1). Default: print the script to stdout.",
)
@click.option("--force", is_flag=True, help="Overwrite --output if it already exists.")
@click.option(
    "--for",
    "target",
    type=click.Choice(TARGETS),
    default=None,
    help="An engine that keeps little output: intune (a detection script; Intune keeps 2,048 "
    "characters) or configmgr (Run Scripts keeps 4 KB). The script prints one compact line "
    "(docs/compact-format.md) instead of a capture. Default: the full capture, for RMM tools.",
)
def export_script_command(output: Path | None, force: bool, target: str | None) -> None:
    """Write one standalone PowerShell script that runs every check and prints a capture.

    \b
    Run it on the Windows machine (from cmd.exe, or as an RMM script):
      powershell.exe -NoProfile -ExecutionPolicy Bypass -File msdiag-collect.ps1 > capture.json
    then, wherever msdiag is installed:
      msdiag diagnose capture.json

    \b
    With --for intune (a Remediations detection script: exit 1 when a known
    fault is found) or --for configmgr (Run Scripts, output truncated to 4 KB:
    "Avoid returning large script output since it's truncated to 4 KB",
    https://learn.microsoft.com/intune/configmgr/apps/deploy-use/create-deploy-scripts)
    it prints one compact line of at most 1,500 characters, with no personal data.

    The script only reads; it changes nothing on the machine.
    """
    if target is None:
        text = build_runner(CHECK_NAMES, mode="capture")
    else:
        text = build_engine_script(target)  # type: ignore[arg-type]
    # Windows line endings: the file is meant for Notepad, Intune and powershell.exe.
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if output is None:
        click.echo(text, nl=False)
        return
    _write_new(Path(os.path.expanduser(str(output))), text, force=force)
    if target is not None:
        click.echo(
            f"wrote {output} ({len(CHECK_NAMES)} checks, for {target}: one compact line, at most 1,500 of the "
            f"{OUTPUT_LIMITS[target]:,} characters {target} keeps). Read the results with: msdiag ingest",
            err=True,
        )
        return
    click.echo(
        f"wrote {output} ({len(CHECK_NAMES)} checks). Run it on the Windows machine, then: "
        f"msdiag diagnose <its output file>",
        err=True,
    )


COMMANDS: list[click.Command] = [export_script_command]
