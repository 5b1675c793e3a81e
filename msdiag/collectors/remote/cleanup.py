"""Closing the host's shell on every way out, on a fresh connection when the old one cannot carry it.

Leaked shells count against the account's MaxShellsPerUser on the host, so the exchange deletes
its shell whether it ended normally, with an error, at the deadline or by an interrupt. Only the
Delete is sent: it closes the runspace pool and every pipeline in it, also while one is running
(MS-PSRP 3.1.5.3.11, MS-WSMV 3.1.4.4.1), so a host that ignores Signal changes nothing and the
cleanup needs one round trip where stop-then-delete needs two.

After anything but a complete reply (a timeout, a dropped or trickling connection, an interrupt
in the middle of a request) the connection is in an unknown state and its NTLM/Negotiate context
may be gone with it: the Delete then goes on a new connection with a new authentication. That
takes a few round trips, so the cleanup has a budget of its own, sized from the slowest round
trip seen (:func:`cleanup_budget`), and the exchange's watchdog holds it to that budget.
"""

from __future__ import annotations

import logging

from pypsrp.exceptions import AuthenticationError, WSManFaultError
from pypsrp.powershell import RunspacePool
from pypsrp.wsman import SelectorSet, WSMan

from msdiag.collectors.remote.deadline import Deadline
from msdiag.collectors.remote.watchdog import SocketWatch, abandoned
from msdiag.collectors.remote.wsman_http import Traffic

log = logging.getLogger(__name__)

#: The host's own time to delete a shell (end its process), before the round trips.
CLEANUP_BASE_S = 2.0
#: Round trips a cleanup on a fresh connection needs: TCP (and TLS), two handshake legs, the Delete.
CLEANUP_ROUND_TRIPS = 5
#: The cleanup never takes longer than this, however slow the host was.
CLEANUP_MAX_S = 10.0
#: WSMan fault for an unknown shell: the Create never reached the host, so nothing is open.
_INVALID_SELECTORS = 0x8033805B


class CleanupInterrupted(KeyboardInterrupt):
    """A second interrupt came during the cleanup: the shell on ``address`` may be left open."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


def cleanup_budget(traffic: Traffic) -> float:
    """Seconds the cleanup may take: a base for the host, plus the round trips of a fresh connection
    as slow as the slowest one seen, at most ``CLEANUP_MAX_S``."""
    return min(CLEANUP_MAX_S, CLEANUP_BASE_S + CLEANUP_ROUND_TRIPS * traffic.slowest_s)


def shell_may_exist(
    pool: RunspacePool, create_sent: bool, failure: BaseException | None, wsman: WSMan, traffic: Traffic
) -> bool:
    """Whether the host may hold this exchange's shell (then the cleanup must delete it)."""
    if pool.shell.opened:
        return True
    if not create_sent or isinstance(failure, AuthenticationError):
        return False  # never asked for, or refused at the login
    if isinstance(failure, WSManFaultError):
        return False  # the Create was answered with a fault: no shell
    if wsman.transport.wrap_required:
        # with message encryption the Create goes out only after the handshake has completed
        return traffic.authenticated
    # over HTTPS it rides the handshake's legs; NTLM needs the host's challenge before it counts
    return traffic.replies > 0 or wsman.transport.auth != "ntlm"


def _address_by_id(pool: RunspacePool) -> None:
    """Make the shell deletable even when the Create's reply never came: pypsrp chose the ShellId
    itself and sent it in the Create, so the host knows the shell by it."""
    shell = pool.shell
    if shell._selector_set is None and shell.id:
        selectors = SelectorSet()
        selectors.add_option("ShellId", shell.id)
        shell._selector_set = selectors
    shell.opened = True


def fresh_connection(wsman: WSMan) -> None:
    """Drop the HTTP connection and its security context: the next request connects and
    authenticates anew (pypsrp would otherwise reuse a context the host no longer has)."""
    transport = wsman.transport
    transport.close()
    transport.session = None
    transport.encryption = None


def close_shell(
    pool: RunspacePool,
    wsman: WSMan,
    *,
    deadline: Deadline,
    watch: SocketWatch,
    traffic: Traffic,
    reuse: bool,
    address: str,
) -> str | None:
    """Delete the shell within the cleanup budget; None when it is closed, else why it may be open.

    ``reuse``: the connection ended on a complete reply and may carry the Delete first (a fresh
    one is tried if that fails). Raises :class:`CleanupInterrupted` on a second interrupt.
    """
    if abandoned():
        return "the scan was abandoned before the shell was closed"
    deadline.restart(cleanup_budget(traffic))
    watch.arm(deadline.end)
    _address_by_id(pool)
    reason = "the host did not answer the Delete in time"
    try:
        for fresh in (False, True) if reuse else (True,):
            if fresh:
                fresh_connection(wsman)
            try:
                pool.shell.close()
                return None
            except WSManFaultError as exc:
                if isinstance(exc.code, int) and exc.code & 0xFFFFFFFF == _INVALID_SELECTORS:
                    return None  # the host has no such shell
                reason = f"the host refused the Delete (WSMan fault {exc.code})"
                break
            except Exception as exc:  # best effort: the status already says what went wrong
                log.debug("deleting the shell failed: %s", type(exc).__name__)
                reason = f"the Delete failed ({type(exc).__name__})"
                if deadline.expired() or watch.fired or abandoned():
                    reason = "the host did not answer the Delete within the cleanup budget"
                    break
    except KeyboardInterrupt:
        raise CleanupInterrupted(address) from None
    return reason
