"""Minimal HTTP/1.1 for the lab: bounded request parsing and keep-alive replies on asyncio streams."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS = 64
MAX_BODY_BYTES = 8 * 1024 * 1024  # above any MaxEnvelopeSizekb a client would use, encrypted
IDLE_TIMEOUT = 120.0  # a keep-alive connection with no new request is closed after this
BODY_TIMEOUT = 30.0

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
}


class HttpError(Exception):
    """The request cannot be read; answer with ``status`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes
    keep_alive: bool = True

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: the WSMan action answered (None for the handshake and HTTP errors); not sent
    action: str | None = field(default=None, compare=False)

    def encode(self, keep_alive: bool) -> bytes:
        lines = [
            f"HTTP/1.1 {self.status} {_REASONS.get(self.status, 'Status')}",
            "Server: Microsoft-HTTPAPI/2.0",
        ]
        if self.content_type:
            lines.append(f"Content-Type: {self.content_type}")
        lines.extend(f"{k}: {v}" for k, v in self.headers.items())
        lines.append(f"Content-Length: {len(self.body)}")
        lines.append("Connection: " + ("Keep-Alive" if keep_alive else "close"))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


async def read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """Read one request; None when the client closed the connection between requests."""
    try:
        first = await asyncio.wait_for(reader.readexactly(1), IDLE_TIMEOUT)
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
        return None
    if not first.isalpha():
        # Like HTTP.sys: a request that does not start with a method (a TLS ClientHello sent to the
        # HTTP port, say) is answered 400 at once, not waited on for a head that never comes.
        raise HttpError(400, "not an HTTP request")
    try:
        head = first + await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise HttpError(400, "incomplete request head") from exc
        return None
    except asyncio.LimitOverrunError as exc:
        raise HttpError(431, "request head too large") from exc
    except (asyncio.TimeoutError, ConnectionError):
        return None
    if len(head) > MAX_HEADER_BYTES:
        raise HttpError(431, "request head too large")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, "bad request line")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        if len(headers) >= MAX_HEADERS:
            raise HttpError(431, "too many headers")
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise HttpError(400, "bad header line")
        headers[name.strip().lower()] = value.strip()
    if "transfer-encoding" in headers:
        raise HttpError(411, "chunked requests are not supported; send Content-Length")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError as exc:
        raise HttpError(400, "bad Content-Length") from exc
    if length < 0 or length > MAX_BODY_BYTES:
        raise HttpError(413, "request body too large")
    try:
        body = await asyncio.wait_for(reader.readexactly(length), BODY_TIMEOUT) if length else b""
    except (asyncio.IncompleteReadError, asyncio.TimeoutError) as exc:
        raise HttpError(400, "request body incomplete") from exc
    keep_alive = headers.get("connection", "").lower() != "close" and parts[2] == "HTTP/1.1"
    return HttpRequest(parts[0].upper(), parts[1], headers, body, keep_alive)
