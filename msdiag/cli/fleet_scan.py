"""`msdiag scan` for a fleet: the command's half (tell the user, create the results folder, write
the fleet report) around the scan itself (msdiag.fleet.scan, which prints and creates nothing)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from msdiag.cli.fleet_output import write_fleet_outputs
from msdiag.cli.output import ensure_folder
from msdiag.errors import ExitCode, MsdiagError
from msdiag.fleet.progress import FleetProgress
from msdiag.fleet.report import build_fleet_report
from msdiag.fleet.runner import RunSummary
from msdiag.fleet.scan import ResumeOptions, fleet_exit_code, gather_targets, plan_fleet_scan, run_fleet_plan
from msdiag.sanitize import clean_text

if TYPE_CHECKING:
    from msdiag.collectors.credentials import Credentials
    from msdiag.collectors.remote import RemoteTarget


def note(message: str) -> None:
    """A ``msdiag: ...`` line on stderr; host and file text in it is cleaned (msdiag.sanitize)."""
    click.echo(f"msdiag: {clean_text(message)}", err=True)


INSECURE_WARNING = (
    "WARNING: --insecure: the hosts' certificates are not validated; anyone on the path could read "
    "the sessions (the results file and its reports say so)"
)


def summary_lines(summary: RunSummary, path: Path) -> list[str]:
    parts = [f"{summary.ok} ok", f"{summary.failed} could not be scanned"]
    if summary.not_attempted:
        parts.append(f"{summary.not_attempted} not attempted")
    if summary.errored:
        parts.append(f"{len(summary.errored)} internal errors")
    lines = [f"{summary.written} of {summary.total} hosts recorded ({', '.join(parts)}); results in {path}"]
    if summary.interrupted:
        lines.append(f"interrupted: {summary.not_scanned} hosts not scanned; continue with --resume {path}")
    if summary.not_attempted:
        lines.append(f"fix the credentials, then scan the hosts not attempted with --resume {path}")
    return lines


class ResultsFileFailed(MsdiagError):
    """The results file could not be written mid-run (disk full): what was written is kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitCode.USAGE)


def run_fleet_scan(
    *,
    hosts: Sequence[str],
    inventory: Path | None,
    group: str | None,
    defaults: RemoteTarget,
    credentials: Credentials,
    checks: Sequence[str],
    endpoint_hosts: Sequence[str] | None,
    concurrency: int,
    files: ResumeOptions,
    formats: Sequence[str],
    lang: str,
    redaction: str,
    reports_dir: Path,
    progress: bool | None,
    processes: int = 1,
) -> int:
    """Scan every host, keep each result on disk as it finishes, then write the fleet report.

    Returns 0 (nothing failed), 1 (some host has a failing finding) or 4 (some hosts could not be
    scanned or were not attempted, or the scan was interrupted before all were). A results file
    that cannot be written is an error (exit 2) after the run stops, naming what was kept."""
    from msdiag.formats.catalog import FLEET_FORMATS

    chosen = FLEET_FORMATS.parse(list(formats))  # before any host is contacted
    gathered = gather_targets(hosts, inventory, group)
    for warning in gathered.warnings:
        note(f"warning: {warning}")
    plan = plan_fleet_scan(
        gathered.targets,
        defaults=defaults,
        credentials=credentials,
        concurrency=concurrency,
        results=None,
        resume=None,
        reports_dir=reports_dir,
        processes=processes,
        files=files,
    )
    if plan.insecure:
        note(INSECURE_WARNING)
    for line in plan.notes:
        note(line)
    ensure_folder(plan.path.parent, "results folder")
    outcome = run_fleet_plan(
        plan,
        credentials=credentials,
        checks=checks,
        endpoint_hosts=endpoint_hosts,
        concurrency=concurrency,
        progress=FleetProgress(len(plan.todo), enabled=progress),
        processes=processes,
    )
    for line in summary_lines(outcome.summary, outcome.path):
        note(line)
    sys.stderr.flush()
    if outcome.halted:
        unrecorded = outcome.summary.unrecorded
        raise ResultsFileFailed(
            f"{outcome.halted}. The {outcome.summary.written} hosts recorded before it are in {outcome.path}; "
            f"{unrecorded} scanned after it could not be recorded. Free space (or fix the file system), then "
            f"continue with --resume {outcome.path}"
        )
    accounts = (credentials.username,) if credentials.username else ()  # masked in the reports
    report = build_fleet_report(outcome.path, redaction, accounts=accounts)
    emitted = write_fleet_outputs(
        report,
        chosen,
        lang=lang,
        reports_dir=reports_dir,
        stem=outcome.path.stem + "-report",
        results=outcome.path,
        redaction=redaction,
        accounts=accounts,
    )
    if emitted.stdout:
        click.echo(emitted.stdout, nl=False)
    for file in emitted.written:
        note(f"wrote {file}")
    return int(fleet_exit_code(outcome.summary, report.unscanned, report.hosts_failing))
