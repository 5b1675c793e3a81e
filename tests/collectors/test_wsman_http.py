"""The lean NTLM/Negotiate transport (msdiag/collectors/wsman_http.py) against real sockets.

The lab (real pyspnego acceptor, message encryption, TLS with channel binding) checks that a scan
works and costs one round trip fewer; small misbehaving HTTP servers on 127.0.0.1 check what a
hostile or broken host gets: a clear status, never a hang, never an unbounded read.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pypsrp.exceptions import AuthenticationError, WinRMTransportError
from pypsrp.wsman import WSMan

from msdiag.capture.models import HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote, wsman_http
from msdiag.collectors.remote.wsman_http import LeanNegotiateTransport
from msdiag.lab import LabHost, LabServer, load_lab_hosts

USER = "LAB\\helpdesk"
PASSWORD = "Lean-Tr4nsport!"
CREDS = Credentials(USER, PASSWORD)


def _capture() -> Any:
    return {h.name: h for h in load_lab_hosts()}["healthy-ja-jp"].capture


@pytest.fixture(scope="module")
def http_lab() -> Iterator[Any]:
    with LabServer(
        [LabHost("pc1", _capture()), LabHost("pc2", _capture())],
        transport="http",
        username=USER,
        password=PASSWORD,
    ) as server:
        yield server


@pytest.fixture(scope="module")
def https_lab() -> Iterator[Any]:
    with LabServer(
        [LabHost("pc1", _capture())], transport="https", username=USER, password=PASSWORD
    ) as server:
        yield server


@pytest.mark.parametrize("auth", ["ntlm", "negotiate"])
def test_scan_uses_one_connection_and_one_round_trip_fewer(
    http_lab: Any, auth: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msdiag.collectors.remote import session

    stats = http_lab.host_stats("pc1")
    target = RemoteTarget(host="127.0.0.1", port=http_lab.port_of("pc1"), transport="http", auth=auth)

    def scan() -> tuple[int, int]:
        connections, requests_before = stats.connections, stats.requests
        capture = collect_remote(target, CREDS, CHECK_NAMES)
        assert capture.host_status.state is HostState.OK, capture.host_status
        return stats.connections - connections, stats.requests - requests_before

    connections, lean = scan()
    assert connections == 1  # NTLM binds the session to one TCP connection
    # 2 handshake legs (the first already carries the token) + Create, Receive, Command (+ Send when the
    # runner does not fit one envelope), Receive, Delete; pypsrp's own transport sends one
    # unauthenticated request first
    assert lean in (7, 8)
    with monkeypatch.context() as patch:
        patch.setattr(session, "LEAN_AUTHS", frozenset())  # pypsrp's own transport, same scan
        _, plain = scan()
    assert lean == plain - 1
    assert stats.open_shells == 0


def test_https_sends_channel_bindings_the_lab_enforces(https_lab: Any) -> None:
    ca = Path(https_lab.ca_file)
    target = RemoteTarget(
        host="127.0.0.1", port=https_lab.port_of("pc1"), auth="ntlm", ca_bundle=ca, timeout=20
    )
    capture = collect_remote(target, CREDS, CHECK_NAMES)
    assert capture.host_status.state is HostState.OK, capture.host_status

    # Without the binding the lab refuses the login, so the scan above proves the binding was right.
    wsman = WSMan(
        "127.0.0.1",
        port=https_lab.port_of("pc1"),
        username=USER,
        password=PASSWORD,
        ssl=True,
        auth="ntlm",
        cert_validation=str(ca),
        negotiate_send_cbt=False,
    )
    transport = LeanNegotiateTransport.adopt(wsman.transport)
    with pytest.raises(AuthenticationError):
        transport.send(b"<s:Envelope/>", timeout=10)
    transport.close()


def test_only_ntlm_and_negotiate_are_adopted() -> None:
    wsman = WSMan("127.0.0.1", port=5986, username=USER, password=PASSWORD, ssl=True, auth="basic")
    with pytest.raises(ValueError, match="basic"):
        LeanNegotiateTransport.adopt(wsman.transport)


# ---------------------------------------------------------------- misbehaving hosts
class RawHttpServer:
    """One-connection-at-a-time HTTP server on 127.0.0.1 that answers with ``reply(request_bytes)``."""

    def __init__(self, reply: Callable[[bytes, socket.socket], None]) -> None:
        self._reply = reply
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.requests: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    while True:
                        head = b""
                        while b"\r\n\r\n" not in head:
                            chunk = conn.recv(65536)
                            if not chunk:
                                raise ConnectionError
                            head += chunk
                        headers, _, body = head.partition(b"\r\n\r\n")
                        length = 0
                        for line in headers.split(b"\r\n"):
                            if line.lower().startswith(b"content-length:"):
                                length = int(line.split(b":", 1)[1])
                        while len(body) < length:
                            body += conn.recv(65536)
                        self.requests.append(headers)
                        self._reply(headers, conn)
                except (OSError, ConnectionError):
                    continue

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[bytes, socket.socket], None]], RawHttpServer]]:
    servers: list[RawHttpServer] = []

    def start(reply: Callable[[bytes, socket.socket], None]) -> RawHttpServer:
        servers.append(RawHttpServer(reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _transport(port: int, read_timeout: int = 5) -> LeanNegotiateTransport:
    wsman = WSMan(
        "127.0.0.1",
        port=port,
        username=USER,
        password=PASSWORD,
        ssl=False,
        auth="ntlm",
        connection_timeout=5,
        read_timeout=read_timeout,
        operation_timeout=2,
    )
    return LeanNegotiateTransport.adopt(wsman.transport)


def test_host_offering_only_basic_is_an_authentication_error_naming_it(raw_server: Any) -> None:
    def basic_only(_headers: bytes, conn: socket.socket) -> None:
        conn.sendall(
            b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="WSMAN"\r\nContent-Length: 0\r\n\r\n'
        )

    server = raw_server(basic_only)
    transport = _transport(server.port)
    with pytest.raises(AuthenticationError, match="Basic"):
        transport.send(b"<s:Envelope/>")
    # the first request already carried the NTLM negotiate message
    assert b"Authorization: Negotiate TlRMTVNT" in server.requests[0]


def test_oversized_reply_is_not_read(raw_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsman_http, "MAX_RESPONSE_BYTES", 64 * 1024)

    def flood(_headers: bytes, conn: socket.socket) -> None:
        size = 1024 * 1024
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        try:
            conn.sendall(b"A" * size)
        except OSError:
            pass  # the client stopped reading, as it should

    server = raw_server(flood)
    transport = _transport(server.port)
    with pytest.raises(WinRMTransportError, match="larger than 65536 bytes"):
        transport.send(b"<s:Envelope/>")


def test_connection_dropped_mid_reply_is_a_connection_error(raw_server: Any) -> None:
    def drop(_headers: bytes, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 500\r\n\r\npartial")
        conn.shutdown(socket.SHUT_RDWR)

    server = raw_server(drop)
    transport = _transport(server.port)
    with pytest.raises(requests.exceptions.ConnectionError):
        transport.send(b"<s:Envelope/>")


def test_silent_host_times_out_within_the_read_timeout(raw_server: Any) -> None:
    def silent(_headers: bytes, _conn: socket.socket) -> None:
        time.sleep(4)

    server = raw_server(silent)
    transport = _transport(server.port, read_timeout=1)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        transport.send(b"<s:Envelope/>")
    assert time.monotonic() - started < 3


def test_deadline_caps_the_socket_timeout(raw_server: Any) -> None:
    def silent(_headers: bytes, _conn: socket.socket) -> None:
        time.sleep(4)

    server = raw_server(silent)
    transport = _transport(server.port, read_timeout=30)
    end = time.monotonic() + 1.0
    transport.time_left = lambda: end - time.monotonic()
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        transport.send(b"<s:Envelope/>")
    assert time.monotonic() - started < 3


def test_refused_connection_maps_to_unreachable_status() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there now
    target = RemoteTarget(host="127.0.0.1", port=port, transport="http", auth="ntlm", timeout=5)
    capture = collect_remote(target, CREDS, CHECK_NAMES)
    assert capture.host_status.state is HostState.UNREACHABLE
    assert "refused the connection" in (capture.host_status.detail or "")


def test_basic_only_host_maps_to_auth_failed_status(raw_server: Any) -> None:
    def basic_only(_headers: bytes, conn: socket.socket) -> None:
        conn.sendall(
            b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="WSMAN"\r\nContent-Length: 0\r\n\r\n'
        )

    server = raw_server(basic_only)
    target = RemoteTarget(host="127.0.0.1", port=server.port, transport="http", auth="negotiate", timeout=5)
    capture = collect_remote(target, CREDS, CHECK_NAMES)
    assert capture.host_status.state is HostState.AUTH_FAILED
    assert PASSWORD not in capture.model_dump_json()


def test_https_trusts_requests_ca_bundle_like_pypsrp(https_lab: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # pypsrp's transport honours REQUESTS_CA_BUNDLE (docs/remote.md says so); the lean one must too
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(https_lab.ca_file))
    target = RemoteTarget(host="127.0.0.1", port=https_lab.port_of("pc1"), auth="negotiate", timeout=20)
    capture = collect_remote(target, CREDS, CHECK_NAMES)
    assert capture.host_status.state is HostState.OK, capture.host_status
