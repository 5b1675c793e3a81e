"""A fleet scan: inventory -> plan (connections, results file) -> concurrent remote scans -> records.

Nothing here prints, creates folders or writes reports: each step returns what happened and the
CLI (msdiag/cli/fleet_scan.py) tells the user, creates the results folder and writes the reports.
The results file is the one thing touched: a resumed file is locked while the plan reads it, and a
new one is created (exclusively, owner-only) when the run starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msdiag.capture.models import Capture, HostState
from msdiag.errors import ExitCode, InputError
from msdiag.fleet.credential_guard import DEFAULT_MAX_AUTH_FAILURES, CredentialGuard
from msdiag.fleet.inventory import Inventory, load_inventory, targets_from_hosts
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.progress import FleetProgress
from msdiag.fleet.results import ReadReport, ResultsWriter, host_states
from msdiag.fleet.runner import RunSummary, run_fleet
from msdiag.fleet.stored_diagnosis import host_diagnosis

if TYPE_CHECKING:
    from msdiag.collectors.credentials import Credentials
    from msdiag.collectors.remote import RemoteTarget

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


@dataclasses.dataclass(frozen=True)
class ResumeOptions:
    """How a fleet scan treats its results file (the command line's fleet file options)."""

    results: Path | None = None  # a new results file (default: reports/msdiag-fleet-<time>.jsonl)
    resume: Path | None = None  # continue this one (locked for the whole run)
    retry_failed: bool = False  # with resume: scan again the hosts whose newest record is not ok
    resume_anyway: bool = False  # with resume: accept a file started with another inventory
    max_auth_failures: int = DEFAULT_MAX_AUTH_FAILURES  # per credential, in a row (0: never stop)


@dataclasses.dataclass
class FleetScanPlan:
    """What a fleet scan will do, decided before any host is contacted (nothing printed).

    ``notes`` are for the user before the scan starts: a resumed file, a torn last line that was
    cut off (that host is scanned again), unreadable lines of the file being resumed. A resumed
    file is already open and locked (``writer``); a new one is created when the scan starts."""

    path: Path  # the results file: new (its folder must exist) or the one being resumed
    todo: list[FleetTarget]
    done: int  # hosts already in the resumed file
    connections: dict[str, RemoteTarget]
    notes: list[str] = dataclasses.field(default_factory=list)
    writer: ResultsWriter | None = None  # the resumed file, locked
    guard: CredentialGuard | None = None
    insecure: bool = False


@dataclasses.dataclass
class FleetScanOutcome:
    path: Path  # the results file
    summary: RunSummary
    notes: list[str] = dataclasses.field(default_factory=list)  # the plan's notes
    halted: str | None = None  # why the run stopped early (the results file could not be written)


def default_results_path(reports_dir: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return reports_dir / f"msdiag-fleet-{stamp}.jsonl"


def _new_results_path(results: Path | None, reports_dir: Path) -> Path:
    if results is None:
        results = default_results_path(reports_dir)
    if results.exists():
        raise InputError(
            f"{results} already exists; continue it with --resume {results} or choose another --results"
        )
    return results


def _resume(
    targets: Sequence[FleetTarget], files: ResumeOptions, notes: list[str]
) -> tuple[ResultsWriter, set[str]]:
    """Open and lock the file being resumed, then read which hosts it has (nothing else may cut
    its tail or append meanwhile). Returns the writer and the keys of the hosts to skip."""
    resume = files.resume
    assert resume is not None
    if files.results is not None and files.results.resolve() != resume.resolve():
        raise InputError("--resume FILE continues that file; leave out --results or give the same path")
    if not resume.is_file():
        raise InputError(f"--resume: {resume} does not exist")
    writer = ResultsWriter(resume, resume=True)
    try:
        cut = writer.cut_torn_tail()
        if cut:
            notes.append(f"{resume}: dropped an incomplete last line ({cut} bytes); scanning that host again")
        read = ReadReport()
        states = host_states(resume, read)
        notes.extend(read.problems[:20])
        wanted = {t.key for t in targets}
        foreign = [key for key in states if key not in wanted]
        if foreign and not files.resume_anyway:
            raise InputError(
                f"--resume: {resume} holds {len(foreign)} host(s) that are not in this inventory (e.g. "
                f"{foreign[0].rstrip(':')}): it was started with another inventory or --group. Give the "
                "same inventory, or add --resume-anyway to continue it with this one"
            )
        skip = {key for key, state in states.items() if state is not HostState.NOT_ATTEMPTED}
        if files.retry_failed:
            again = {key for key in skip if states[key] is not HostState.OK and key in wanted}
            skip -= again
            if again:
                notes.append(f"--retry-failed: scanning {len(again)} host(s) again that could not be scanned")
    except BaseException:
        writer.close()
        raise
    return writer, skip


def plan_fleet_scan(
    targets: Sequence[FleetTarget],
    *,
    defaults: RemoteTarget,
    credentials: Credentials,
    concurrency: int,
    results: Path | None,
    resume: Path | None,
    reports_dir: Path,
    processes: int = 1,
    files: ResumeOptions | None = None,
) -> FleetScanPlan:
    """Validate every connection and pick the results file; refused before any host is contacted.

    ``files`` (when given) replaces ``results`` and ``resume``."""
    from msdiag.collectors.remote import validate_target

    files = files or ResumeOptions(results=results, resume=resume)
    if concurrency < 1:
        raise InputError("--concurrency must be at least 1")
    if processes < 1:
        raise InputError("--processes must be at least 1")
    if (files.retry_failed or files.resume_anyway) and files.resume is None:
        raise InputError("--retry-failed and --resume-anyway apply to --resume FILE")
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
    notes: list[str] = []
    writer: ResultsWriter | None = None
    if files.resume is not None:
        writer, done = _resume(targets, files, notes)
        path = files.resume
    else:
        path, done = _new_results_path(files.results, reports_dir), set()
    todo = [t for t in targets if t.key not in done]
    skipped = len(targets) - len(todo)
    if files.resume is not None:
        notes.append(f"resuming {path}: {skipped} hosts already done, {len(todo)} to scan")
    return FleetScanPlan(
        path=path,
        todo=todo,
        done=skipped,
        connections=connections,
        notes=notes,
        writer=writer,
        guard=CredentialGuard(files.max_auth_failures, credentials.username),
        insecure=any(c.insecure for c in connections.values()),
    )


def run_fleet_plan(
    plan: FleetScanPlan,
    *,
    credentials: Credentials,
    checks: Sequence[str],
    endpoint_hosts: Sequence[str] | None,
    concurrency: int,
    progress: FleetProgress | None = None,
    processes: int = 1,
) -> FleetScanOutcome:
    """Scan the plan's hosts into its results file, each record on disk as the host finishes.

    ``processes`` > 1 scans in that many worker processes (see msdiag.fleet.process_pool)."""
    scan_one = RemoteScan(
        plan.connections,
        credentials,
        tuple(checks),
        None if endpoint_hosts is None else tuple(endpoint_hosts),
    )
    with plan.writer or ResultsWriter(plan.path) as writer:
        summary = run_fleet(
            plan.todo,
            scan_one,
            writer,
            concurrency=concurrency,
            progress=progress or FleetProgress(len(plan.todo), enabled=False),
            summarize=host_diagnosis,
            processes=processes,
            guard=plan.guard,
            insecure=plan.insecure,
        )
    return FleetScanOutcome(plan.path, summary, plan.notes, halted=summary.halted)


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
    progress: FleetProgress | bool | None = False,
    processes: int = 1,
    files: ResumeOptions | None = None,
) -> FleetScanOutcome:
    """Plan and run a scan of ``targets`` into a results file (new, or the one being resumed); no
    report, nothing printed (the plan's notes are in the outcome). For library callers; the CLI
    plans and runs in two steps so it can tell the user about the plan first.

    ``progress``: a meter to update, or whether to make one (True/None: a FleetProgress on stderr)."""
    plan = plan_fleet_scan(
        targets,
        defaults=defaults,
        credentials=credentials,
        concurrency=concurrency,
        results=results,
        resume=resume,
        reports_dir=reports_dir,
        processes=processes,
        files=files,
    )
    meter = (
        progress if isinstance(progress, FleetProgress) else FleetProgress(len(plan.todo), enabled=progress)
    )
    return run_fleet_plan(
        plan,
        credentials=credentials,
        checks=checks,
        endpoint_hosts=endpoint_hosts,
        concurrency=concurrency,
        progress=meter,
        processes=processes,
    )


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
        import msdiag.collectors.remote.collector  # noqa: F401

    def __call__(self, target: FleetTarget) -> Capture:
        from msdiag.collectors.credentials import Credentials
        from msdiag.collectors.remote import RemoteCollector

        who = self.credentials
        if target.username and target.username != who.username:
            who = Credentials(target.username, who.password)
        return RemoteCollector(self.connections[target.key], who, self.endpoint_hosts).collect(self.checks)


def fleet_exit_code(summary: RunSummary | None, unscanned: int, failing: int) -> ExitCode:
    if unscanned or (summary is not None and (summary.errored or summary.not_scanned)):
        return ExitCode.HOSTS_UNSCANNED
    return ExitCode.FINDINGS_FAILED if failing else ExitCode.OK
