"""`msdiag --version`, `--help`, `codes` and `phone` answer without loading the lab, pypsrp,
psrpcore, spnego or jinja2 (they cost about a second of CPU before the first line appeared).

Observed with `python -X importtime` in a subprocess: it names every module the process imports.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

import click
import pytest

HEAVY = ("msdiag.lab", "pypsrp", "psrpcore", "spnego", "jinja2")


def imported_by(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "msdiag", *args],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return {m.group(1) for m in re.finditer(r"^import time:.*\|\s+(\S+)$", proc.stderr, re.MULTILINE)}


@pytest.mark.parametrize(
    "args",
    [("--version",), ("--help",), ("codes", "0x800704cf"), ("phone", "+81 90-1234-5678")],
    ids=["version", "help", "codes", "phone"],
)
def test_quick_commands_load_no_remoting_lab_or_templates(args: tuple[str, ...]) -> None:
    modules = imported_by(*args)
    assert "msdiag.cli" in modules  # the observation works
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)) == []


def test_the_command_list_is_the_commands_own() -> None:
    from msdiag.cli import COMMAND_MODULES

    registered: dict[str, click.Command] = {}
    for module in sorted({lazy.module for lazy in COMMAND_MODULES.values()}):
        for command in importlib.import_module(module).COMMANDS:
            registered[str(command.name)] = command
    assert sorted(registered) == sorted(COMMAND_MODULES)  # a new command is listed, none is stale
    for name, lazy in COMMAND_MODULES.items():
        command = registered[name]
        listed = click.Command(name, help=lazy.help, short_help=lazy.help if lazy.short else None)
        for limit in (45, 80, 200):
            assert listed.get_short_help_str(limit) == command.get_short_help_str(limit), name


def test_every_listed_command_runs_its_help() -> None:
    from msdiag.cli import COMMAND_MODULES, cli

    for name in COMMAND_MODULES:
        proc = subprocess.run(
            [sys.executable, "-m", "msdiag", name, "--help"], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0 and "Usage: msdiag" in proc.stdout, (name, proc.stderr)
    assert cli.get_command(click.Context(cli), "no-such-command") is None
