"""The per-host deadline, and the clamp that makes every HTTP request of a WSMan respect it.

pypsrp retries a timed-out Receive five times with growing sleeps (about five minutes with its
defaults), so every request pypsrp makes goes through a wrapper that clamps its socket timeouts
to the time left and refuses to start once the time is up. The lean transport takes the time
left directly and caps each socket timeout with it, the handshake included.

The cleanup after a failure gets a short budget of its own (:meth:`Deadline.restart`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pypsrp.wsman import WSMan

from msdiag.collectors.remote.wsman_http import LeanNegotiateTransport


class DeadlineExceeded(Exception):
    """The per-host deadline passed; raised by the request wrapper instead of sending."""


class Deadline:
    """A point in time (monotonic clock) the exchange with one host must not pass."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def restart(self, seconds: float) -> None:
        """A fresh, short budget for cleanup (stop the pipeline, delete the shell)."""
        self._end = time.monotonic() + seconds


def bound_requests_by(wsman: WSMan, deadline: Deadline) -> None:
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
