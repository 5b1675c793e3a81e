"""`msdiag checks`: what each bundled check collects and where it runs."""

from __future__ import annotations

import json

import click
from tabulate import tabulate

from msdiag.checks import CHECKS, scripts_dir


@click.command("checks")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def checks_command(fmt: str) -> None:
    """List the bundled checks: what each collects, its script, and where it runs.

    Every check only reads: none changes anything on the machine it inspects.
    """
    folder = scripts_dir()
    rows = []
    for check in CHECKS:
        present = (folder / check.script).is_file()
        rows.append(
            {
                "name": check.name,
                "script": check.script,
                "collects": check.summary,
                "runs_on": check.runs_on,
                "bundled": present,
            }
        )
    if fmt == "json":
        click.echo(json.dumps({"scripts_dir": str(folder), "checks": rows}, indent=2, ensure_ascii=False))
        return
    table = [[r["name"], r["collects"], r["runs_on"]] for r in rows]
    click.echo(
        tabulate(
            table, headers=["check", "collects", "runs on"], tablefmt="simple", maxcolwidths=[10, 58, 28]
        )
    )
    missing = [c.script for c in CHECKS if not (folder / c.script).is_file()]
    click.echo(f"\nScripts: {folder}")
    if missing:
        raise click.ClickException(f"bundled scripts missing from this installation: {', '.join(missing)}")


COMMANDS: list[click.Command] = [checks_command]
