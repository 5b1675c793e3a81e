"""`msdiag scan`: collect from this machine, one remote host, or a fleet; then diagnose and report."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from click.core import ParameterSource

from msdiag.capture.models import Capture, CheckResult, CheckStatus
from msdiag.checks import DEFAULT_ENDPOINT_HOSTS, parse_check_selection
from msdiag.cli.interrupts import interrupts_like_ctrl_c
from msdiag.cli.option_kinds import file_option
from msdiag.cli.options import ReportRequest, report_request_options
from msdiag.cli.reporting import report_and_exit_code
from msdiag.collectors.capture_file import save_capture
from msdiag.collectors.credentials import USERNAME_ENV, Credentials, resolve_credentials
from msdiag.collectors.remote import RemoteTarget
from msdiag.collectors.remote.target import HostSpec, merge_host_spec, parse_host_spec
from msdiag.errors import InputError
from msdiag.fleet.credential_guard import DEFAULT_MAX_AUTH_FAILURES
from msdiag.sanitize import clean_text

FC = TypeVar("FC", bound=Callable[..., object])


def _resume_flag(name: str, text: str) -> Callable[[FC], FC]:
    """A fleet flag that changes what --resume does."""
    return click.option(name, is_flag=True, help=f"Fleet, with --resume: {text}")


def _progress(name: str, result: CheckResult) -> None:
    mark = "ok" if result.status is CheckStatus.OK else result.status.value
    click.echo(f"  {name:<10} {mark}", err=True)


@click.command("scan")
@click.option(
    "--checks", "checks_opt", metavar="a,b", help="Only these checks (default: all; see `msdiag checks`)."
)
@file_option(
    "--save-capture", help="Also save what was collected to this file (readable by `msdiag diagnose`; owner-only)."
)
@click.option("--force", is_flag=True, help="Replace the --save-capture file if it exists.")
@click.option(
    "--endpoint-host",
    "endpoint_hosts",
    multiple=True,
    metavar="HOST",
    help="Probe this host instead of the default Microsoft account hosts (repeatable).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1, max=3600),
    default=60.0,
    show_default=True,
    help="Overall deadline per host, seconds.",
)
@click.option(
    "--powershell",
    metavar="PATH",
    help="Local scans: the PowerShell to run (default: pwsh, else powershell.exe).",
)
@click.option(
    "--host",
    "hosts",
    multiple=True,
    metavar="HOST",
    help="Scan this Windows host over PowerShell remoting (WinRM) instead of this machine: a name or "
    "address, HOST:PORT, [IPv6]:PORT, or a WinRM URL (http://pc01:5985/wsman). Repeat for a fleet.",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), help="WinRM port (default 5986 for https, 5985 for http)."
)
@click.option("--transport", type=click.Choice(["https", "http"]), default="https", show_default=True)
@click.option(
    "--auth",
    type=click.Choice(["negotiate", "ntlm", "kerberos", "credssp", "certificate", "basic"]),
    default="negotiate",
    show_default=True,
)
@click.option(
    "--username",
    metavar="USER",
    help="Account for remoting (or MSDIAG_USERNAME). The password comes from a prompt or MSDIAG_PASSWORD, never the command line.",
)
@file_option("--ca-bundle", help="CA certificates to trust for HTTPS.")
@file_option(
    "--client-cert",
    help="--auth certificate: the client certificate (PEM) mapped to a local account on the host.",
)
@file_option(
    "--client-key", help="--auth certificate: the certificate's private key (PEM, not password-protected)."
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Do not validate the host's HTTPS certificate (printed as a warning in the report).",
)
@file_option(
    "--inventory",
    help="Fleet: hosts from a file (plain list, CSV with a header, or an Ansible INI/YAML inventory).",
)
@click.option("--group", metavar="NAME", help="Fleet: only this Ansible inventory group.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=32,
    show_default=True,
    help="Fleet: hosts scanned at once.",
)
@click.option(
    "--processes",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="Fleet: worker processes sharing the --concurrency (on a machine with spare cores, 2 scans "
    "large fleets faster; each costs ~1 s to start and ~80 MB).",
)
@file_option("--results", help="Fleet: JSON Lines results file (default reports/msdiag-fleet-<time>.jsonl).")
@file_option(
    "--resume",
    help="Fleet: continue an interrupted scan, scanning only the hosts not yet in this results file.",
)
@_resume_flag("--retry-failed", "also scan again the hosts that could not be scanned (their newest record wins).")
@_resume_flag("--resume-anyway", "continue the file even though it holds hosts this inventory does not list.")
@click.option(
    "--max-auth-failures",
    type=click.IntRange(0, 1000),
    default=DEFAULT_MAX_AUTH_FAILURES,
    show_default=True,
    help="Fleet: stop using a user name after this many authentication failures in a row, so a wrong "
    "password cannot lock the account out (its other hosts are recorded as not attempted; 0: never stop).",
)
@report_request_options(fleet=True)
@click.pass_context
def scan_command(
    ctx: click.Context,
    checks_opt: str | None,
    save_capture: Path | None,
    force: bool,
    endpoint_hosts: tuple[str, ...],
    timeout: float,
    powershell: str | None,
    hosts: tuple[str, ...],
    port: int | None,
    transport: str,
    auth: str,
    username: str | None,
    ca_bundle: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    insecure: bool,
    inventory: Path | None,
    group: str | None,
    concurrency: int,
    processes: int,
    results: Path | None,
    resume: Path | None,
    retry_failed: bool,
    resume_anyway: bool,
    max_auth_failures: int,
    request: ReportRequest,
) -> None:
    """Run the checks and diagnose what they find.

    \b
    This machine:     msdiag scan --error 0x800704cf --phone "+81 90-1234-5678"
    A user's PC:      msdiag scan --host PC01 --username CORP\\helpdesk
    A fleet:          msdiag scan --inventory hosts.csv --format html
    Every check only reads; nothing on the scanned machine is changed.
    """
    checks = parse_check_selection(checks_opt)
    if save_capture is not None and save_capture.exists() and not force:  # before the scan, not after
        raise InputError(f"{save_capture} already exists; choose another file name, or add --force to replace it")
    probe_hosts = tuple(endpoint_hosts) or DEFAULT_ENDPOINT_HOSTS
    fleet = inventory is not None or len(hosts) > 1 or resume is not None
    # a fleet takes the fleet formats (csv too), one host the single-host ones: checked before scanning
    formats = [f.name for f in (request.fleet_formats() if fleet else request.host_formats())]
    if not fleet and (group or results or processes != 1):
        raise InputError(
            "--group, --results and --processes apply to fleet scans (--inventory, or several --host)"
        )

    remote = fleet or bool(hosts)
    if not remote and (
        any(v is not None for v in (port, ca_bundle, client_cert, client_key)) or insecure or username
    ):
        raise InputError(
            "--port, --username, --ca-bundle, --client-cert/--client-key and --insecure apply "
            "to remote scans (--host)"
        )
    explicit_transport = (
        transport if ctx.get_parameter_source("transport") is ParameterSource.COMMANDLINE else None
    )
    # every --host is read now: a bad one, or one that contradicts --port/--transport, stops the scan
    specs = [merge_host_spec(parse_host_spec(h), h, port=port, transport=explicit_transport) for h in hosts]  # type: ignore[arg-type]
    single = specs[0] if len(specs) == 1 and not fleet else HostSpec("inventory-defaults.invalid", port)
    target = RemoteTarget(
        host=single.host,
        port=single.port,
        transport=single.transport or transport,  # type: ignore[arg-type]
        auth=auth,
        ca_bundle=ca_bundle,
        insecure=insecure,
        timeout=timeout,
        client_cert=client_cert,
        client_key=client_key,
    )

    if fleet:
        single_host_only = {
            "--save-capture": save_capture,
            "--output": request.output,
            "--error": request.errors,
            "--phone": request.phone,
            "--open": request.open_report,
        }
        given = [name for name, value in single_host_only.items() if value]
        if given:
            raise InputError(
                f"{', '.join(given)} apply to one host; a fleet scan keeps every capture in its --results "
                "file and its report groups hosts by their failing findings (run `msdiag diagnose` on one "
                "host's capture for the rest)"
            )
        from msdiag.cli.fleet_scan import run_fleet_scan
        from msdiag.fleet.scan import ResumeOptions

        code = _run_fleet_interruptible(
            lambda: run_fleet_scan(
                hosts=hosts,
                inventory=inventory,
                group=group,
                defaults=target,
                credentials=_credentials(target, username, fleet=True),
                checks=checks,
                endpoint_hosts=probe_hosts,
                concurrency=concurrency,
                processes=processes,
                files=ResumeOptions(results, resume, retry_failed, resume_anyway, max_auth_failures),
                formats=formats,
                lang=request.lang,
                redaction=request.redact,
                reports_dir=request.reports_dir,
                progress=None,
            )
        )
        ctx.exit(code)

    if remote:
        capture = _scan_remote(target, username, checks, probe_hosts)
    else:
        with interrupts_like_ctrl_c():
            capture = _scan_local(powershell, timeout, checks, probe_hosts)
    # the account msdiag scanned with is masked wherever the host's text names it
    account = (username or os.environ.get(USERNAME_ENV, "")).strip() if remote else ""
    accounts = (account,) if account else ()
    if save_capture:
        save_capture_file(capture, save_capture, request.redact, accounts, overwrite=force)
    ctx.exit(report_and_exit_code(capture, request, accounts=accounts))


def _run_fleet_interruptible(run: Callable[[], int]) -> int:
    """The fleet's own Ctrl-C handling, for SIGTERM/SIGHUP too. At the second interrupt the running
    host scans end at once instead of running out their deadlines; their shells may be left open."""
    from msdiag.collectors.remote.watchdog import abandon_exchanges

    cut: list[int] = []
    try:
        with interrupts_like_ctrl_c(on_second=lambda: cut.append(abandon_exchanges())):
            return run()
    finally:
        if cut and cut[0]:
            from msdiag.collectors.remote.session import SHELL_IDLE_TIMEOUT_S

            click.echo(
                f"msdiag: the second interrupt cut {cut[0]} host scan(s) short without closing their remote "
                f"shells: they may be left open (a host deletes its shell after {SHELL_IDLE_TIMEOUT_S} s "
                "without requests)",
                err=True,
            )


def save_capture_file(
    capture: Capture, path: Path, redaction: str, accounts: tuple[str, ...] = (), *, overwrite: bool = False
) -> None:
    """Save the capture with the report's redaction (standard by default: it leaves the machine too)."""
    from msdiag.formats.redact import redact_capture

    save_capture(redact_capture(capture, redaction, accounts=accounts), path, overwrite=overwrite)
    click.echo(f"msdiag: capture saved to {clean_text(str(path))} (redaction: {redaction})", err=True)


def _scan_local(
    powershell: str | None, timeout: float, checks: tuple[str, ...], probe_hosts: tuple[str, ...]
) -> Capture:
    from msdiag.collectors.local import LocalCollector, find_powershell

    exe = find_powershell(powershell)
    interactive = sys.stderr.isatty()
    if interactive:
        click.echo(f"msdiag: running {len(checks)} checks with {exe} ...", err=True)
    collector = LocalCollector(
        exe, timeout=timeout, endpoint_hosts=probe_hosts, on_result=_progress if interactive else None
    )
    return collector.collect(checks)


def _credentials(target: RemoteTarget, username: str | None, *, fleet: bool = False) -> Credentials:
    if target.auth == "certificate":
        return Credentials(username=username or "", password="")  # the certificate is the credential
    # a fleet's inventory may name the account per host; then only the password is needed here
    return resolve_credentials(username, interactive=sys.stdin.isatty(), require_username=not fleet)


def _scan_remote(
    target: RemoteTarget, username: str | None, checks: tuple[str, ...], probe_hosts: tuple[str, ...]
) -> Capture:
    from msdiag.collectors.remote import collect_remote, validate_target
    from msdiag.collectors.remote.cleanup import CLEANUP_MAX_S, CleanupInterrupted
    from msdiag.collectors.remote.session import SHELL_IDLE_TIMEOUT_S

    validate_target(target)
    if target.insecure:
        click.echo(
            "msdiag: WARNING: --insecure: the host's certificate is not validated; "
            "anyone on the path could read the session.",
            err=True,
        )
    credentials = _credentials(target, username)
    if sys.stderr.isatty():
        click.echo(
            f"msdiag: scanning {clean_text(target.address)} over WinRM ({target.transport}, {target.auth}) ...",
            err=True,
        )
    where = clean_text(target.address)
    first = (
        f"msdiag: interrupted: closing the session with {where} (at most {CLEANUP_MAX_S:g} s; "
        "interrupt again to skip that)"
    )
    try:
        with interrupts_like_ctrl_c(first):
            return collect_remote(target, credentials, checks, endpoint_hosts=probe_hosts)
    except CleanupInterrupted:
        click.echo(
            f"msdiag: cleanup skipped: the remote shell on {where} may be left open; the host deletes it "
            f"after {SHELL_IDLE_TIMEOUT_S} s without requests",
            err=True,
        )
        raise


COMMANDS: list[click.Command] = [scan_command]
