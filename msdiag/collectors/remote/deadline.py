"""The per-host deadline, and what makes every HTTP request of a WSMan keep to it.

Three things bound the exchange with one host, for both transports:

* every socket timeout is clamped to the time left, so no request starts or waits past the end;
* every socket the transport connects is handed to the exchange's
  :class:`~msdiag.collectors.remote.watchdog.SocketWatch`, which shuts it down at the end, so a
  host that trickles bytes cannot stretch a read (each byte would restart a socket timeout);
* pypsrp retries a timed-out Receive five times with growing sleeps (about five minutes with
  its defaults): every request goes through a wrapper that refuses to start once the time is up.

The cleanup after a failure gets a budget of its own (``session.cleanup_budget``), sized from the
slowest round trip seen (:class:`~msdiag.collectors.remote.wsman_http.Traffic`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from pypsrp.exceptions import AuthenticationError, WinRMTransportError
from pypsrp.wsman import WSMan

from msdiag.collectors.remote.watchdog import SocketWatch
from msdiag.collectors.remote.wsman_http import LeanNegotiateTransport, Traffic


class DeadlineExceeded(Exception):
    """The per-host deadline passed; raised instead of sending, or for a read the watch cut."""


class Deadline:
    """A point in time (monotonic clock) the exchange with one host must not pass."""

    def __init__(self, seconds: float) -> None:
        self.started = time.monotonic()
        self.end = self.started + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def restart(self, seconds: float) -> None:
        """A fresh budget from now (the cleanup's); ``started`` stays when the exchange began."""
        self.end = time.monotonic() + seconds


def bound_requests_by(wsman: WSMan, deadline: Deadline, watch: SocketWatch, traffic: Traffic) -> None:
    """Make every HTTP request of this WSMan keep to ``deadline`` (see the module text)."""
    transport = wsman.transport
    if isinstance(transport, LeanNegotiateTransport):
        transport.time_left = deadline.remaining  # caps each socket timeout, handshake included
        transport.on_socket = watch.watch
        transport.traffic = traffic
        return
    _watch_requests_sockets(transport, watch)
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
        started = time.monotonic()
        try:
            reply = send_request(request, timeout=(min(connect, remaining), min(read, remaining)))
        except (AuthenticationError, WinRMTransportError):
            traffic.answered(time.monotonic() - started)  # an answer, if not the one hoped for
            raise
        traffic.answered(time.monotonic() - started)
        traffic.authenticated = True
        return reply

    # pypsrp 0.9 routes every request (auth rounds, retries) through _send_request.
    transport._send_request = send_within_deadline  # type: ignore[method-assign]


def _watch_requests_sockets(transport: Any, watch: SocketWatch) -> None:
    """Hand every socket of pypsrp's requests session (rebuilt after a reconnect) to ``watch``."""
    build: Callable[[], requests.Session] = transport._build_session

    def build_watched() -> requests.Session:
        session = build()
        for adapter in session.adapters.values():
            manager = adapter.poolmanager  # type: ignore[attr-defined]
            manager.pool_classes_by_scheme = _watched_pools(manager.pool_classes_by_scheme, watch)
        return session

    transport._build_session = build_watched


def _watched_pools(pool_classes: Mapping[str, Callable[..., Any]], watch: SocketWatch) -> dict[str, Any]:
    """urllib3 pool classes whose connections hand their new sockets to ``watch``.

    Like pypsrp's own wrapping (pypsrp/_pool_manager.py): a per-adapter copy, never the module's.
    """

    def pool_factory(pool_cls: Callable[..., Any]) -> Callable[..., Any]:
        def make_pool(*args: Any, **kwargs: Any) -> Any:
            pool = pool_cls(*args, **kwargs)
            connection_cls = pool.ConnectionCls

            def make_connection(*conn_args: Any, **conn_kwargs: Any) -> Any:
                connection = connection_cls(*conn_args, **conn_kwargs)
                new_conn = connection._new_conn

                def watched_new_conn() -> Any:
                    sock = new_conn()
                    watch.watch(sock)  # before the TLS handshake, which a host can trickle too
                    return sock

                connection._new_conn = watched_new_conn
                return connection

            pool.ConnectionCls = make_connection
            return pool

        return make_pool

    return {scheme: pool_factory(cls) for scheme, cls in pool_classes.items()}
