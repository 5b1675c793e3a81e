"""WinRM over one kept-alive HTTP connection, for NTLM/Negotiate: pypsrp's transport without requests.

pypsrp sends every WSMan message through requests and urllib3. For a fleet scan that machinery
is most of the orchestrator's CPU: about half of ~29 ms per host goes to preparing requests,
connection-pool bookkeeping, cookie handling and hooks for 8 HTTP requests (bench/README.md).
NTLM/Negotiate authenticate a TCP connection, and WinRM's message encryption belongs to that
connection's security context, so a WinRM client needs exactly one kept-alive connection per
host, which is what this transport keeps: one HTTP/1.1 connection
(:mod:`~msdiag.collectors.remote.http_wire`: a preformatted request head, reply heads parsed as
bytes), pyspnego for the handshake and WinRM's message encryption framed by
:mod:`~msdiag.collectors.remote.sealing` (the bytes pypsrp's ``WinRMEncryption`` makes). pypsrp's
``WSMan`` still decides, sends and parses every message; only the bytes' trip over HTTP changes.

Differences from pypsrp's requests transport, on purpose:

* The first request already carries the Negotiate token (pypsrp first sends one without
  credentials to be told to authenticate): one round trip fewer per host. HTTP allows credentials
  on any request; curl --negotiate/--ntlm and WinHTTP send them up front too.
* Responses are bounded (``MAX_RESPONSE_BYTES``); requests reads any size a host sends.
* If the host closes the connection, the next message authenticates a new one (pypsrp would
  reuse the old security context there and be refused).

Errors are raised as the same classes pypsrp's transport raises (requests' ConnectionError,
ConnectTimeout, ReadTimeout and SSLError wrapping the socket error, pypsrp's AuthenticationError
and WinRMTransportError), so one status mapping (``remote.classify_failure``) serves both.

Used for ``ntlm`` and ``negotiate`` (HTTP with message encryption, or HTTPS with channel binding);
Kerberos, CredSSP, Basic and certificate authentication keep pypsrp's transport. Checked here
against the lab's pyspnego acceptor only: no Windows host is reachable from this machine, so the
byte-level behaviour against a real WinRM service is not verified (docs/remote.md).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import http.client
import os
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import certifi
import requests
import spnego
import spnego.channel_bindings
from pypsrp.encryption import WinRMEncryption
from pypsrp.exceptions import AuthenticationError, WinRMTransportError
from pypsrp.negotiate import HTTPNegotiateAuth
from pypsrp.wsman import _TransportHTTP

from msdiag.collectors.remote.http_wire import Headers, HttpConnection
from msdiag.collectors.remote.sealing import seal, unseal

#: The authentications this transport handles; others stay on pypsrp's requests transport.
LEAN_AUTHS = frozenset({"ntlm", "negotiate"})
#: A WSMan reply is at most MaxEnvelopeSizekb (500 KB by default, raised by some admins); a host
#: that sends more than this is not a WinRM service worth reading.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_MAX_HANDSHAKE_LEGS = 4
_TOKEN = re.compile(r"(?:^|,)\s*(Negotiate|Kerberos|NTLM)\s*([A-Za-z0-9+/=]*)", re.IGNORECASE)
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
#: The head fields every request carries, in the order http.client sent them before (after Host).
_FIXED_HEADERS = (
    ("User-Agent", "Python PSRP Client"),  # what pypsrp sends; WinRM logs it
    ("Accept-Encoding", "identity"),
    ("Accept", "*/*"),
    ("Connection", "Keep-Alive"),
)


@dataclass
class Traffic:
    """What a transport saw of one host: how many replies came back, and the slowest round trip."""

    replies: int = 0
    slowest_s: float = 0.0
    #: a request was accepted on an authenticated connection (the handshake completed)
    authenticated: bool = False

    def answered(self, seconds: float) -> None:
        self.replies += 1
        if seconds > self.slowest_s:
            self.slowest_s = seconds


class HandshakeTimeout(requests.exceptions.ConnectTimeout):
    """The TCP connection was made, but the TLS handshake got no answer in time."""


@dataclass(frozen=True)
class _Request:
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Headers
    body: bytes


@dataclass(frozen=True)
class _TlsSettings:
    """What decides an SSL context: certificate validation and the CA bundle (cached per value)."""

    validate: bool
    ca_file: str | None


_TLS_CONTEXTS: dict[_TlsSettings, ssl.SSLContext] = {}


def _environment_ca() -> str | None:
    """REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, which pypsrp's transport honours for validation."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None


def _tls_context(settings: _TlsSettings) -> ssl.SSLContext:
    # Building a context loads the CA bundle (~10 ms); requests rebuilds one per connection.
    # Contexts are safe to share between threads.
    context = _TLS_CONTEXTS.get(settings)
    if context is None:
        if settings.validate:
            # the same trust as requests' verify: a given CA file or directory, else certifi's bundle
            ca = settings.ca_file or certifi.where()
            if os.path.isdir(ca):
                context = ssl.create_default_context(capath=ca)
            else:
                context = ssl.create_default_context(cafile=ca)
        else:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        _TLS_CONTEXTS[settings] = context
    return context


def _auth_token(headers: Headers) -> bytes | None:
    """The Negotiate/NTLM token in the WWW-Authenticate headers, if there is one."""
    for value in headers.get_all("WWW-Authenticate") or ():
        match = _TOKEN.search(value)
        if match and match.group(2):
            try:
                return base64.b64decode(match.group(2), validate=True)
            except binascii.Error as exc:
                raise AuthenticationError("The host sent an undecodable authentication token") from exc
    return None


@contextlib.contextmanager
def _as_requests_errors(
    on_timeout: type[requests.exceptions.Timeout], cleanup: Callable[[], None]
) -> Iterator[None]:
    """Socket, TLS and HTTP errors as the requests exceptions pypsrp's transport raises."""
    try:
        yield
    except ssl.SSLError as exc:  # before OSError, of which it is a subclass
        cleanup()
        raise requests.exceptions.SSLError(exc) from exc
    except TimeoutError as exc:
        cleanup()
        raise on_timeout(exc) from exc
    except (OSError, http.client.HTTPException) as exc:
        cleanup()
        raise requests.exceptions.ConnectionError(exc) from exc


def _offers_negotiate(headers: Headers) -> bool:
    offered = " ".join(headers.get_all("WWW-Authenticate") or ()).lower()
    return "negotiate" in offered or "ntlm" in offered


class LeanNegotiateTransport(_TransportHTTP):
    """pypsrp's ``_TransportHTTP`` for NTLM/Negotiate, on one HTTP connection.

    Built from the transport pypsrp made (``adopt``), so pypsrp validates the options as usual.
    ``time_left`` (seconds, or None for no bound) caps every socket timeout: remote scans set it to
    the per-host deadline. ``on_socket`` is given every socket connected (before any TLS
    handshake): remote scans' watchdog shuts them down at the deadline. ``traffic`` counts replies.
    """

    time_left: Callable[[], float] | None = None
    on_socket: Callable[[socket.socket], None] | None = None
    traffic: Traffic | None = None

    @classmethod
    def adopt(cls, original: _TransportHTTP) -> LeanNegotiateTransport:
        if original.auth not in LEAN_AUTHS:
            raise ValueError(f"the lean transport does not do {original.auth} authentication")
        lean = cls.__new__(cls)
        lean.__dict__.update(vars(original))
        lean._connection = None
        lean._context = None
        return lean

    _connection: HttpConnection | None
    _context: Any

    # ------------------------------------------------------------------ pypsrp's interface
    def close(self) -> None:
        """Drop the connection and its security context; the next message authenticates anew."""
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._context = None
        self.encryption = None

    def send(
        self,
        message: bytes,
        *,
        retries_on_read_timeout: int = 0,
        timeout: int | float | tuple[int | float, int | float] | None = None,
    ) -> bytes:
        # retries_on_read_timeout is not honoured: a read timeout means the host did not answer
        # within its OperationTimeout plus a margin; the per-host deadline decides what happens.
        if self._context is None or self._connection is None or self._connection.sock is None:
            if self.wrap_required:
                self._authenticate(None, timeout)
            else:
                # Over HTTPS without message encryption, the handshake carries the first message,
                # as pypsrp's does; its final reply is that message's reply.
                return self._checked(self._authenticate(self._plain(message), timeout))
        request = self._encrypted(message) if self.wrap_required else self._plain(message)
        return self._send_request(request, timeout=timeout)

    def _send_request(self, request: Any, timeout: Any = None) -> bytes:
        """Send one message on the authenticated connection; the reply's (decrypted) bytes."""
        response = self._round_trip(request, timeout)
        if self._connection is None or self._connection.sock is None:
            self.close()  # the host closed it, and the context died with it: authenticate the next one
        return self._checked(response)

    # ------------------------------------------------------------------ messages
    def _plain(self, message: bytes) -> _Request:
        return _Request(message, {"Content-Type": "application/soap+xml;charset=UTF-8"})

    def _encrypted(self, message: bytes) -> _Request:
        assert self.encryption is not None
        content_type, payload = seal(self.encryption, message)
        header = f'{content_type};protocol="{self.encryption.protocol}";boundary="Encrypted Boundary"'
        return _Request(payload, {"Content-Type": header})

    def _checked(self, response: _Response) -> bytes:
        """The reply's content (decrypted), or pypsrp's exception for a refused or failed request."""
        content = response.body
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith(("multipart/encrypted;", "multipart/x-multi-encrypted;")):
            boundary = _BOUNDARY.search(content_type)
            if self.encryption is None or boundary is None:
                raise WinRMTransportError("http", response.status, "an encrypted reply without a context")
            content = unseal(self.encryption, content, boundary.group(1))
        if response.status == 401:
            raise AuthenticationError(f"Failed to authenticate the user {self.username} with {self.auth}")
        if not 200 <= response.status < 300:
            raise WinRMTransportError("http", response.status, content.decode("utf-8", "replace"))
        return content

    # ------------------------------------------------------------------ the handshake
    def _new_context(self) -> Any:
        bindings = None
        if self.ssl and getattr(self, "negotiate_send_cbt", None) is not False:
            bindings = self._channel_bindings()
        context_req = spnego.ContextReq.default
        if getattr(self, "negotiate_delegate", None):
            context_req |= spnego.ContextReq.delegate
        return spnego.client(
            self.username,
            self.password,
            hostname=getattr(self, "negotiate_hostname_override", None) or self.server,
            service=getattr(self, "negotiate_service", None) or "WSMAN",
            channel_bindings=bindings,
            context_req=context_req,
            protocol=self.auth,
            options=spnego.NegotiateOptions.wrapping_winrm
            if self.wrap_required
            else spnego.NegotiateOptions.none,
        )

    def _channel_bindings(self) -> spnego.channel_bindings.GssChannelBindings | None:
        """RFC 5929 tls-server-end-point of the host's certificate (WinRM's CbtHardeningLevel)."""
        connection = self._connect(None)
        sock = connection.sock
        if not isinstance(sock, ssl.SSLSocket):
            return None
        certificate = sock.getpeercert(binary_form=True)
        if not certificate:
            return None
        digest: bytes = HTTPNegotiateAuth._get_certificate_hash(certificate)  # type: ignore[no-untyped-call]
        return spnego.channel_bindings.GssChannelBindings(application_data=b"tls-server-end-point:" + digest)

    def _authenticate(self, first: _Request | None, timeout: Any) -> _Response:
        """Run the Negotiate handshake on a fresh connection; the final (authenticated) response."""
        self.close()
        self._connect(timeout)
        context = self._new_context()
        request = first or _Request(b"", {})
        token: bytes | None = context.step()  # sent with the first request (see the module text)
        response: _Response | None = None
        for _ in range(_MAX_HANDSHAKE_LEGS):
            headers = dict(request.headers)
            if token is not None:
                headers["Authorization"] = "Negotiate " + base64.b64encode(token).decode("ascii")
            response = self._round_trip(_Request(request.body, headers), timeout)
            in_token = _auth_token(response.headers)
            if response.status != 401:
                if in_token is not None and not context.complete:
                    context.step(in_token)  # the server's final token (SPNEGO's mechListMIC)
                break
            if in_token is None:
                if not _offers_negotiate(response.headers):
                    offered = ", ".join(response.headers.get_all("WWW-Authenticate") or ()) or "nothing"
                    raise AuthenticationError(
                        f"The host did not offer Negotiate/NTLM authentication (it offered {offered})"
                    )
                break  # the host refused the credentials
            token = context.step(in_token)
        if response is None or response.status == 401 or not context.complete:
            raise AuthenticationError(f"Failed to authenticate the user {self.username} with {self.auth}")
        self._context = context
        if self.traffic is not None:
            self.traffic.authenticated = True
        if self.wrap_required:
            self.encryption = WinRMEncryption(context, WinRMEncryption.SPNEGO)
        return response

    # ------------------------------------------------------------------ HTTP
    def _timeouts(self, timeout: Any) -> tuple[float, float]:
        if isinstance(timeout, tuple):
            connect, read = float(timeout[0]), float(timeout[1])
        elif timeout is not None:
            connect = read = float(timeout)
        else:
            connect, read = float(self.connection_timeout), float(self.read_timeout)
        if self.time_left is not None:
            left = self.time_left()
            if left <= 0:
                raise requests.exceptions.ReadTimeout("the per-host deadline has passed")
            connect, read = min(connect, left), min(read, left)
        return connect, read

    def _connect(self, timeout: Any) -> HttpConnection:
        if self._connection is not None and self._connection.sock is not None:
            return self._connection
        connect, _read = self._timeouts(timeout)
        context = None
        if self.ssl:
            ca_file = self.cert_validation if isinstance(self.cert_validation, str) else _environment_ca()
            context = _tls_context(_TlsSettings(validate=bool(self.cert_validation), ca_file=ca_file))
        connected: list[socket.socket] = []

        def on_socket(sock: socket.socket) -> None:
            connected.append(sock)
            if self.on_socket is not None:
                self.on_socket(sock)

        connection = HttpConnection(
            self.server,
            self.port,
            "/" + self.path,
            context=context,
            fixed_headers=_FIXED_HEADERS,
            on_socket=on_socket,
        )
        try:
            with _as_requests_errors(requests.exceptions.ConnectTimeout, connection.close):
                connection.connect(connect)
        except requests.exceptions.RequestException as exc:
            # TCP worked but the TLS handshake timed out, or was cut at the deadline by the watchdog
            timed_out = isinstance(exc, requests.exceptions.ConnectTimeout) or (
                self.time_left is not None and self.time_left() <= 0
            )
            if connected and self.ssl and timed_out:
                raise HandshakeTimeout(exc) from exc.__cause__
            raise
        self._connection = connection
        return connection

    def _round_trip(self, request: _Request, timeout: Any) -> _Response:
        connection = self._connection
        if connection is None or connection.sock is None:
            # never reconnect silently: the security context belongs to the old connection
            raise requests.exceptions.ConnectionError("the WinRM connection was closed")
        _connect, read = self._timeouts(timeout)
        # after a failed exchange the connection is in an unknown state: never reuse it
        started = time.monotonic()
        with _as_requests_errors(requests.exceptions.ReadTimeout, self.close):
            reply = connection.post(request.body, request.headers, read, MAX_RESPONSE_BYTES)
        if self.traffic is not None:
            self.traffic.answered(time.monotonic() - started)
        if reply.oversized:
            self.close()
            raise WinRMTransportError(
                "http", reply.status, f"the reply is larger than {MAX_RESPONSE_BYTES} bytes; not read"
            )
        return _Response(reply.status, reply.headers, reply.body)
