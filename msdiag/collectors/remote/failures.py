"""What went wrong with a remote host, in words a helpdesk can act on: a host status with a hint.

:func:`classify_failure` maps an exception from the exchange (requests, urllib3, sockets, pypsrp,
pyspnego) to the capture's ``host_status``; every text that came from the host or an exception
is scrubbed of secrets first.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET

import requests
from pypsrp.exceptions import AuthenticationError, WinRMError, WinRMTransportError, WSManFaultError

from msdiag.capture.models import HostState, HostStatus
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote.deadline import DeadlineExceeded
from msdiag.collectors.remote.scrubbing import scrub
from msdiag.collectors.remote.target import DEFAULT_PORTS, RemoteTarget, Transport
from msdiag.collectors.remote.watchdog import abandoned
from msdiag.collectors.remote.wsman_http import HandshakeTimeout, Traffic

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


#: What OpenSSL says when the other side answers a ClientHello with something that is not TLS
_NOT_TLS = (
    "wrong version number",
    "unknown protocol",
    "http request",
    "record layer failure",
    "packet length",
)
#: ... and when it closes the connection in the handshake (a listener that drops what it cannot read)
_TLS_CUT = ("eof occurred", "unexpected eof", "connection reset")


def mismatch_suspected(exc: BaseException, target: RemoteTarget, traffic: Traffic) -> bool:
    """Whether the failure looks like the other transport's listener (worth a probe of it)."""
    if traffic.replies:
        return False  # the host answered in this transport already
    chain = _exception_chain(exc)
    if any(
        isinstance(e, (ConnectionRefusedError, TimeoutError, socket.gaierror)) for e in chain
    ) and not isinstance(exc, HandshakeTimeout):
        return False  # nothing listens, nothing answered the TCP connection, or no such name
    if target.transport == "https":
        text = _chain_text(exc)
        return isinstance(exc, HandshakeTimeout) or (
            isinstance(exc, requests.exceptions.SSLError) and any(s in text for s in _NOT_TLS + _TLS_CUT)
        )
    return isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
        exc, requests.exceptions.ConnectTimeout
    )


def _mismatch_status(target: RemoteTarget, speaks: Transport) -> HostStatus:
    where = target.address
    if speaks == "http":
        detail = (
            f"{where} answers plain HTTP, not HTTPS: it is a WinRM HTTP listener, and msdiag used "
            "--transport https."
        )
        hint = (
            f"Scan it with --transport http (its default port is {DEFAULT_PORTS['http']}; the messages are still "
            "encrypted with --auth negotiate or ntlm), or use the host's HTTPS listener (port "
            f"{DEFAULT_PORTS['https']} by default; `winrm enumerate winrm/config/listener` on the host lists them)."
        )
    else:
        detail = (
            f"{where} speaks HTTPS (TLS), not plain HTTP: it is a WinRM HTTPS listener, and msdiag used "
            "--transport http."
        )
        hint = (
            f"Scan it with --transport https (its default port is {DEFAULT_PORTS['https']}; give the CA that "
            "issued its certificate with --ca-bundle), or use the host's HTTP listener (port "
            f"{DEFAULT_PORTS['http']} by default)."
        )
    return HostStatus(state=HostState.TLS, detail=detail, hint=hint)


def _seconds(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _connection_status(
    exc: BaseException, target: RemoteTarget, creds: Credentials, answered: bool
) -> HostStatus:
    text = _chain_text(exc)
    where = target.address
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
    if isinstance(exc, HandshakeTimeout):
        return HostStatus(
            state=HostState.TLS,
            detail=f"{where} accepted the connection but did not answer the TLS handshake in time.",
            hint="An HTTP (not HTTPS) listener on that port, or a hung WinRM service: try --transport http, "
            "and check the listeners (`winrm enumerate winrm/config/listener`) and the service on the host.",
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
        if not answered:
            return HostStatus(
                state=HostState.UNREACHABLE,
                detail=f"{where} closed the connection without answering msdiag's first request.",
                hint=f"If the port is an HTTPS listener, use --transport {'https' if target.transport == 'http' else 'http'} "
                "to match it; otherwise the WinRM service may be failing (event log "
                "Microsoft-Windows-WinRM/Operational) or a proxy or IDS cuts WinRM connections.",
            )
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
        detail = f"The host's TLS certificate is not trusted here ({target.address})."
        hint = (
            "Give the CA that issued the WinRM certificate with --ca-bundle FILE (PEM). --insecure skips the "
            "check but lets anyone on the path read the scan; use it only on a network you trust."
        )
    elif any(s in text for s in _NOT_TLS):
        detail = f"{target.address} did not answer the TLS handshake with TLS: it is not an HTTPS listener."
        hint = (
            "It is most likely WinRM's HTTP listener: scan it with --transport http (default port "
            f"{DEFAULT_PORTS['http']}), or use the host's HTTPS listener (default port {DEFAULT_PORTS['https']})."
        )
    else:
        reason = scrub(str(exc), creds, 300)
        detail = f"The TLS handshake with {target.address} failed: {reason}"
        hint = "Check that the port is the WinRM HTTPS listener (5986) and that it has a valid certificate."
    return HostStatus(state=HostState.TLS, detail=detail, hint=hint)


_TIMEOUT_HINT = (
    "The host may be hung or very slow (busy CPU, slow probes behind a proxy). Retry with a larger "
    "--timeout, or run `msdiag export-script` on the machine itself."
)


def _timeout_status(target: RemoteTarget, phase: str, elapsed: float | None, deadline: bool) -> HostStatus:
    waited = _seconds(target.timeout if elapsed is None else elapsed)
    if abandoned():
        detail = f"The scan was cut short by a second interrupt ({phase}) after {waited} s."
    elif deadline:
        detail = f"The host did not finish in time ({phase}): msdiag gave up after {waited} s (--timeout {target.timeout:g})."
    else:
        detail = (
            f"The host stopped answering ({phase}): a request got no reply within the WSMan operation timeout "
            f"and a margin; msdiag gave up after {waited} s (--timeout {target.timeout:g} allowed more)."
        )
    return HostStatus(state=HostState.TIMEOUT, detail=detail, hint=_TIMEOUT_HINT)


def classify_failure(
    exc: BaseException,
    target: RemoteTarget,
    creds: Credentials,
    phase: str,
    *,
    elapsed: float | None = None,
    answered: bool = True,
    other_transport: Transport | None = None,
) -> HostStatus:
    """Turn an exception from the remote exchange into a host status (detail + hint, no secrets).

    ``elapsed``: seconds the exchange took; ``answered``: whether the host ever replied;
    ``other_transport``: the transport a probe found the port speaking (see transport_probe).
    """
    if other_transport is not None and other_transport != target.transport:
        return _mismatch_status(target, other_transport)
    if isinstance(exc, DeadlineExceeded):
        return _timeout_status(target, phase, elapsed, deadline=True)
    if isinstance(exc, requests.exceptions.SSLError):
        return _tls_status(exc, target, creds)
    if isinstance(exc, requests.exceptions.Timeout) and not isinstance(
        exc, requests.exceptions.ConnectTimeout
    ):
        return _timeout_status(target, phase, elapsed, deadline=False)
    if isinstance(
        exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError, OSError)
    ):
        return _connection_status(exc, target, creds, answered)
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
