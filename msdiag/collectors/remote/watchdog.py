"""A hard deadline for every socket of a remote exchange: shut them down when the time is up.

Socket timeouts bound each ``recv``, not a request: a host that sends one byte every 2 s restarts
the timeout with every byte and can keep a read going for minutes. So each exchange has a
:class:`SocketWatch`: the transports hand it every socket they connect, and one timer thread for
the whole process shuts those sockets down (``shutdown(SHUT_RDWR)``) when the watch's deadline
passes. A blocked ``recv`` or ``send`` then returns at once, whatever the host sends, and the
exchange fails with a connection error that the caller turns into the timeout it is
(:attr:`SocketWatch.fired`).

The watch keeps a duplicate of each descriptor (``socket.dup``), so that shutting down never hits
a descriptor number the kernel has meanwhile given to another host's connection; the duplicates
are closed when the watch fires or is closed (so a connection the transport dropped is only
really closed then, a few seconds later at most). Costs: one ``dup`` per connection and a heap
push per deadline; nothing per request.

:func:`abandon_exchanges` fires every watch in the process and makes their cleanups skip: for a
second Ctrl-C, when nothing may wait any more.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable

_abandoned = threading.Event()


class _Timer:
    """One daemon thread that runs callbacks at monotonic times (shared by every watch)."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def call_at(self, when: float, callback: Callable[[], None]) -> None:
        with self._lock:
            order = next(self._order)
            heapq.heappush(self._heap, (when, order, callback))
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                # (again) in a forked worker process, where the parent's thread does not exist
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="msdiag-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0][1] == order:
                # Only a new earliest time changes how long the thread sleeps: a scan's deadlines
                # mostly come later than those already waiting, and waking the thread for each
                # host cost ~0.5 ms of CPU (a thread switch under the interpreter lock).
                self._lock.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._lock.wait(None if not self._heap else self._heap[0][0] - time.monotonic())
                _when, _order, callback = heapq.heappop(self._heap)
            with contextlib.suppress(Exception):  # a watch's own errors never stop the timer
                callback()


_TIMER = _Timer()
_WATCHES: weakref.WeakSet[SocketWatch] = weakref.WeakSet()
_WATCHES_LOCK = threading.Lock()


class SocketWatch:
    """The sockets of one exchange, shut down when its deadline passes (see the module text)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._end: float | None = None
        self._generation = 0
        self._fired = False
        self._closed = False
        with _WATCHES_LOCK:
            _WATCHES.add(self)

    @property
    def fired(self) -> bool:
        """The current deadline passed and the sockets watched until then were shut down."""
        return self._fired

    def arm(self, end: float) -> None:
        """Watch until ``end`` (monotonic), the sockets watched so far included."""
        with self._lock:
            self._generation += 1
            self._end, self._fired = end, False
            generation = self._generation
        ref = weakref.ref(self)  # a finished exchange's watch is not kept alive by the timer

        def expire() -> None:
            watch = ref()
            if watch is not None:
                watch._expire(generation)

        _TIMER.call_at(end, expire)

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline (at once if it has passed already)."""
        try:
            duplicate = sock.dup()
        except OSError:
            return  # closed already: nothing can block on it
        with self._lock:
            late = (
                self._closed
                or self._fired
                or _abandoned.is_set()
                or (self._end is not None and time.monotonic() >= self._end)
            )
            if not late:
                self._sockets.append(duplicate)
                return
        _shut(duplicate)
        duplicate.close()

    def fire(self) -> None:
        """Shut the watched sockets down now (the deadline, or an abandoned exchange)."""
        with self._lock:
            self._fired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)
            sock.close()

    def close(self) -> None:
        """The exchange is over: stop watching and let go of the duplicates."""
        with self._lock:
            self._closed = True
            self._generation += 1
            self._release()
        with _WATCHES_LOCK:
            _WATCHES.discard(self)

    def _expire(self, generation: int) -> None:
        if generation == self._generation:
            self.fire()

    def _release(self) -> None:
        # (with the lock held) duplicates of sockets the exchange is done with
        for sock in self._sockets:
            sock.close()
        self._sockets = []


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected any more
        sock.shutdown(socket.SHUT_RDWR)


def abandon_exchanges() -> int:
    """Cut every remote exchange of this process short, cleanup included; returns how many.

    For a second interrupt: the scans end within milliseconds, skip closing their shells (which
    may be left open on the hosts) and say so. There is no way back for this process.
    """
    _abandoned.set()
    with _WATCHES_LOCK:
        watches = list(_WATCHES)
    for watch in watches:
        watch.fire()
    return len(watches)


def abandoned() -> bool:
    """Whether :func:`abandon_exchanges` was called in this process."""
    return _abandoned.is_set()
