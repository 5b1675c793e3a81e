"""`msdiag ingest FILE...`: what Intune, ConfigMgr or Ansible returned, as a fleet results file."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from msdiag.cli.output import ensure_folder
from msdiag.errors import ExitCode, InputError
from msdiag.ingest.pipeline import IngestSummary

PROBLEMS_SHOWN = 20


def default_results(reports_dir: Path, what: str = "ingest") -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return reports_dir / f"msdiag-{what}-{stamp}.jsonl"


def parse_column_map(values: tuple[str, ...]) -> dict[str, str]:
    """``FIELD=HEADER`` pairs (FIELD: device, device_id, output, error, status, time)."""
    from msdiag.ingest.readers.tables import INTUNE_COLUMNS

    names: dict[str, str] = {}
    for value in values:
        field, sep, header = value.partition("=")
        field = field.strip().lower().replace("-", "_")
        if not sep or not header.strip() or field not in INTUNE_COLUMNS:
            raise InputError(
                f"--column-map {value!r}: write FIELD=HEADER with FIELD one of {', '.join(INTUNE_COLUMNS)}, "
                'e.g. --column-map "output=Pre-remediation detection output"'
            )
        names[field] = header.strip()
    return names


def say_summary(summary: IngestSummary) -> None:
    """What went into the results file, on stderr: counts, then every problem (the first here)."""
    states = ", ".join(f"{n} {state}" for state, n in summary.by_state.most_common())
    click.echo(f"read {summary.rows} rows from {len(summary.files)} input(s): {summary.devices} devices ({states})", err=True)
    if summary.superseded:
        click.echo(f"  {summary.superseded} older results of a device replaced by its newest", err=True)
    if summary.pending:
        click.echo(f"  {summary.pending} devices have no result yet (pending, not applicable): not in the results", err=True)
    if summary.bad_rows:
        click.echo(f"  {summary.bad_rows} rows about no device: not in the results (listed below)", err=True)
    if summary.bad_outputs:
        click.echo(f"  {summary.bad_outputs} devices returned output that cannot be read: bad_output in the results", err=True)
    for problem in summary.problems[:PROBLEMS_SHOWN]:
        click.echo(f"  note: {problem}", err=True)
    rest = len(summary.problems) - PROBLEMS_SHOWN + summary.problems_uncounted
    if rest > 0:
        click.echo(f"  ... and {rest} more problems, all in {problems_path(summary)}", err=True)
    click.echo(f"wrote {summary.results}; next: msdiag report {summary.results}", err=True)


def problems_path(summary: IngestSummary) -> Path:
    assert summary.results is not None
    return summary.results.with_name(summary.results.name + ".problems.txt")


def write_problems(summary: IngestSummary) -> None:
    """Every problem, one a line, beside the results (owner-only: device names are host data)."""
    import os

    if len(summary.problems) <= PROBLEMS_SHOWN:
        return
    path = problems_path(summary)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(f"{line}\n" for line in summary.problems)
        if summary.problems_uncounted:
            handle.write(f"... and {summary.problems_uncounted} more, not listed\n")


def finish(summary: IngestSummary) -> int:
    write_problems(summary)
    say_summary(summary)
    return int(ExitCode.USAGE if summary.failed_files else ExitCode.OK)


SOURCES_HELP = (
    "Input form (default: recognised from each file): intune-graph, intune-csv, configmgr-csv, "
    "configmgr-json, capture-file (a file or a folder of captures), ansible-json, ansible-jsonl."
)


@click.command("ingest")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--results", type=click.Path(path_type=Path, dir_okay=False),
              help="Results file to write (default: reports/msdiag-ingest-<time>.jsonl).")
@click.option("--source", "kind", default="auto", show_default=True, help=SOURCES_HELP,
              type=click.Choice(["auto", "intune-graph", "intune-csv", "configmgr-csv", "configmgr-json",
                                 "capture-file", "ansible-json", "ansible-jsonl"]))
@click.option("--column-map", "column_map", multiple=True, metavar="FIELD=HEADER",
              help="Read FIELD (device, device_id, output, error, status, time) from the column HEADER "
                   "of a CSV or JSON table whose headers differ from the defaults (docs/scale.md).")
@click.option("--reports-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"))
@click.option("--force", is_flag=True, help="Replace --results if it exists.")
def ingest_cmd(inputs: tuple[Path, ...], results: Path | None, kind: str, column_map: tuple[str, ...],
               reports_dir: Path, force: bool) -> int:
    """Turn what Intune, ConfigMgr or Ansible returned into a fleet results file for `msdiag report`.

    \b
    Reads Graph deviceRunStates pages, the Intune admin center's CSV export (or its .zip),
    ConfigMgr Run Scripts results (CSV, JSON), folders of captures and Ansible's JSON callbacks.
    One record per device: its newest result. Output that cannot be read (cut off, displaced)
    is that device's bad_output with the reason; every row that is about no device is listed
    with its file and row.

    Exit code 2 when an input could not be read to its end (what was read is still written).
    """
    from msdiag.ingest.pipeline import ingest_files
    from msdiag.ingest.readers.base import ColumnMap

    columns = ColumnMap(parse_column_map(column_map))
    if results is None:
        ensure_folder(reports_dir)
        results = default_results(reports_dir)
    summary = ingest_files(list(dict.fromkeys(inputs)), results, kind=kind, columns=columns, force=force)
    return finish(summary)


COMMANDS: list[click.Command] = [ingest_cmd]
