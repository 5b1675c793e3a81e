"""Remote scans over WinRM/PSRP with pypsrp: one runspace pool, one pipeline, one deadline per host.

The package by job:

- :mod:`.target`: :class:`RemoteTarget`, how users name hosts (:func:`parse_host_spec`) and the
  validation (no pypsrp: cheap to import)
- :mod:`.deadline`: the per-host deadline and the clamp on every HTTP request
- :mod:`.watchdog`: the sockets shut down at the deadline, :func:`abandon_exchanges` (no pypsrp)
- :mod:`.scrubbing`: secrets out of text that goes into a capture
- :mod:`.failures`: exception -> host status with a hint
- :mod:`.transport_probe`: which transport a port speaks, when the one used failed at once
- :mod:`.session`: the pypsrp exchange (pool, pipeline)
- :mod:`.cleanup`: the shell deleted on every way out, within its budget
- :mod:`.capture`: output status and the capture (via ``msdiag.collectors.interface.assemble_capture``)
- :mod:`.collector`: :class:`RemoteCollector` and :func:`collect_remote`, which tie them together
- :mod:`.wsman_http` (the lean NTLM/Negotiate transport), :mod:`.psrp_tuning` (per-host CPU savings)

The names below are loaded on first use, so ``from msdiag.collectors.remote import RemoteTarget``
does not import pypsrp.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msdiag.collectors.remote.collector import RemoteCollector, collect_remote
    from msdiag.collectors.remote.deadline import Deadline, DeadlineExceeded
    from msdiag.collectors.remote.failures import classify_failure
    from msdiag.collectors.remote.scrubbing import scrub
    from msdiag.collectors.remote.session import quiet_transport_loggers
    from msdiag.collectors.remote.target import (
        MESSAGE_ENCRYPTING_AUTHS,
        SUPPORTED_AUTHS,
        HostSpec,
        RemoteTarget,
        Transport,
        parse_host_spec,
        validate_target,
    )
    from msdiag.collectors.remote.watchdog import abandon_exchanges

#: public name -> the module of this package that defines it
_HOMES = {
    "RemoteCollector": "collector",
    "collect_remote": "collector",
    "Deadline": "deadline",
    "DeadlineExceeded": "deadline",
    "classify_failure": "failures",
    "scrub": "scrubbing",
    "quiet_transport_loggers": "session",
    "MESSAGE_ENCRYPTING_AUTHS": "target",
    "SUPPORTED_AUTHS": "target",
    "HostSpec": "target",
    "RemoteTarget": "target",
    "Transport": "target",
    "parse_host_spec": "target",
    "validate_target": "target",
    "abandon_exchanges": "watchdog",
}

__all__ = [
    "MESSAGE_ENCRYPTING_AUTHS",
    "SUPPORTED_AUTHS",
    "Deadline",
    "DeadlineExceeded",
    "HostSpec",
    "RemoteCollector",
    "RemoteTarget",
    "Transport",
    "abandon_exchanges",
    "classify_failure",
    "collect_remote",
    "parse_host_spec",
    "quiet_transport_loggers",
    "scrub",
    "validate_target",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
