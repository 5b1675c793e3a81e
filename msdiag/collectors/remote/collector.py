"""The remote collector: one host over WinRM/PSRP, one deadline, every failure a host status.

Nothing here raises for a host that is down, slow, hostile or misconfigured: the exchange
(:mod:`~msdiag.collectors.remote.session`) raises, :func:`~msdiag.collectors.remote.failures.
classify_failure` turns that into the capture's ``host_status`` with what happened and what to
try, and :func:`~msdiag.collectors.remote.capture.remote_capture` keeps every check that did report.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from msdiag.capture.models import Capture, HostStatus
from msdiag.checks import DEFAULT_ENDPOINT_HOSTS
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.interface import utc_now
from msdiag.collectors.remote.capture import remote_capture
from msdiag.collectors.remote.deadline import Deadline
from msdiag.collectors.remote.failures import classify_failure, mismatch_suspected
from msdiag.collectors.remote.session import Exchange, quiet_transport_loggers, run_exchange
from msdiag.collectors.remote.target import RemoteTarget, validate_remote_checks, validate_target
from msdiag.collectors.remote.transport_probe import probe_other_transport

log = logging.getLogger("msdiag.collectors.remote")


@dataclass(frozen=True)
class RemoteCollector:
    """Collects a capture from ``target`` over WinRM/PSRP (a :class:`~msdiag.collectors.interface.Collector`)."""

    target: RemoteTarget
    credentials: Credentials
    #: hosts the endpoints check probes; None: DEFAULT_ENDPOINT_HOSTS
    endpoint_hosts: Sequence[str] | None = None

    @property
    def description(self) -> str:
        target = self.target
        return f"{target.address} over {target.transport} ({target.auth})"

    def collect(self, checks: Sequence[str]) -> Capture:
        """Scan the host. Raises InputError only for bad arguments (see validate_target); every
        host-level failure is returned as the capture's host_status."""
        target, credentials = self.target, self.credentials
        validate_target(target)
        requested = validate_remote_checks(checks)
        quiet_transport_loggers()
        collected_utc = utc_now()
        started = time.monotonic()
        deadline = Deadline(target.timeout)
        exchange = Exchange()
        failure: HostStatus | None = None
        log.info("remote scan of %s", self.description)
        try:
            run_exchange(
                target,
                credentials,
                requested,
                self.endpoint_hosts or DEFAULT_ENDPOINT_HOSTS,
                deadline,
                exchange,
            )
        except KeyboardInterrupt:
            raise  # the shell was closed by run_exchange's finally (or CleanupInterrupted says not)
        except Exception as exc:
            elapsed = time.monotonic() - started
            other = None
            if mismatch_suspected(exc, target, exchange.traffic):
                # within what is left of the host's deadline (no shell to close: nothing answered)
                other = probe_other_transport(target, started + target.timeout - time.monotonic())
            failure = classify_failure(
                exc,
                target,
                credentials,
                exchange.phase,
                elapsed=elapsed,
                answered=exchange.traffic.replies > 0,
                other_transport=other,
            )
            log.info("remote scan of %s failed: %s", target.host, failure.state.value)
        return remote_capture(
            target,
            credentials,
            requested,
            exchange,
            failure,
            collected_utc=collected_utc,
            duration_ms=int((time.monotonic() - started) * 1000),
        )


def collect_remote(
    target: RemoteTarget,
    credentials: Credentials,
    checks: Sequence[str],
    *,
    endpoint_hosts: Sequence[str] | None = None,
) -> Capture:
    """Scan one host over WinRM/PSRP: ``RemoteCollector(target, credentials, endpoint_hosts).collect(checks)``.

    Raises InputError only for bad arguments; every host-level failure is the capture's host_status.
    """
    return RemoteCollector(target, credentials, endpoint_hosts).collect(checks)
