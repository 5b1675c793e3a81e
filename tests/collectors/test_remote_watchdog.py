"""The watchdog's one timer thread shuts each watch's sockets down at its own deadline, in any order.

The thread is woken only when a new deadline is the earliest waiting (waking it for every host
cost CPU); these check that an earlier deadline armed after a later one still fires on time, and
that later ones fire after it.
"""

from __future__ import annotations

import socket
import time

from msdiag.collectors.remote.watchdog import SocketWatch


def _watched(end: float) -> tuple[SocketWatch, socket.socket, socket.socket]:
    mine, theirs = socket.socketpair()
    watch = SocketWatch()
    watch.watch(mine)
    watch.arm(end)
    return watch, mine, theirs


def _cut_within(sock: socket.socket, seconds: float) -> bool:
    """The socket was shut down (recv sees the end) before ``seconds`` passed."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False


def test_an_earlier_deadline_armed_after_a_later_one_fires_first() -> None:
    late, late_sock, late_peer = _watched(time.monotonic() + 60)
    time.sleep(0.3)  # the timer thread is asleep until the late deadline now
    now = time.monotonic()
    soon, soon_sock, soon_peer = _watched(now + 0.2)
    after, after_sock, after_peer = _watched(now + 0.4)  # later than soon: no wake-up needed
    try:
        assert _cut_within(soon_sock, 10)
        assert soon.fired
        assert _cut_within(after_sock, 10)
        assert not late.fired and not _cut_within(late_sock, 0.05)
    finally:
        for watch in (late, soon, after):
            watch.close()
        for sock in (late_sock, late_peer, soon_sock, soon_peer, after_sock, after_peer):
            sock.close()
