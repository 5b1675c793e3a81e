"""Which transport a WinRM port really speaks, asked when the one msdiag used failed at the start.

HTTPS sent to an HTTP listener fails in the TLS handshake (the host answers in plain HTTP:
OpenSSL's "wrong version number"), or the handshake is never answered; plain HTTP sent to an
HTTPS listener makes the host close the connection without a reply. Either looks like a network
fault. One short probe of the other transport tells them apart, so the status can say which to
use: a TLS handshake (nothing sent after it), or a plain HTTP request without credentials (a
WinRM listener answers 401 and says how to authenticate). Bounded by the time left, its sockets
watched like the exchange's.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time

from msdiag.collectors.remote.target import RemoteTarget, Transport
from msdiag.collectors.remote.watchdog import SocketWatch

#: A probe never takes longer than this (and never past the host's deadline).
PROBE_MAX_S = 3.0
#: Below this much time left, no probe is tried.
PROBE_MIN_S = 0.2
_MAX_REPLY_BYTES = 512


def _connect(target: RemoteTarget, seconds: float, watch: SocketWatch) -> socket.socket:
    sock = socket.create_connection((target.bare_host, target.effective_port), timeout=seconds)
    watch.watch(sock)
    return sock


def _speaks_tls(target: RemoteTarget, seconds: float, watch: SocketWatch) -> bool:
    # Only whether TLS answers: no certificate check, and nothing is sent after the handshake.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        _connect(target, seconds, watch) as raw,
        context.wrap_socket(raw, do_handshake_on_connect=False) as tls,
    ):
        tls.do_handshake()
        return True


def _speaks_http(target: RemoteTarget, seconds: float, watch: SocketWatch) -> bool:
    end = time.monotonic() + seconds
    request = (
        f"POST /wsman HTTP/1.1\r\nHost: {target.address}\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    with _connect(target, seconds, watch) as sock:
        sock.sendall(request)
        reply = b""
        while len(reply) < 8 and time.monotonic() < end:
            sock.settimeout(max(0.01, end - time.monotonic()))
            chunk = sock.recv(_MAX_REPLY_BYTES)
            if not chunk:
                break
            reply += chunk
        return reply.startswith(b"HTTP/1.")


def probe_other_transport(target: RemoteTarget, seconds: float) -> Transport | None:
    """The other transport when the port speaks it (within ``seconds``), else None."""
    seconds = min(PROBE_MAX_S, seconds)
    if seconds < PROBE_MIN_S:
        return None
    watch = SocketWatch()
    watch.arm(time.monotonic() + seconds)
    try:
        if target.transport == "http":
            return "https" if _speaks_tls(target, seconds, watch) else None
        return "http" if _speaks_http(target, seconds, watch) else None
    except (OSError, ValueError):  # ssl.SSLError is an OSError: the port does not speak it either
        return None
    finally:
        with contextlib.suppress(Exception):
            watch.close()
