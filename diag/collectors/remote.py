"""Remote scans over WinRM/PSRP with pypsrp: one runspace pool, one pipeline, one deadline per host.

All selected checks run as the runner script (diag.collectors.bundle) in ONE pipeline of ONE
runspace pool, which is always closed again (leaked shells count against MaxShellsPerUser on the
host). Every host-level failure becomes the capture's ``host_status`` with what happened and what
to try; nothing here raises for a host that is down, slow, hostile or misconfigured.

The deadline is honest: pypsrp retries a timed-out Receive five times with growing sleeps (about
five minutes with its defaults), so every HTTP request pypsrp makes goes through a wrapper that
clamps its socket timeouts to the time left and refuses to start once the time is up. pypsrp is
not thread-safe, so each call builds its own WSMan.
"""

from __future__ import annotations

import base64
import importlib
import ipaddress
import logging
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import requests
from pydantic import ValidationError
from pypsrp.complex_objects import PSInvocationState
from pypsrp.exceptions import AuthenticationError, WinRMError, WinRMTransportError, WSManFaultError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from diag import __version__
from diag.capture.models import (
    Capture,
    CheckResult,
    CheckStatus,
    ConnectionInfo,
    HostState,
    HostStatus,
    PowerShellInfo,
    ProxyData,
)
from diag.checks import CHECK_NAMES, DEFAULT_ENDPOINT_HOSTS
from diag.collectors.bundle import parse_runner_output, runner_parameters
from diag.collectors.credentials import Credentials
from diag.collectors.psrp_tuning import (
    ignore_proxy_environment,
    invoke_shared_pipeline,
    share_ntlm_password_hashes,
    share_string_escaping,
)
from diag.collectors.runner_cache import runner_script
from diag.collectors.wsman_http import LEAN_AUTHS, LeanNegotiateTransport
from diag.errors import InputError

log = logging.getLogger(__name__)

Transport = Literal["https", "http"]
SUPPORTED_AUTHS = ("negotiate", "ntlm", "kerberos", "credssp", "certificate", "basic")
#: Only these encrypt the WinRM messages themselves, so only these may run over plain HTTP.
MESSAGE_ENCRYPTING_AUTHS = frozenset({"negotiate", "ntlm", "kerberos", "credssp"})

OPERATION_TIMEOUT_S = 10  # WSMan OperationTimeout per request; the host answers within it
READ_TIMEOUT_S = 15  # HTTP read timeout; must exceed the operation timeout
CONNECT_TIMEOUT_S = 10
MAX_TIMEOUT_S = 3600.0
#: Below pypsrp's 153600 default on purpose: pypsrp raises exactly that default to 512000 once
#: the pool opens, which hosts with MaxEnvelopeSizekb < 500 refuse. The runner fits either way.
MAX_ENVELOPE_BYTES = 150_000
MAX_OUTPUT_OBJECTS = 2_000  # the runner prints a few lines per check
MAX_OUTPUT_CHARS = 32 * 1024 * 1024
MAX_DETAIL_CHARS = 600
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


# ---------------------------------------------------------------- target and its validation
@dataclass(frozen=True)
class RemoteTarget:
    """One host to scan and how to reach it (no credentials here: see Credentials)."""

    host: str
    port: int | None = None
    transport: Transport = "https"
    auth: str = "negotiate"
    ca_bundle: Path | None = None
    insecure: bool = False
    timeout: float = 60.0
    #: client certificate and key (PEM) for auth="certificate"
    client_cert: Path | None = None
    client_key: Path | None = None

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return 5986 if self.transport == "https" else 5985


_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host[1:-1] if host.startswith("[") and host.endswith("]") else host)
    except ValueError:
        return False
    return True


def _is_dns_name(host: str) -> bool:
    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    if not all(_DNS_LABEL.match(label) for label in labels):
        return False
    # "999.1.1.1" or "10.0.0" are not names (RFC 3696 2): an all-numeric last label is refused.
    return not labels[-1].isdigit()


def _module_available(name: str) -> bool:
    try:
        importlib.import_module(name)
    except (ImportError, OSError):  # OSError: the module is there but its C library is not
        return False
    return True


def _missing_extra(auth: str) -> str | None:
    """The pip extra to install when ``auth`` needs modules that are not importable."""
    if auth == "credssp" and not _module_available("requests_credssp"):
        return "credssp"
    if auth == "kerberos" and sys.platform != "win32":  # Windows uses SSPI, built in
        if not (_module_available("gssapi") and _module_available("krb5")):
            return "kerberos"
    return None


def validate_target(target: RemoteTarget) -> None:
    """Refuse a target that is unsafe or malformed, before any connection is made."""
    host = target.host
    if not isinstance(host, str) or not (_is_ip_literal(host) or _is_dns_name(host)):
        shown = repr(host)[:80]
        raise InputError(f"{shown} is not a valid host name, IPv4 or IPv6 address.")
    if target.transport not in ("https", "http"):
        raise InputError(f"unknown transport {target.transport!r}: use https or http.")
    if target.auth not in SUPPORTED_AUTHS:
        raise InputError(f"unknown authentication {target.auth!r}: use one of {', '.join(SUPPORTED_AUTHS)}.")
    if target.port is not None and not (isinstance(target.port, int) and 1 <= target.port <= 65535):
        raise InputError(f"port {target.port!r} is out of range (1-65535).")
    if not (0 < target.timeout <= MAX_TIMEOUT_S):
        raise InputError(
            f"timeout {target.timeout!r} s is out of range (more than 0, at most {MAX_TIMEOUT_S:g})."
        )
    if target.transport == "http" and target.auth not in MESSAGE_ENCRYPTING_AUTHS:
        raise InputError(
            f"--auth {target.auth} over HTTP would send the credentials and the scan in clear text. Use "
            "--transport https, or an authentication that encrypts the messages over HTTP: "
            + ", ".join(sorted(MESSAGE_ENCRYPTING_AUTHS))
            + "."
        )
    if target.insecure and target.ca_bundle is not None:
        raise InputError("--insecure and --ca-bundle contradict each other: give one of them.")
    if target.ca_bundle is not None and not target.ca_bundle.is_file():
        raise InputError(f"the CA bundle {target.ca_bundle} does not exist or is not a file.")
    if target.auth == "certificate":
        for label, path in (("client certificate", target.client_cert), ("client key", target.client_key)):
            if path is None or not path.is_file():
                raise InputError(f"--auth certificate needs a {label} file (PEM); {path} is missing.")
    extra = _missing_extra(target.auth)
    if extra is not None:
        raise InputError(
            f"--auth {target.auth} needs an optional dependency that is not installed: "
            f'pip install "msdiag[{extra}]" (it brings pypsrp[{extra}]).'
        )


def _validate_checks(checks: Sequence[str]) -> tuple[str, ...]:
    unknown = [c for c in checks if c not in CHECK_NAMES]
    if unknown:
        raise InputError(f"unknown check name(s): {', '.join(map(str, unknown))}.")
    selected = tuple(c for c in CHECK_NAMES if c in checks)
    if not selected:
        raise InputError("no checks selected for the remote scan.")
    return selected


def quiet_transport_loggers() -> None:
    """Keep the transport stack's loggers above DEBUG unless someone configured them on purpose."""
    for name, level in _TRANSPORT_LOGGER_LEVELS.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(level)


# ---------------------------------------------------------------- deadline
class DeadlineExceeded(Exception):
    """The per-host deadline passed; raised by the request wrapper instead of sending."""


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def restart(self, seconds: float) -> None:
        """A fresh, short budget for cleanup (stop the pipeline, delete the shell)."""
        self._end = time.monotonic() + seconds


def _bound_requests_by(wsman: WSMan, deadline: _Deadline) -> None:
    """Make every HTTP request of this WSMan respect the deadline, retries included."""
    transport = wsman.transport
    if isinstance(transport, LeanNegotiateTransport):
        transport.time_left = deadline.remaining  # caps each socket timeout, handshake included
        return
    send_request: Callable[..., bytes] = transport._send_request

    def send_within_deadline(request: Any, timeout: Any = None) -> bytes:
        remaining = deadline.remaining()
        if remaining <= 0:
            raise DeadlineExceeded()
        if isinstance(timeout, tuple):
            connect, read = timeout
        elif timeout is not None:
            connect = read = timeout
        else:
            connect, read = transport.connection_timeout, transport.read_timeout
        return send_request(request, timeout=(min(connect, remaining), min(read, remaining)))

    # pypsrp 0.9 routes every request (auth rounds, retries) through _send_request.
    transport._send_request = send_within_deadline  # type: ignore[method-assign]


# ---------------------------------------------------------------- text hygiene
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|proxy-authorization|www-authenticate)\b\s*[:=]\s*[^,;\r\n]*")
_URL_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s]*@")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _secrets_of(credentials: Credentials) -> list[str]:
    secrets = [credentials.password]
    for encoding in ("utf-8", "latin-1"):
        try:
            pair = f"{credentials.username}:{credentials.password}".encode(encoding)
        except UnicodeEncodeError:
            continue
        secrets.append(base64.b64encode(pair).decode("ascii"))
    return [s for s in secrets if s]


def scrub(text: str, credentials: Credentials | None, limit: int = MAX_DETAIL_CHARS) -> str:
    """Text from exceptions or the host, made safe for a capture: no secrets, one line, bounded."""
    if credentials is not None:
        for secret in _secrets_of(credentials):
            text = text.replace(secret, "[redacted]")
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}: [redacted]", text)
    text = _URL_USERINFO.sub(r"\1[redacted]@", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- failure -> host status
_HINT_ENABLE = (
    "On the host, run `Enable-PSRemoting -Force` in an elevated PowerShell, allow TCP {port} in the "
    "firewall, and check the name and port (`Test-WSMan HOST` from another Windows machine)."
)
_FAULT_HINTS: tuple[tuple[tuple[int, ...], tuple[str, ...], str], ...] = (
    (
        (0x803381A5,),
        ("concurrent shells",),
        "The account has too many open remote shells (MaxShellsPerUser). Close stale sessions "
        "(`Get-PSSession | Remove-PSSession`, or restart the WinRM service) or raise "
        "winrm/config/winrs MaxShellsPerUser.",
    ),
    (
        (0x803381A6,),
        ("concurrent operations",),
        "Too many concurrent WinRM operations for this account (MaxConcurrentOperationsPerUser). "
        "Retry later or raise the quota in winrm/config/service.",
    ),
    (
        (0x80338111,),
        ("maxenvelopesize", "envelope size"),
        "The host's MaxEnvelopeSizekb is smaller than the messages msdiag sends. Raise it: "
        "`Set-Item WSMan:\\localhost\\MaxEnvelopeSizekb 500` (elevated), then retry.",
    ),
    (
        (0x80070005, 5),
        ("access is denied", "access denied"),
        "The account may connect but not use PowerShell remoting: add it to the host's "
        "Administrators or Remote Management Users group.",
    ),
    (
        (0x80338029,),
        ("operation timeout",),
        "The host did not answer within the WSMan operation timeout; it may be overloaded. Retry "
        "with a larger --timeout.",
    ),
)


def _fault_code_text(code: object) -> str:
    if isinstance(code, int):
        return f"0x{code & 0xFFFFFFFF:08X}"
    return scrub(str(code), None, 80) if code else "unknown"


def _fault_hint(code: object, reason: str) -> str:
    lowered = reason.lower()
    for codes, phrases, hint in _FAULT_HINTS:
        if (isinstance(code, int) and (code & 0xFFFFFFFF) in codes) or any(p in lowered for p in phrases):
            return hint
    return (
        "Look the fault code up (`winrm helpmsg CODE` on a Windows machine); `winrm get winrm/config` on "
        "the host shows its quotas (MaxShellsPerUser, MaxEnvelopeSizekb, MaxMemoryPerShellMB)."
    )


def _exception_chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (requests -> urllib3 -> socket errors)."""
    seen: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending and len(seen) < 16:
        current = pending.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        for nested in (
            *current.args,
            getattr(current, "reason", None),
            current.__cause__,
            current.__context__,
        ):
            if isinstance(nested, BaseException):
                pending.append(nested)
    return seen


def _chain_text(exc: BaseException) -> str:
    return " | ".join(f"{type(e).__name__}: {e}" for e in _exception_chain(exc)).lower()


def _connection_status(exc: BaseException, target: RemoteTarget, creds: Credentials) -> HostStatus:
    text = _chain_text(exc)
    where = f"{target.host}:{target.effective_port}"
    enable = _HINT_ENABLE.format(port=target.effective_port)
    if any(
        isinstance(e, OSError) and type(e).__name__ in {"gaierror", "NameResolutionError"}
        for e in _exception_chain(exc)
    ) or any(
        s in text
        for s in (
            "name or service not known",
            "temporary failure in name resolution",
            "nodename nor servname",
            "getaddrinfo failed",
            "no address associated",
            "failed to resolve",
        )
    ):
        return HostStatus(
            state=HostState.UNREACHABLE,
            detail=f"The name {target.host} could not be resolved (DNS).",
            hint="Check the spelling and the DNS suffix (use the FQDN, e.g. PC01.corp.example.com), "
            "or use the IP address.",
        )
    if any(isinstance(e, ConnectionRefusedError) for e in _exception_chain(exc)) or any(
        s in text for s in ("connection refused", "actively refused")
    ):
        return HostStatus(
            state=HostState.UNREACHABLE,
            detail=f"{where} refused the connection: no WinRM {target.transport.upper()} listener there.",
            hint=enable
            + " For HTTPS the host needs an HTTPS listener (`winrm enumerate winrm/config/listener`).",
        )
    if any(s in text for s in ("no route to host", "network is unreachable", "host is unreachable")):
        return HostStatus(
            state=HostState.UNREACHABLE,
            detail=f"There is no network route to {where}.",
            hint="Check that the host is on, on the network (VPN?) and that its address is right.",
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return HostStatus(
            state=HostState.UNREACHABLE,
            detail=f"{where} did not answer the connection attempt (host off, or a firewall drops packets).",
            hint=enable,
        )
    if any(
        s in text
        for s in (
            "connection aborted",
            "connection reset",
            "remotedisconnected",
            "broken pipe",
            "incompleteread",
            "connection broken",
            "protocolerror",
        )
    ):
        return HostStatus(
            state=HostState.UNREACHABLE,
            detail=f"The connection to {where} was dropped in the middle of the exchange.",
            hint="Retry; if it keeps happening, check for a proxy or IDS cutting long WinRM connections and "
            "the host's MaxMemoryPerShellMB / event log (Microsoft-Windows-WinRM/Operational).",
        )
    return HostStatus(
        state=HostState.UNREACHABLE,
        detail=f"Could not talk to {where}: {scrub(f'{type(exc).__name__}: {exc}', creds)}",
        hint=enable,
    )


def _tls_status(exc: BaseException, target: RemoteTarget, creds: Credentials) -> HostStatus:
    text = _chain_text(exc)
    if "hostname mismatch" in text or "doesn't match" in text or "not valid for" in text:
        detail = f"The host's TLS certificate is not issued for the name {target.host}."
        hint = (
            "Connect with the name the certificate was issued for (its CN/SAN), or reissue the certificate."
        )
    elif (
        "certificate_verify_failed" in text
        or "self-signed" in text
        or "self signed" in text
        or ("unable to get local issuer" in text)
    ):
        detail = f"The host's TLS certificate is not trusted here ({target.host}:{target.effective_port})."
        hint = (
            "Give the CA that issued the WinRM certificate with --ca-bundle FILE (PEM). --insecure skips the "
            "check but lets anyone on the path read the scan; use it only on a network you trust."
        )
    else:
        reason = scrub(str(exc), creds, 300)
        detail = f"The TLS handshake with {target.host}:{target.effective_port} failed: {reason}"
        hint = "Check that the port is the WinRM HTTPS listener (5986) and that it has a valid certificate."
    return HostStatus(state=HostState.TLS, detail=detail, hint=hint)


def _timeout_status(target: RemoteTarget, phase: str) -> HostStatus:
    return HostStatus(
        state=HostState.TIMEOUT,
        detail=f"The host did not finish within {target.timeout:g} s ({phase}); msdiag stopped waiting.",
        hint="The host may be hung or very slow (busy CPU, slow probes behind a proxy). Retry with a larger "
        "--timeout, or run `msdiag export-script` on the machine itself.",
    )


def classify_failure(exc: BaseException, target: RemoteTarget, creds: Credentials, phase: str) -> HostStatus:
    """Turn an exception from the remote exchange into a host status (detail + hint, no secrets)."""
    if isinstance(exc, DeadlineExceeded):
        return _timeout_status(target, phase)
    if isinstance(exc, requests.exceptions.SSLError):
        return _tls_status(exc, target, creds)
    if isinstance(exc, requests.exceptions.Timeout) and not isinstance(
        exc, requests.exceptions.ConnectTimeout
    ):
        return _timeout_status(target, phase)
    if isinstance(
        exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError, OSError)
    ):
        return _connection_status(exc, target, creds)
    if isinstance(exc, AuthenticationError) or type(exc).__module__.startswith("spnego"):
        return HostStatus(
            state=HostState.AUTH_FAILED,
            detail=f"The host refused the credentials ({target.auth} authentication).",
            hint="Check the user name (DOMAIN\\user or user@domain) and password; the account must be "
            "allowed to use remoting (Administrators or Remote Management Users). For NTLM over HTTP to a "
            "workgroup machine, the client must list it in TrustedHosts; for Kerberos use the host's FQDN.",
        )
    if isinstance(exc, WSManFaultError):
        reason = scrub(str(exc.reason or ""), creds, 400)
        return HostStatus(
            state=HostState.WINRM_FAULT,
            detail=f"WSMan fault {_fault_code_text(exc.code)} ({phase}): {reason or 'no message'}",
            hint=_fault_hint(exc.code, reason),
        )
    if isinstance(exc, WinRMTransportError):
        code = exc.code if isinstance(exc.code, int) else 0
        body = scrub(str(exc.response_text or ""), creds, 200)
        hint = (
            "The port answers HTTP but not as WinRM: check the port and that /wsman is a WinRM listener."
            if code in (404, 405)
            else "The message was too large for the host: raise MaxEnvelopeSizekb on the host."
            if code == 413
            else "Check the WinRM service on the host (`winrm quickconfig`) and its event log."
        )
        return HostStatus(
            state=HostState.WINRM_FAULT,
            detail=f"The WinRM endpoint answered HTTP {code} ({phase}){': ' + body if body else ''}",
            hint=hint,
        )
    if isinstance(exc, (WinRMError, ET.ParseError)):
        return HostStatus(
            state=HostState.WINRM_FAULT,
            detail=f"The host's answers did not follow the WinRM/PSRP protocol ({phase}): "
            f"{scrub(f'{type(exc).__name__}: {exc}', creds, 300)}",
            hint="Check that the port is a real WinRM listener and that no proxy rewrites the traffic.",
        )
    return HostStatus(
        state=HostState.WINRM_FAULT,
        detail=f"The remote exchange failed unexpectedly ({phase}): "
        f"{scrub(f'{type(exc).__name__}: {exc}', creds, 300)}",
        hint="Retry; if it persists, report it with the capture (MSDIAG_DEBUG=1 shows more).",
    )


# ---------------------------------------------------------------- the exchange
@dataclass
class _Exchange:
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


def _drain_output(ps: PowerShell, exchange: _Exchange, taken: int) -> int:
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


def _poll_timeout(deadline: _Deadline) -> int:
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
    deadline: _Deadline,
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


def _run(
    target: RemoteTarget,
    creds: Credentials,
    checks: tuple[str, ...],
    endpoint_hosts: Sequence[str],
    deadline: _Deadline,
    exchange: _Exchange,
) -> None:
    """The whole exchange with one host; raises on host failures (classified by the caller)."""
    share_ntlm_password_hashes()
    wsman = _wsman_for(target, creds)
    _bound_requests_by(wsman, deadline)
    ignore_proxy_environment(wsman)
    pool = RunspacePool(wsman)
    share_string_escaping(pool)
    ps: PowerShell | None = None
    grace = min(3.0, max(1.0, target.timeout / 4))
    connection_broken = False
    try:
        exchange.phase = "opening the runspace pool"
        pool.open()
        ps = PowerShell(pool)
        parameters = runner_parameters(list(checks), list(endpoint_hosts), ENDPOINT_TIMEOUT_MS)
        exchange.phase = "starting the checks"
        invoke_shared_pipeline(ps, runner_script(checks), parameters)
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


# ---------------------------------------------------------------- capture assembly
def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _short(value: Any) -> str | None:
    return scrub(value, None, 200) if isinstance(value, str) and value else None


def _proxy_scope_warning(result: CheckResult | None) -> str | None:
    """Say whose per-user (HKCU) settings the proxy check read: over remoting it is not obvious."""
    if result is None or result.status is not CheckStatus.OK or result.document is None:
        return None
    try:
        scope = ProxyData.model_validate(result.document.get("data", {})).scope
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


def _checks_after(
    requested: tuple[str, ...], results: dict[str, CheckResult] | None, not_run_reason: str
) -> dict[str, CheckResult]:
    out: dict[str, CheckResult] = {}
    for name in CHECK_NAMES:
        if name not in requested:
            out[name] = CheckResult(status=CheckStatus.NOT_RUN, reason="not selected")
        elif results is not None and name in results:
            out[name] = results[name]
        else:
            out[name] = CheckResult(status=CheckStatus.NOT_RUN, reason=not_run_reason)
    return out


def _output_status(
    exchange: _Exchange, requested: tuple[str, ...], results: dict[str, CheckResult], start: bool, ended: bool
) -> HostStatus:
    if exchange.had_errors:
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


def collect_remote(
    target: RemoteTarget,
    credentials: Credentials,
    checks: Sequence[str],
    *,
    endpoint_hosts: Sequence[str] | None = None,
) -> Capture:
    """Scan one host over WinRM/PSRP. Raises InputError only for bad arguments (see validate_target);
    every host-level failure is returned as the capture's host_status."""
    validate_target(target)
    requested = _validate_checks(checks)
    quiet_transport_loggers()
    collected_utc = _utc_now()
    started = time.monotonic()
    deadline = _Deadline(target.timeout)
    exchange = _Exchange()
    failure: HostStatus | None = None
    log.info(
        "remote scan of %s:%d over %s (%s)", target.host, target.effective_port, target.transport, target.auth
    )
    try:
        _run(target, credentials, requested, endpoint_hosts or DEFAULT_ENDPOINT_HOSTS, deadline, exchange)
    except KeyboardInterrupt:
        raise  # the pool was closed by _run's finally
    except Exception as exc:
        failure = classify_failure(exc, target, credentials, exchange.phase)
        log.info("remote scan of %s failed: %s", target.host, failure.state.value)

    warnings: list[str] = []
    if target.insecure:
        warnings.append(
            "--insecure: the host's TLS certificate was not validated; the connection could have "
            "been intercepted."
        )
    powershell: PowerShellInfo | None = None
    if exchange.texts or exchange.non_text:
        parsed = parse_runner_output(exchange.texts, list(requested))
        if parsed.start is not None:
            powershell = PowerShellInfo(
                edition=_short(parsed.start.get("ps_edition")), version=_short(parsed.start.get("ps_version"))
            )
        checks_out = _checks_after(requested, parsed.results, "the scan ended before this check reported")
        status = failure or _output_status(
            exchange, requested, parsed.results, parsed.start is not None, parsed.ended
        )
        if parsed.stray or exchange.non_text:
            count = len(parsed.stray) + exchange.non_text
            warnings.append(
                f"The host printed {count} output line(s) that are not part of msdiag's runner "
                "protocol (a profile or module writing to the output stream?); they were ignored."
            )
    else:
        status = failure or _output_status(
            exchange, requested, {n: CheckResult(status=CheckStatus.NOT_RUN) for n in requested}, False, False
        )
        checks_out = _checks_after(requested, None, f"the scan did not run ({status.state.value})")
    if not exchange.had_errors and exchange.error_records:
        warnings.append(
            scrub(
                "The runner reported non-terminating errors: " + "; ".join(exchange.error_records[:3]),
                credentials,
                1000,
            )
        )
    scope_warning = _proxy_scope_warning(checks_out.get("proxy"))
    if scope_warning:
        warnings.append(scope_warning)

    return Capture(
        msdiag_version=__version__,
        host=target.host,
        mode="remote",
        collected_utc=collected_utc,
        duration_ms=int((time.monotonic() - started) * 1000),
        powershell=powershell,
        connection=ConnectionInfo(
            transport=target.transport,
            port=target.effective_port,
            auth=target.auth,
            cert_validation=not target.insecure and target.transport == "https",
            insecure=target.insecure,
        ),
        host_status=status,
        checks=checks_out,
        warnings=warnings[:64],
    )
