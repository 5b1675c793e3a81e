"""`msdiag scan`: collect from this machine, one remote host, or a fleet; then diagnose and report."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from msdiag.capture.models import Capture, CheckResult, CheckStatus
from msdiag.checks import DEFAULT_ENDPOINT_HOSTS, parse_check_selection
from msdiag.cli.options import ReportRequest, report_request_options
from msdiag.cli.reporting import report_and_exit_code
from msdiag.collectors.capture_file import save_capture
from msdiag.collectors.credentials import USERNAME_ENV, Credentials, resolve_credentials
from msdiag.collectors.remote import RemoteTarget
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
@click.option(
    "--save-capture",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save what was collected to this file (readable by `msdiag diagnose`; owner-only).",
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
    help="Scan this Windows host over PowerShell remoting (WinRM) instead of this machine. Repeat for a fleet.",
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
@click.option(
    "--ca-bundle", type=click.Path(dir_okay=False, path_type=Path), help="CA certificates to trust for HTTPS."
)
@click.option(
    "--client-cert",
    type=click.Path(dir_okay=False, path_type=Path),
    help="--auth certificate: the client certificate (PEM) mapped to a local account on the host.",
)
@click.option(
    "--client-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="--auth certificate: the certificate's private key (PEM, not password-protected).",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Do not validate the host's HTTPS certificate (printed as a warning in the report).",
)
@click.option(
    "--inventory",
    type=click.Path(dir_okay=False, path_type=Path),
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
@click.option(
    "--results",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fleet: JSON Lines results file (default reports/msdiag-fleet-<time>.jsonl).",
)
@click.option(
    "--resume",
    type=click.Path(dir_okay=False, path_type=Path),
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
    target = RemoteTarget(
        host=hosts[0] if len(hosts) == 1 and not fleet else "inventory-defaults.invalid",
        port=port,
        transport=transport,  # type: ignore[arg-type]
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

        ctx.exit(
            run_fleet_scan(
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

    capture = (
        _scan_remote(target, username, checks, probe_hosts)
        if remote
        else _scan_local(powershell, timeout, checks, probe_hosts)
    )
    # the account msdiag scanned with is masked wherever the host's text names it
    account = (username or os.environ.get(USERNAME_ENV, "")).strip() if remote else ""
    accounts = (account,) if account else ()
    if save_capture:
        save_capture_file(capture, save_capture, request.redact, accounts, overwrite=force)
    ctx.exit(report_and_exit_code(capture, request, accounts=accounts))


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
            f"msdiag: scanning {target.host} over WinRM ({target.transport}, {target.auth}) ...", err=True
        )
    return collect_remote(target, credentials, checks, endpoint_hosts=probe_hosts)


COMMANDS: list[click.Command] = [scan_command]
