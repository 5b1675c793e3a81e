"""Stop using credentials that keep failing, before they lock the account out.

On a domain a wrong password is one failed logon per host: scanning 500 hosts with it locks the
account long before the scan ends. :class:`CredentialGuard` counts authentication failures per
credential (the command line's user name, or an inventory's per-host ``username``: each is a
credential of its own) in the order outcomes arrive. After ``limit`` failures in a row it stops
that credential: its remaining hosts are recorded as not attempted, with the reason.

Hosts run concurrently, so counting alone would let ``--concurrency`` hosts fail at once. Until a
credential has been accepted by one host, at most ``limit`` minus its failures so far are in
flight: a wrong password fails at most ``limit`` logons in all. :class:`HostFeed` hands out the
hosts in inventory order, holding back those whose credential may not start yet.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from msdiag.capture.models import HostState
from msdiag.fleet.models import FleetTarget

DEFAULT_MAX_AUTH_FAILURES = 3
#: host states that prove the host accepted the credentials (it ran the runner)
_ACCEPTED = frozenset({HostState.OK, HostState.SCRIPT_ERROR, HostState.BAD_OUTPUT, HostState.NO_POWERSHELL})
_HOLD = "hold"


@dataclass
class _Credential:
    name: str  # the user name as given (never the password)
    failures: int = 0  # authentication failures in a row
    failed_hosts: list[str] = field(default_factory=list)
    accepted: bool = False
    in_flight: int = 0
    stopped: str | None = None  # why its hosts are no longer attempted


class CredentialGuard:
    """Per-credential failure counts (see the module docstring); ``limit`` 0 never stops."""

    def __init__(self, limit: int, default_username: str) -> None:
        self.limit = limit
        self.default_username = default_username
        self._credentials: dict[str, _Credential] = {}

    def credential(self, target: FleetTarget) -> str:
        name = target.username or self.default_username
        key = name.casefold()  # Windows account names are case-insensitive
        if key not in self._credentials:
            self._credentials[key] = _Credential(name)
        return key

    def admit(self, key: str) -> str | None:
        """None: a host with this credential may start now; "hold": not yet; else why never."""
        cred = self._credentials[key]
        if cred.stopped is not None:
            return cred.stopped
        if self.limit and not cred.accepted and cred.in_flight >= self.limit - cred.failures:
            return _HOLD
        return None

    def started(self, key: str) -> None:
        self._credentials[key].in_flight += 1

    def finished(self, key: str, host: str, state: HostState | None) -> str | None:
        """A host with this credential ended (``state`` None: msdiag failed on it). Returns the
        reason when this outcome stopped the credential."""
        cred = self._credentials[key]
        cred.in_flight = max(0, cred.in_flight - 1)
        if state in _ACCEPTED:
            cred.accepted, cred.failures, cred.failed_hosts = True, 0, []
        elif state is HostState.AUTH_FAILED:
            cred.failures += 1
            cred.failed_hosts.append(host)
            if self.limit and cred.failures >= self.limit and cred.stopped is None:
                who = f"the credentials of {cred.name}" if cred.name else "the credentials"
                cred.stopped = (
                    f"not attempted: {who} failed authentication on {cred.failures} hosts in a row "
                    f"({', '.join(cred.failed_hosts[-3:])}); msdiag stopped using them so that the "
                    "account is not locked out (--max-auth-failures)"
                )
                return cred.stopped
        return None


NOT_ATTEMPTED_HINT = (
    "Check the user name and password (is the account locked out or its password expired?), then "
    "scan these hosts with --resume RESULTS (hosts not attempted are scanned again)."
)

Item = tuple[int, FleetTarget]  # (index into the fleet, target)


class HostFeed:
    """The fleet's hosts in order, each handed out once its credential may start (CredentialGuard).

    ``skip`` is called for every host whose credential was stopped, with the reason."""

    def __init__(
        self, targets: Sequence[FleetTarget], guard: CredentialGuard, skip: Callable[[FleetTarget, str], None]
    ) -> None:
        self.guard = guard
        self._skip = skip
        self._queues: dict[str, deque[Item]] = {}
        for index, target in enumerate(targets):
            self._queues.setdefault(guard.credential(target), deque()).append((index, target))
        # credentials that may have a host to start, by the index of their next host
        self._ready = [(queue[0][0], key) for key, queue in self._queues.items()]
        heapq.heapify(self._ready)
        self._held: set[str] = set()
        self._keys: dict[int, str] = {}

    def take(self) -> Item | None:
        """The next host that may start now, or None (none now; a running host's end may free one)."""
        while self._ready:
            _, key = self._ready[0]
            queue = self._queues[key]
            verdict = self.guard.admit(key)
            if verdict is None:
                item = queue.popleft()
                self.guard.started(key)
                self._keys[item[0]] = key
                if queue:
                    heapq.heapreplace(self._ready, (queue[0][0], key))
                else:
                    heapq.heappop(self._ready)
                return item
            heapq.heappop(self._ready)
            if verdict == _HOLD:
                self._held.add(key)
            else:
                self.skip_all(key, verdict)
        return None

    def finished(self, index: int, host: str, state: HostState | None) -> str | None:
        """Host ``index`` ended; returns the reason when it stopped its credential."""
        key = self._keys.pop(index, None)
        if key is None:
            return None
        stopped = self.guard.finished(key, host, state)
        if stopped is not None:
            self.skip_all(key, stopped)
        elif key in self._held and self._queues[key]:
            self._held.discard(key)
            heapq.heappush(self._ready, (self._queues[key][0][0], key))
        return stopped

    def skip_all(self, key: str, reason: str) -> None:
        queue = self._queues[key]
        self._held.discard(key)
        while queue:
            self._skip(queue.popleft()[1], reason)

    def remaining(self) -> int:
        return sum(len(queue) for queue in self._queues.values())
