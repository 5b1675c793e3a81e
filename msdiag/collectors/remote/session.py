"""The exchange with one host: one runspace pool, one pipeline running the runner, always closed.

All selected checks run as the runner script (msdiag.collectors.runner_script) in ONE pipeline of
ONE runspace pool, which is closed again on every way out (:mod:`~msdiag.collectors.remote.cleanup`):
:func:`run_exchange` raises on host failures for the caller to classify, and keeps in its
:class:`Exchange` whatever the host sent before it failed. The per-host deadline is hard: a
watchdog shuts the exchange's sockets down when it passes (:mod:`~msdiag.collectors.remote.deadline`).
pypsrp is not thread-safe, so each exchange builds its own WSMan.
"""

from __future__ import annotations

import logging
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from pypsrp.complex_objects import PSInvocationState
from pypsrp.exceptions import WinRMError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote.cleanup import close_shell, shell_may_exist
from msdiag.collectors.remote.deadline import Deadline, DeadlineExceeded, bound_requests_by
from msdiag.collectors.remote.psrp_decoding import share_message_decoding
from msdiag.collectors.remote.psrp_tuning import (
    ignore_proxy_environment,
    invoke_shared_pipeline,
    open_shared_pool,
    share_ntlm_password_hashes,
    share_string_escaping,
)
from msdiag.collectors.remote.scrubbing import scrub
from msdiag.collectors.remote.target import RemoteTarget
from msdiag.collectors.remote.watchdog import SocketWatch
from msdiag.collectors.remote.wsman_envelope import TemplateWSMan
from msdiag.collectors.remote.wsman_http import LEAN_AUTHS, LeanNegotiateTransport, Traffic
from msdiag.collectors.runner_script import (
    SOURCES_PARAMETER,
    cached_runner,
    cached_sources,
    runner_parameters,
)

log = logging.getLogger(__name__)

OPERATION_TIMEOUT_S = 10  # WSMan OperationTimeout per Receive; the host answers within it
CONNECT_TIMEOUT_S = 10  # TCP connect and TLS handshake; every other read may wait until the deadline
#: A socket timeout that ends this close to the deadline ended because of it.
DEADLINE_SLACK_S = 0.05
#: The host deletes the shell by itself after this long without a request from msdiag (rsp:IdleTimeOut;
#: else the host's winrs IdleTimeout applies, often 2 hours): the last resort for a shell no cleanup
#: could close (a second Ctrl-C, SIGKILL, a host that never answered the Delete). A running scan
#: polls far more often. pypsrp's recordings show Windows accepting PT60S (docs/remote.md).
SHELL_IDLE_TIMEOUT_S = 60
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
    #: replies and round-trip times seen (sizes the cleanup budget)
    traffic: Traffic = field(default_factory=Traffic)
    #: the Create was sent: the host may hold a shell even without a reply
    create_sent: bool = False
    #: why the shell may still be open on the host (None: closed, or never created)
    shell_left_open: str | None = None


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


def _wsman_for(target: RemoteTarget, creds: Credentials) -> WSMan:
    cert_validation: Any = False if target.insecure else (str(target.ca_bundle) if target.ca_bundle else True)
    operation_timeout = max(1, min(OPERATION_TIMEOUT_S, int(target.timeout / 2)))
    extra: dict[str, Any] = {}
    if target.auth == "certificate":
        extra = {"certificate_pem": str(target.client_cert), "certificate_key_pem": str(target.client_key)}
    wsman = TemplateWSMan(
        target.bare_host,
        port=target.effective_port,
        username=creds.username,
        password=creds.password,
        ssl=target.transport == "https",
        auth=target.auth,
        cert_validation=cert_validation,
        connection_timeout=CONNECT_TIMEOUT_S,
        read_timeout=math.ceil(target.timeout),  # clamped to the time left: the deadline decides
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


def _track_create(wsman: WSMan, exchange: Exchange) -> None:
    create = wsman.create

    def create_tracked(*args: Any, **kwargs: Any) -> Any:
        exchange.create_sent = True
        return create(*args, **kwargs)

    wsman.create = create_tracked  # type: ignore[method-assign]


def _complete_reply(exc: BaseException) -> bool:
    """The exchange failed on a reply that was read whole: the connection can carry the Delete."""
    return isinstance(exc, (WinRMError, ET.ParseError)) and not isinstance(
        exc, requests.exceptions.RequestException
    )


def run_exchange(
    target: RemoteTarget,
    creds: Credentials,
    checks: tuple[str, ...],
    endpoint_hosts: Sequence[str],
    deadline: Deadline,
    exchange: Exchange,
) -> None:
    """The whole exchange with one host; raises on host failures (classified by the caller).

    A read the watchdog cut at the deadline raises :class:`DeadlineExceeded`; an interrupt
    (KeyboardInterrupt, also SIGTERM/SIGHUP in the CLI) closes the shell first, and a second one
    during that raises :class:`~msdiag.collectors.remote.cleanup.CleanupInterrupted`.
    """
    share_ntlm_password_hashes()
    wsman = _wsman_for(target, creds)
    watch = SocketWatch()
    watch.arm(deadline.end)
    bound_requests_by(wsman, deadline, watch, exchange.traffic)
    ignore_proxy_environment(wsman)
    _track_create(wsman, exchange)
    pool = RunspacePool(wsman, idle_timeout=SHELL_IDLE_TIMEOUT_S)
    share_string_escaping(pool)
    share_message_decoding(pool)
    ps: PowerShell | None = None
    failure: BaseException | None = None
    try:
        exchange.phase = "opening the runspace pool"
        open_shared_pool(pool)
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
                break  # the Delete stops the pipeline
        taken = _drain_output(ps, exchange, taken)
        exchange.had_errors = bool(ps.had_errors)
        exchange.error_records = [_error_record_text(r, creds) for r in ps.streams.error[:20]]
    except BaseException as exc:
        failure = exc
        cut = watch.fired or (
            isinstance(exc, requests.exceptions.ReadTimeout) and deadline.remaining() < DEADLINE_SLACK_S
        )
        # a connection or TLS handshake that timed out says more than "the deadline passed"
        if cut and not isinstance(
            exc, (KeyboardInterrupt, DeadlineExceeded, requests.exceptions.ConnectTimeout)
        ):
            raise DeadlineExceeded() from exc
        raise
    finally:
        # exchange.phase stays where the failure happened, for the status detail
        try:
            if shell_may_exist(pool, exchange.create_sent, failure, wsman, exchange.traffic):
                exchange.shell_left_open = close_shell(
                    pool,
                    wsman,
                    deadline=deadline,
                    watch=watch,
                    traffic=exchange.traffic,
                    reuse=failure is None or _complete_reply(failure),
                    address=target.address,
                )
        finally:
            watch.close()
            wsman.close()
