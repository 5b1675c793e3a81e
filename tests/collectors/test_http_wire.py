"""The lean transport's HTTP/1.1 (msdiag/collectors/remote/http_wire.py) against replies on a real socket.

Each test writes what a host could send (Windows' HTTP.sys replies with Content-Length; other
servers chunk, fold header lines, send 100 Continue, speak HTTP/1.0 or lie) and checks what the
connection makes of it: the same reading http.client had, within the same bounds.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator

import pytest

from msdiag.collectors.remote.http_wire import MAX_HEADERS, HttpConnection

FIXED = (("User-Agent", "Python PSRP Client"), ("Accept-Encoding", "identity"))


class Peer:
    """The host's end of a socket pair: records the request, then sends a canned reply."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.settimeout(5)

    def request(self) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            data += self.sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(next(line for line in head.split(b"\r\n") if line.startswith(b"Content-Length:"))[15:])
        while len(body) < length:
            body += self.sock.recv(65536)
        return data


@pytest.fixture
def pair() -> Iterator[tuple[HttpConnection, Peer]]:
    ours, theirs = socket.socketpair()
    connection = HttpConnection("pc01.corp.example.com", 5985, "/wsman", context=None, fixed_headers=FIXED)
    connection.sock = ours
    yield connection, Peer(theirs)
    connection.close()
    theirs.close()


def _exchange(pair: tuple[HttpConnection, Peer], reply: bytes, body: bytes = b"<s:Envelope/>", max_body: int = 1 << 20):
    connection, peer = pair
    seen: list[bytes] = []

    def host() -> None:
        seen.append(peer.request())
        peer.sock.sendall(reply)

    thread = threading.Thread(target=host)
    thread.start()
    try:
        return connection.post(body, {"Content-Type": "application/soap+xml;charset=UTF-8"}, 5, max_body), seen
    finally:
        thread.join(5)


def test_the_request_is_the_post_http_client_sent(pair: tuple[HttpConnection, Peer]) -> None:
    reply, seen = _exchange(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert seen[0] == (
        b"POST /wsman HTTP/1.1\r\nHost: pc01.corp.example.com:5985\r\nUser-Agent: Python PSRP Client\r\n"
        b"Accept-Encoding: identity\r\nContent-Length: 13\r\n"
        b"Content-Type: application/soap+xml;charset=UTF-8\r\n\r\n<s:Envelope/>"
    )
    assert (reply.status, reply.body, reply.will_close) == (200, b"ok", False)


def test_ipv6_hosts_are_bracketed_in_the_host_field() -> None:
    connection = HttpConnection("fe80::1", 5986, "/wsman", context=None, fixed_headers=())
    assert connection._head.startswith(b"POST /wsman HTTP/1.1\r\nHost: [fe80::1]:5986\r\n")


def test_header_fields_are_read_without_case_and_folded_lines_joined(pair: tuple[HttpConnection, Peer]) -> None:
    reply, _ = _exchange(
        pair,
        b"HTTP/1.1 401 \r\nwww-authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nX-Note: one\r\n two\r\n"
        b"Content-Length: 0\r\n\r\n",
    )
    assert reply.status == 401
    assert reply.headers.get_all("WWW-Authenticate") == ["Negotiate", "NTLM"]
    assert reply.headers.get("x-note") == "one two"
    assert reply.headers.get("Content-Type", "none") == "none" and reply.headers.get_all("Content-Type") is None


def test_chunked_body_and_a_100_continue_first(pair: tuple[HttpConnection, Peer]) -> None:
    reply, _ = _exchange(
        pair,
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\n<s:En\r\n8;ext=1\r\nvelope/>\r\n0\r\nX-Trailer: t\r\n\r\n",
    )
    assert (reply.status, reply.body) == (200, b"<s:Envelope/>")


def test_two_replies_on_one_kept_alive_connection(pair: tuple[HttpConnection, Peer]) -> None:
    first, _ = _exchange(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none")
    second, _ = _exchange(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo")
    assert (first.body, second.body) == (b"one", b"two")


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ],
)
def test_a_reply_that_ends_the_connection_closes_it(pair: tuple[HttpConnection, Peer], reply: bytes) -> None:
    result, _ = _exchange(pair, reply)
    assert result.will_close and result.body == b"ok"
    assert pair[0].sock is None


def test_a_body_larger_than_the_bound_is_not_read_whole(pair: tuple[HttpConnection, Peer]) -> None:
    reply, _ = _exchange(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000, max_body=1000)
    assert reply.oversized and len(reply.body) == 1001
    assert pair[0].sock is None  # the rest is never read: the connection goes


def test_a_reply_cut_short_is_an_incomplete_read(pair: tuple[HttpConnection, Peer]) -> None:
    connection, peer = pair

    def host() -> None:
        peer.request()
        peer.sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly this")
        peer.sock.shutdown(socket.SHUT_WR)

    thread = threading.Thread(target=host)
    thread.start()
    with pytest.raises(http.client.IncompleteRead):
        connection.post(b"x", {}, 5, 1 << 20)
    thread.join(5)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", http.client.BadStatusLine),
        (b"HTTP/1.1 2xx OK\r\n\r\n", http.client.BadStatusLine),
        (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * (MAX_HEADERS + 1) + b"\r\n", http.client.HTTPException),
        (b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70_000 + b"\r\n\r\n", http.client.LineTooLong),
    ],
)
def test_what_is_not_an_http_reply_is_refused(
    pair: tuple[HttpConnection, Peer], reply: bytes, error: type[Exception]
) -> None:
    with pytest.raises(error):
        _exchange(pair, reply)
