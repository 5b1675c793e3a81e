"""The exchange with one host: one runspace pool, one pipeline running the runner, always closed.

All selected checks run as the runner script (msdiag.collectors.runner_script) in ONE pipeline of
ONE runspace pool, which is closed again on every way out (leaked shells count against
MaxShellsPerUser on the host): :func:`run_exchange` raises on host failures for the caller to
classify, and keeps in its :class:`Exchange` whatever the host sent before it failed. pypsrp is
not thread-safe, so each exchange builds its own WSMan.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from pypsrp.complex_objects import PSInvocationState
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote.deadline import Deadline, DeadlineExceeded, bound_requests_by
from msdiag.collectors.remote.psrp_tuning import (
    ignore_proxy_environment,
    invoke_shared_pipeline,
    share_ntlm_password_hashes,
    share_string_escaping,
)
from msdiag.collectors.remote.scrubbing import scrub
from msdiag.collectors.remote.target import RemoteTarget
from msdiag.collectors.remote.wsman_http import LEAN_AUTHS, LeanNegotiateTransport
from msdiag.collectors.runner_script import (
    SOURCES_PARAMETER,
    cached_runner,
    cached_sources,
    runner_parameters,
)

log = logging.getLogger(__name__)

OPERATION_TIMEOUT_S = 10  # WSMan OperationTimeout per request; the host answers within it
READ_TIMEOUT_S = 15  # HTTP read timeout; must exceed the operation timeout
CONNECT_TIMEOUT_S = 10
#: Below pypsrp's 153600 default on purpose: pypsrp raises exactly that default to 512000 once
#: the pool opens, which hosts with MaxEnvelopeSizekb < 500 refuse. The runner fits either way.
MAX_ENVELOPE_BYTES = 150_000
MAX_OUTPUT_OBJECTS = 2_000  # the runner prints a few lines per check
MAX_OUTPUT_CHARS = 32 * 1024 * 1024
ENDPOINT_TIMEOUT_MS = 3000

# Loggers of the transport stack: at DEBUG pypsrp logs every message body, spnego/CredSSP log
# authentication tokens, and pypsrp logs handled read timeouts with tracebacks at ERROR.
_TRANSPORT_LOGGER_LEVELS = {
    "pypsrp": logging.CRITICAL,
    "spnego": logging.WARNING,
    "requests_credssp": logging.WARNING,
    "requests": logging.WARNING,
    "urllib3": logging.WARNING,
}


def quiet_transport_loggers() -> None:
    """Keep the transport stack's loggers above DEBUG unless someone configured them on purpose."""
    for name, level in _TRANSPORT_LOGGER_LEVELS.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(level)


def cleanup_budget(target: RemoteTarget) -> float:
    """Seconds the cleanup (stop the pipeline, delete the shell) may take after the exchange."""
    return min(3.0, max(1.0, target.timeout / 4))


@dataclass
class Exchange:
    """What came back from the host, kept also when the exchange failed half-way."""

    phase: str = "connecting"
    texts: list[str] = field(default_factory=list)
    non_text: int = 0
    chars: int = 0
    overflow: bool = False
    had_errors: bool = False
    error_records: list[str] = field(default_factory=list)


def _error_record_text(record: Any, creds: Credentials) -> str:
    text = (
        str(record) or str(getattr(record, "message", "") or "") or str(getattr(record, "fq_error", "") or "")
    )
    return scrub(text or "an error record without a message", creds, 400)


def _drain_output(ps: PowerShell, exchange: Exchange, taken: int) -> int:
    """Move new output objects into the exchange (bounded); returns how many are taken."""
    for item in ps.output[taken:]:
        if len(exchange.texts) + exchange.non_text >= MAX_OUTPUT_OBJECTS or exchange.chars > MAX_OUTPUT_CHARS:
            exchange.overflow = True
            break
        if isinstance(item, str):
            exchange.texts.append(item)
            exchange.chars += len(item)
        else:
            exchange.non_text += 1
    return len(ps.output)


def _poll_timeout(deadline: Deadline) -> int:
    # WSMan OperationTimeout for one Receive: the host answers by then (data or the 0x80338029
    # fault), so keep it inside the time left.
    return max(1, min(OPERATION_TIMEOUT_S, int(deadline.remaining()) - 1))


def _fresh_connection(wsman: WSMan) -> None:
    """Drop the broken HTTP session: the next request reconnects and authenticates again.

    NTLM/Negotiate authenticate a TCP connection, and the message-encryption context belongs to
    it; after a dropped or timed-out connection pypsrp would reuse that context on a new
    connection and the host would refuse it, leaving the shell open.
    """
    transport = wsman.transport
    transport.close()
    transport.session = None
    transport.encryption = None


def _cleanup(
    pool: RunspacePool,
    ps: PowerShell | None,
    wsman: WSMan,
    deadline: Deadline,
    grace: float,
    reconnect: bool,
) -> None:
    """Stop the pipeline and delete the shell, within a short budget of its own; never raises."""
    deadline.restart(grace)
    if reconnect:
        _fresh_connection(wsman)
        # The Create may have reached the host although its reply did not come back. pypsrp chose
        # the ShellId itself (the host keeps it), so the shell can still be deleted by that id.
        if not pool.shell.opened and pool.shell.id:
            pool.shell.opened = True
    try:
        if ps is not None and ps.state == PSInvocationState.RUNNING:
            ps.stop()
    except Exception as exc:  # cleanup is best effort: the status already says what went wrong
        log.debug("stopping the pipeline failed: %s", type(exc).__name__)
    try:
        pool.close()
    except Exception as exc:
        log.debug("closing the runspace pool failed: %s", type(exc).__name__)


def _wsman_for(target: RemoteTarget, creds: Credentials) -> WSMan:
    cert_validation: Any = False if target.insecure else (str(target.ca_bundle) if target.ca_bundle else True)
    operation_timeout = max(1, min(OPERATION_TIMEOUT_S, int(target.timeout / 2)))
    extra: dict[str, Any] = {}
    if target.auth == "certificate":
        extra = {"certificate_pem": str(target.client_cert), "certificate_key_pem": str(target.client_key)}
    host = target.host[1:-1] if target.host.startswith("[") else target.host
    wsman = WSMan(
        host,
        port=target.effective_port,
        username=creds.username,
        password=creds.password,
        ssl=target.transport == "https",
        auth=target.auth,
        cert_validation=cert_validation,
        connection_timeout=CONNECT_TIMEOUT_S,
        read_timeout=max(READ_TIMEOUT_S, operation_timeout + 5),
        operation_timeout=operation_timeout,
        reconnection_retries=0,
        reconnection_backoff=0.1,  # only pypsrp's Receive retries sleep on it; keep them short
        max_envelope_size=MAX_ENVELOPE_BYTES,
        no_proxy=True,  # WinRM goes straight to the host, not through HTTP(S)_PROXY
        **extra,
    )
    if target.auth in LEAN_AUTHS:
        wsman.transport = LeanNegotiateTransport.adopt(wsman.transport)
    return wsman


def run_exchange(
    target: RemoteTarget,
    creds: Credentials,
    checks: tuple[str, ...],
    endpoint_hosts: Sequence[str],
    deadline: Deadline,
    exchange: Exchange,
) -> None:
    """The whole exchange with one host; raises on host failures (classified by the caller)."""
    share_ntlm_password_hashes()
    wsman = _wsman_for(target, creds)
    bound_requests_by(wsman, deadline)
    ignore_proxy_environment(wsman)
    pool = RunspacePool(wsman)
    share_string_escaping(pool)
    ps: PowerShell | None = None
    grace = cleanup_budget(target)
    connection_broken = False
    try:
        exchange.phase = "opening the runspace pool"
        pool.open()
        ps = PowerShell(pool)
        parameters = runner_parameters(list(checks), list(endpoint_hosts), ENDPOINT_TIMEOUT_MS)
        parameters[SOURCES_PARAMETER] = cached_sources(checks)  # the checks, as data (runner_script)
        exchange.phase = "starting the checks"
        invoke_shared_pipeline(ps, cached_runner(checks), parameters)
        exchange.phase = "running the checks"
        taken = 0
        while ps.state == PSInvocationState.RUNNING:
            if deadline.expired():
                raise DeadlineExceeded()
            ps.poll_invoke(timeout=_poll_timeout(deadline))
            taken = _drain_output(ps, exchange, taken)
            if exchange.overflow:
                break
        taken = _drain_output(ps, exchange, taken)
        exchange.had_errors = bool(ps.had_errors)
        exchange.error_records = [_error_record_text(r, creds) for r in ps.streams.error[:20]]
    except requests.exceptions.RequestException:
        connection_broken = True  # a timed-out or dropped connection cannot carry the cleanup
        raise
    finally:
        # exchange.phase stays where the failure happened, for the status detail
        _cleanup(pool, ps, wsman, deadline, grace, reconnect=connection_broken)
        wsman.close()
