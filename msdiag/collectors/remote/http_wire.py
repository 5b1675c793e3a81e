"""HTTP/1.1 on one socket for WinRM: a preformatted request head, the reply's head parsed as bytes.

The lean transport (:mod:`~msdiag.collectors.remote.wsman_http`) sends 7 requests per host on one
kept-alive connection. ``http.client`` parsed every reply's headers with the e-mail package's
feed parser and built each request head line by line (about 0.15 ms of CPU per request); WinRM
needs neither: its requests are always the same POST, and of a reply only the status, a handful
of headers and a body of known length are used. So a connection here keeps the request head
that never changes as bytes, and reads the reply head as bytes, with the same bounds
``http.client`` has (a line at most 65,536 bytes, at most 100 headers) and a bound on the body.

Errors are the ``http.client`` exceptions for the same faults (``BadStatusLine``,
``LineTooLong``, ``IncompleteRead``, ``HTTPException``) or the socket's own (``OSError``,
``TimeoutError``, ``ssl.SSLError``): the transport maps them to what pypsrp raises.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

#: The bounds http.client applies to a reply's head (a line, the number of fields), and one on the
#: whole head (a WinRM reply's is a few hundred bytes).
MAX_LINE_BYTES = 65536
MAX_HEADERS = 100
MAX_HEAD_BYTES = 1024 * 1024
_RECV_BYTES = 65536
_HEAD_END = b"\r\n\r\n"


class Headers:
    """A reply's header fields: names compared without case, values as Latin-1 text."""

    __slots__ = ("_fields",)

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields

    def get(self, name: str, default: str = "") -> str:
        """The first field called ``name`` (as ``http.client``'s ``HTTPMessage.get``), else ``default``."""
        wanted = name.lower()
        return next((value for key, value in self._fields if key == wanted), default)

    def get_all(self, name: str) -> list[str] | None:
        """Every field called ``name``, in order; None when there is none."""
        wanted = name.lower()
        return [value for key, value in self._fields if key == wanted] or None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get_all(name) is not None


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Headers
    body: bytes
    #: the host closes the connection after this reply (or it was read until the end)
    will_close: bool
    #: the body was longer than the bound: ``body`` holds only the first bound + 1 bytes
    oversized: bool = False


def _parse_head(head: bytes) -> tuple[str, int, Headers]:
    """(version, status, headers) of a reply head (without its final empty line)."""
    status_line, *lines = head.split(b"\r\n")
    if len(lines) > MAX_HEADERS:
        raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
    text = status_line.decode("iso-8859-1")
    version, _, rest = text.partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/") or len(code) != 3 or not code.isdigit():
        raise http.client.BadStatusLine(text[:200])
    fields: list[tuple[str, str]] = []
    for line in lines:
        if len(line) > MAX_LINE_BYTES:
            raise http.client.LineTooLong("header line")
        if line[:1] in (b" ", b"\t") and fields:  # an obsolete folded continuation line
            folded_name, folded_value = fields[-1]
            fields[-1] = (folded_name, f"{folded_value} {line.strip().decode('iso-8859-1')}")
            continue
        name, colon, value = line.partition(b":")
        if colon:
            fields.append((name.strip().decode("iso-8859-1").lower(), value.strip().decode("iso-8859-1")))
    return version, int(code), Headers(fields)


def _closes(version: str, headers: Headers) -> bool:
    """Whether the host closes the connection after this reply (http.client's rules)."""
    connection = headers.get("connection").lower()
    if version == "HTTP/1.0" or version == "HTTP/0.9":
        return "keep-alive" not in connection
    return "close" in connection


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if not value:
        return None
    try:
        length = int(value)
    except ValueError:
        return None  # as http.client: an unusable length means "read until the end"
    return length if length >= 0 else None


class HttpConnection:
    """One kept-alive HTTP/1.1 connection (plain or TLS) that POSTs to one path.

    ``on_socket`` is given the TCP socket as soon as it is connected, before any TLS handshake
    (the per-host watchdog shuts it down at the deadline).
    """

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        *,
        context: ssl.SSLContext | None,
        fixed_headers: tuple[tuple[str, str], ...],
        on_socket: Callable[[socket.socket], None] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.context = context
        self.on_socket = on_socket
        self.sock: socket.socket | None = None
        self._buffer = b""
        # what http.client would send first: the request line and Host (an IPv6 address in brackets)
        authority = f"[{host}]" if ":" in host else host
        lines = [f"POST {path} HTTP/1.1", f"Host: {authority}:{port}"]
        lines.extend(f"{name}: {value}" for name, value in fixed_headers)
        self._head = ("\r\n".join(lines) + "\r\n").encode("iso-8859-1")

    def connect(self, timeout: float) -> None:
        sock = socket.create_connection((self.host, self.port), timeout)
        try:
            if self.on_socket is not None:
                self.on_socket(sock)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as http.client does
            if self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        self._buffer = b""

    def close(self) -> None:
        sock, self.sock = self.sock, None
        self._buffer = b""
        if sock is not None:
            sock.close()

    def post(self, body: bytes, headers: dict[str, str], timeout: float, max_body: int) -> Reply:
        """Send one POST and read its reply (at most ``max_body`` bytes of body are kept)."""
        sock = self.sock
        if sock is None:
            raise http.client.NotConnected()
        sock.settimeout(timeout)
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head = self._head + f"Content-Length: {len(body)}\r\n{extra}\r\n".encode("iso-8859-1")
        # one write: a head and body sent apart can wait for a delayed ACK (as http.client avoids)
        sock.sendall(head + body)
        while True:
            version, status, fields = _parse_head(self._read_head(sock))
            if status != 100:
                break  # (a 100 Continue is followed by the real reply)
        will_close = _closes(version, fields)
        if status in (204, 304) or 100 <= status < 200:
            return Reply(status, fields, b"", will_close)
        if "chunked" in fields.get("transfer-encoding").lower():
            body_read, oversized = self._read_chunked(sock, max_body)
        else:
            length = _content_length(fields)
            if length is None:
                body_read, oversized = self._read_to_end(sock, max_body)
                will_close = True
            elif length > max_body:
                body_read, oversized = self._read_exactly(sock, max_body + 1), True
            else:
                body_read, oversized = self._read_exactly(sock, length), False
        if will_close or oversized:
            self.close()
        return Reply(status, fields, body_read, will_close, oversized)

    # ------------------------------------------------------------------ reading
    def _recv(self, sock: socket.socket) -> bytes:
        chunk = sock.recv(_RECV_BYTES)
        if not chunk:
            raise http.client.RemoteDisconnected("the host closed the connection without a reply")
        return chunk

    def _read_head(self, sock: socket.socket) -> bytes:
        buffer = self._buffer
        searched = 0
        while True:
            end = buffer.find(_HEAD_END, max(0, searched - 3))
            if end >= 0:
                self._buffer = buffer[end + 4 :]
                return buffer[:end]
            if len(buffer) > MAX_HEAD_BYTES:
                raise http.client.LineTooLong("reply head")
            searched = len(buffer)
            buffer += self._recv(sock)

    def _read_exactly(self, sock: socket.socket, length: int) -> bytes:
        buffer = self._buffer
        if len(buffer) >= length:
            self._buffer = buffer[length:]
            return buffer[:length]
        parts = [buffer]
        have = len(buffer)
        self._buffer = b""
        while have < length:
            chunk = sock.recv(min(_RECV_BYTES * 4, length - have))
            if not chunk:
                raise http.client.IncompleteRead(b"".join(parts), length - have)
            parts.append(chunk)
            have += len(chunk)
        return b"".join(parts)

    def _read_to_end(self, sock: socket.socket, max_body: int) -> tuple[bytes, bool]:
        parts = [self._buffer]
        have = len(self._buffer)
        self._buffer = b""
        while have <= max_body:
            chunk = sock.recv(_RECV_BYTES)
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        body = b"".join(parts)
        return body[: max_body + 1], have > max_body

    def _read_line(self, sock: socket.socket) -> bytes:
        while b"\r\n" not in self._buffer:
            if len(self._buffer) > MAX_LINE_BYTES:
                raise http.client.LineTooLong("chunk size")
            self._buffer += self._recv(sock)
        line, _, self._buffer = self._buffer.partition(b"\r\n")
        return line

    def _read_chunked(self, sock: socket.socket, max_body: int) -> tuple[bytes, bool]:
        parts: list[bytes] = []
        have = 0
        while True:
            size_text = self._read_line(sock).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise http.client.IncompleteRead(b"".join(parts)) from None
            if size == 0:
                while self._read_line(sock):  # trailer fields, up to the empty line
                    pass
                return b"".join(parts), False
            if have + size > max_body:
                parts.append(self._read_exactly(sock, max_body + 1 - have))
                return b"".join(parts), True
            parts.append(self._read_exactly(sock, size))
            have += size
            if self._read_exactly(sock, 2) != b"\r\n":
                raise http.client.IncompleteRead(b"".join(parts))
