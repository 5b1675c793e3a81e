"""What the host sent, as a capture: the output's status, the warnings, the envelope.

Built from the :class:`~msdiag.collectors.remote.session.Exchange` whether the exchange finished or
failed half-way (``failure``), so a failure never loses a check that did report.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from msdiag.capture import models
from msdiag.capture.models import Capture, CheckResult, CheckStatus, HostState, HostStatus
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.interface import assemble_capture, did_not_run, not_reported
from msdiag.collectors.lockdown import lockdown_status, refused_runner_status
from msdiag.collectors.remote.scrubbing import scrub
from msdiag.collectors.remote.session import SHELL_IDLE_TIMEOUT_S, Exchange
from msdiag.collectors.remote.target import RemoteTarget
from msdiag.collectors.runner_output import parse_runner_output


def _short(value: Any) -> str | None:
    return scrub(value, None, 200) if isinstance(value, str) and value else None


def proxy_scope_warning(result: CheckResult | None) -> str | None:
    """Say whose per-user (HKCU) settings the proxy check read: over remoting it is not obvious."""
    if result is None or result.status is not CheckStatus.OK or result.document is None:
        return None
    try:
        scope = models.ProxyData.model_validate(result.document.get("data", {})).scope
    except ValidationError:
        return None
    if scope is None:
        return None
    who = " ".join(p for p in (_short(scope.user), f"({_short(scope.sid)})" if scope.sid else None) if p)
    if scope.source == "interactive_user":
        return (
            "Per-user settings (WinINET proxy) were read from the signed-in user's hive: "
            f"{who or 'unknown user'}."
        )
    if scope.source == "current_user":
        # over remoting HKCU is the hive of the account msdiag connected as
        return (
            f"Per-user settings (WinINET proxy) are those of the account msdiag connected as "
            f"({who or 'unknown'}), which may not be the signed-in user's."
        )
    return (
        "Per-user settings (WinINET proxy) could not be read for the signed-in user; findings about the "
        "user's proxy are incomplete."
    )


def shell_left_open_warning(target: RemoteTarget, reason: str) -> str:
    """The capture's warning when the cleanup could not close the host's shell."""
    return scrub(
        f"The remote shell may still be open on {target.address}: {reason}. It counts against the "
        f"account's MaxShellsPerUser until the host deletes it after {SHELL_IDLE_TIMEOUT_S} s without "
        "requests (or restart the WinRM service on the host).",
        None,
        1000,
    )


def output_status(
    exchange: Exchange, requested: tuple[str, ...], results: dict[str, CheckResult], start: bool, ended: bool
) -> HostStatus:
    """The host status of an exchange that did not fail: was the runner's output whole and valid?"""
    if exchange.had_errors:
        refused = refused_runner_status(exchange.error_records, local=False) if not start else None
        if refused is not None:
            return refused
        records = "; ".join(exchange.error_records[:3]) or "no error record was sent"
        return HostStatus(
            state=HostState.SCRIPT_ERROR,
            detail=scrub(f"The runner script stopped with an error: {records}", None),
            hint="Checks that reported before the error are kept. Run `msdiag export-script` on the host to "
            "see the error there; an antivirus or a Constrained Language Mode policy can block the script.",
        )
    invalid = [name for name in requested if results[name].status is CheckStatus.ERROR and results[name].raw]
    if exchange.overflow or not start or not ended or invalid:
        parts = []
        if invalid:
            parts.append(f"the output of {', '.join(invalid)} failed validation")
        if exchange.overflow:
            parts.append("the host sent more output than msdiag accepts")
        if not start or not ended:
            parts.append("the runner's output was incomplete")
        return HostStatus(
            state=HostState.BAD_OUTPUT,
            detail=scrub(
                "Some output could not be used: " + "; ".join(parts) + ". The other checks' data is kept.",
                None,
            ),
            hint="The failing check's raw output is kept in the capture. A profile script or module that "
            "prints to the output stream can corrupt it; update msdiag if the host runs a newer PowerShell.",
        )
    return HostStatus(state=HostState.OK)


def remote_capture(
    target: RemoteTarget,
    credentials: Credentials,
    requested: tuple[str, ...],
    exchange: Exchange,
    failure: HostStatus | None,
    *,
    collected_utc: str,
    duration_ms: int,
) -> Capture:
    """The capture of one remote scan; ``failure`` is the classified exception, if the exchange raised."""
    warnings: list[str] = []
    if target.insecure:
        warnings.append(
            "--insecure: the host's TLS certificate was not validated; the connection could have "
            "been intercepted."
        )
    powershell: models.PowerShellInfo | None = None
    reported: dict[str, CheckResult] = {}
    if exchange.texts or exchange.non_text:
        parsed = parse_runner_output(exchange.texts, list(requested))
        if parsed.start is not None:
            powershell = models.PowerShellInfo(
                edition=_short(parsed.start.get("ps_edition")), version=_short(parsed.start.get("ps_version"))
            )
        reported = parsed.results
        status = (
            failure
            or lockdown_status(parsed, requested)
            or output_status(exchange, requested, parsed.results, parsed.start is not None, parsed.ended)
        )
        missing = not_reported()
        if parsed.stray or exchange.non_text:
            count = len(parsed.stray) + exchange.non_text
            warnings.append(
                f"The host printed {count} output line(s) that are not part of msdiag's runner "
                "protocol (a profile or module writing to the output stream?); they were ignored."
            )
    else:
        status = failure or output_status(
            exchange, requested, {n: CheckResult(status=CheckStatus.NOT_RUN) for n in requested}, False, False
        )
        missing = did_not_run(status.state)
    if not exchange.had_errors and exchange.error_records:
        warnings.append(
            scrub(
                "The runner reported non-terminating errors: " + "; ".join(exchange.error_records[:3]),
                credentials,
                1000,
            )
        )
    if exchange.shell_left_open:
        warnings.append(shell_left_open_warning(target, exchange.shell_left_open))
    scope_warning = proxy_scope_warning(reported.get("proxy"))
    if scope_warning:
        warnings.append(scope_warning)
    return assemble_capture(
        host=target.host,
        mode="remote",
        collected_utc=collected_utc,
        duration_ms=duration_ms,
        powershell=powershell,
        connection=models.ConnectionInfo(
            transport=target.transport,
            port=target.effective_port,
            auth=target.auth,
            cert_validation=not target.insecure and target.transport == "https",
            insecure=target.insecure,
        ),
        host_status=status,
        reported=reported,
        selected=requested,
        missing=missing,
        warnings=warnings,
    )
