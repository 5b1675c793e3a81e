"""`msdiag scan` for a fleet: inventory -> concurrent remote scans -> results file -> fleet report."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from diag.capture.models import Capture
from diag.errors import ExitCode, InputError
from diag.fleet.inventory import Inventory, load_inventory, targets_from_hosts
from diag.fleet.models import FleetTarget
from diag.fleet.progress import FleetProgress
from diag.fleet.report import build_fleet_report, host_diagnosis
from diag.fleet.results import ReadReport, ResultsWriter, cut_torn_tail, keys_done
from diag.fleet.runner import RunSummary, run_fleet
from diag.formats.fleet import write_fleet_outputs

if TYPE_CHECKING:
    from diag.collectors.credentials import Credentials
    from diag.collectors.remote import RemoteTarget

DEFAULT_PORTS = {"http": 5985, "https": 5986}


def gather_targets(hosts: Sequence[str], inventory: Path | None, group: str | None) -> Inventory:
    """Targets from the inventory file and repeated --host, duplicates merged with a warning."""
    merged = Inventory()
    parts = []
    if inventory is not None:
        parts.append(load_inventory(inventory, group))
    elif group is not None:
        raise InputError("--group needs --inventory")
    if hosts:
        parts.append(targets_from_hosts(hosts))
    seen: set[str] = set()
    for part in parts:
        merged.warnings.extend(part.warnings)
        for target in part.targets:
            if target.key in seen:
                merged.warnings.append(
                    f"{target.host} is given both in the inventory and with --host; scanning it once"
                )
                continue
            seen.add(target.key)
            merged.targets.append(target)
    if not merged.targets:
        raise InputError("no hosts to scan: give --host HOST (repeatable) or --inventory FILE")
    return merged


def remote_target_for(defaults: RemoteTarget, target: FleetTarget) -> RemoteTarget:
    """The command-line connection settings, overridden by what the inventory says for this host."""
    changes: dict[str, Any] = {"host": target.host}
    if target.transport is not None:
        changes["transport"] = target.transport
        if target.port is None:
            changes["port"] = DEFAULT_PORTS[target.transport]
    if target.port is not None:
        changes["port"] = target.port
    if target.auth is not None:
        changes["auth"] = target.auth
    if dataclasses.is_dataclass(defaults):
        return dataclasses.replace(defaults, **changes)
    return defaults.model_copy(update=changes)  # type: ignore[attr-defined,no-any-return]


def _results_path(results: Path | None, resume: Path | None, reports_dir: Path) -> tuple[Path, set[str]]:
    if resume is not None:
        if results is not None and results.resolve() != resume.resolve():
            raise InputError("--resume FILE continues that file; leave out --results or give the same path")
        if not resume.is_file():
            raise InputError(f"--resume: {resume} does not exist")
        cut = cut_torn_tail(resume)
        if cut:
            click.echo(
                f"msdiag: {resume}: dropped an incomplete last line ({cut} bytes); scanning that host again",
                err=True,
            )
        read = ReadReport()
        done = keys_done(resume, read)
        for problem in read.problems[:20]:
            click.echo(f"msdiag: {problem}", err=True)
        return resume, done
    if results is None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        results = reports_dir / f"msdiag-fleet-{stamp}.jsonl"
    if results.exists():
        raise InputError(
            f"{results} already exists; continue it with --resume {results} or choose another --results"
        )
    results.parent.mkdir(parents=True, exist_ok=True)
    return results, set()


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
    results: Path | None,
    resume: Path | None,
    formats: Sequence[str],
    lang: str,
    redaction: str,
    reports_dir: Path,
    progress: bool | None,
    processes: int = 1,
) -> int:
    """Scan every host, keep each result on disk as it finishes, then write the fleet report.

    Returns 0 (nothing failed), 1 (some host has a failing finding) or 4 (some hosts could not be
    scanned, or the scan was interrupted before all were)."""
    gathered = gather_targets(hosts, inventory, group)
    for warning in gathered.warnings:
        click.echo(f"msdiag: warning: {warning}", err=True)
    outcome = scan_fleet(
        gathered.targets,
        defaults=defaults,
        credentials=credentials,
        checks=checks,
        endpoint_hosts=endpoint_hosts,
        concurrency=concurrency,
        results=results,
        resume=resume,
        reports_dir=reports_dir,
        progress=progress,
        processes=processes,
    )
    report = build_fleet_report(outcome.path, redaction)
    stdout, written = write_fleet_outputs(
        report,
        formats,
        lang=lang,
        reports_dir=reports_dir,
        stem=outcome.path.stem + "-report",
        results=outcome.path,
        redaction=redaction,
    )
    if stdout:
        click.echo(stdout, nl=False)
    for file in written:
        click.echo(f"msdiag: wrote {file}", err=True)
    return int(fleet_exit_code(outcome.summary, report.unscanned, report.hosts_failing))


@dataclasses.dataclass
class FleetScanOutcome:
    path: Path  # the results file
    summary: RunSummary


def scan_fleet(
    targets: Sequence[FleetTarget],
    *,
    defaults: RemoteTarget,
    credentials: Credentials,
    checks: Sequence[str],
    endpoint_hosts: Sequence[str] | None,
    concurrency: int,
    results: Path | None,
    resume: Path | None,
    reports_dir: Path,
    progress: bool | None,
    processes: int = 1,
) -> FleetScanOutcome:
    """Scan ``targets`` into a results file (new, or the one being resumed); no report.

    ``processes`` > 1 scans in that many worker processes (see diag.fleet.process_pool)."""
    from diag.collectors.remote import validate_target

    if concurrency < 1:
        raise InputError("--concurrency must be at least 1")
    if processes < 1:
        raise InputError("--processes must be at least 1")
    connections = {t.key: remote_target_for(defaults, t) for t in targets}
    for connection in connections.values():
        validate_target(connection)  # e.g. basic over http: refused before any host is contacted
    if not credentials.username and defaults.auth != "certificate":
        nameless = [t.name or t.host for t in targets if not t.username]
        if nameless:
            raise InputError(
                f"no user name for {len(nameless)} host(s) (e.g. {nameless[0]}): give --username or "
                "MSDIAG_USERNAME, or a username column (ansible_user) in the inventory"
            )
    path, done = _results_path(results, resume, reports_dir)
    todo = [t for t in targets if t.key not in done]
    if done:
        click.echo(f"msdiag: resuming {path}: {len(done)} hosts already done, {len(todo)} to scan", err=True)

    scan_one = RemoteScan(
        connections, credentials, tuple(checks), None if endpoint_hosts is None else tuple(endpoint_hosts)
    )
    meter = FleetProgress(len(todo), enabled=progress)
    with ResultsWriter(path) as writer:
        summary = run_fleet(
            todo,
            scan_one,
            writer,
            concurrency=concurrency,
            progress=meter,
            summarize=host_diagnosis,
            processes=processes,
        )
    _print_summary(summary, path)
    return FleetScanOutcome(path, summary)


@dataclasses.dataclass(frozen=True)
class RemoteScan:
    """Scans one fleet host (the runner's ``scan_one``); a module-level class so that worker
    processes can receive it pickled (credentials travel only in memory, never argv or env)."""

    connections: dict[str, RemoteTarget]
    credentials: Credentials
    checks: tuple[str, ...]
    endpoint_hosts: tuple[str, ...] | None

    def prepare(self) -> None:
        """Load the collector (pypsrp) before the first host; a worker process calls this."""
        import diag.collectors.remote.collector  # noqa: F401

    def __call__(self, target: FleetTarget) -> Capture:
        from diag.collectors.credentials import Credentials
        from diag.collectors.remote import RemoteCollector

        who = self.credentials
        if target.username and target.username != who.username:
            who = Credentials(target.username, who.password)
        return RemoteCollector(self.connections[target.key], who, self.endpoint_hosts).collect(self.checks)


def fleet_exit_code(summary: RunSummary | None, unscanned: int, failing: int) -> ExitCode:
    if unscanned or (summary is not None and (summary.errored or summary.not_scanned)):
        return ExitCode.HOSTS_UNSCANNED
    return ExitCode.FINDINGS_FAILED if failing else ExitCode.OK


def _print_summary(summary: RunSummary, path: Path) -> None:
    parts = [f"{summary.ok} ok", f"{summary.failed} could not be scanned"]
    if summary.errored:
        parts.append(f"{len(summary.errored)} internal errors")
    line = (
        f"msdiag: {summary.written} of {summary.total} hosts scanned ({', '.join(parts)}); results in {path}"
    )
    click.echo(line, err=True)
    if summary.interrupted:
        click.echo(
            f"msdiag: interrupted: {summary.not_scanned} hosts not scanned; continue with --resume {path}",
            err=True,
        )
    sys.stderr.flush()
