"""Per-host CPU savings for pypsrp in a fleet scan, without changing a byte on the wire.

A fleet scan sends the same ~140,000-character runner script to every host. pypsrp's
``Serializer._serialize_string`` escapes it for CLIXML with a regex whose callback runs once per
control character (every line break becomes ``_x000A_``): about 20 ms of CPU per host, under one
interpreter lock shared by all scan threads. The escaped form only depends on the text, so it is
computed once and shared. Separately, requests consults the proxy environment variables on every
request of a session that trusts the environment; msdiag connects without a proxy anyway.

Both hooks use pypsrp internals (``RunspacePool._serializer``, ``_TransportHTTP._build_session``);
pypsrp is pinned below 1.0 in pyproject.toml, and tests/test_remote_tuning.py checks the hooks
still take effect, so an upgrade that moves them fails a test instead of silently slowing down.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import requests
from pypsrp.powershell import RunspacePool
from pypsrp.serializer import Serializer
from pypsrp.wsman import WSMan

#: Strings shorter than this are escaped as usual: caching them would only cost memory.
MEMOIZE_MIN_CHARS = 4096
#: Distinct large strings kept (the runner script per check selection; a scan uses one).
MEMOIZED_STRINGS = 16

# _serialize_string uses no per-instance state besides a regex every Serializer compiles the same
_REFERENCE = Serializer()
_escape = _REFERENCE._serialize_string


@functools.lru_cache(maxsize=MEMOIZED_STRINGS)
def _escaped_large_string(value: str) -> str | None:
    return _escape(value)


def escape_clixml_string(value: str | None) -> str | None:
    """pypsrp's CLIXML string escaping, memoized for large strings (the runner script)."""
    if value is not None and isinstance(value, str) and len(value) >= MEMOIZE_MIN_CHARS:
        return _escaped_large_string(value)
    return _escape(value)


def share_string_escaping(pool: RunspacePool) -> None:
    """Make ``pool`` (and the pipelines created on it) reuse escaped large strings."""
    # Serializer looks the method up on the instance for every string ("S", "SBK", ...), so an
    # instance attribute takes precedence over the class's method.
    pool._serializer._serialize_string = escape_clixml_string  # type: ignore[method-assign]


def ignore_proxy_environment(wsman: WSMan) -> None:
    """Build the WinRM session as pypsrp does, then stop requests reading the environment per request.

    pypsrp already applied what msdiag wants from the environment when it built the session (the CA
    bundle variables, ``no_proxy=True``); with ``trust_env`` left on, requests would also look up
    HTTP(S)_PROXY / NO_PROXY again on every request (``getproxies_environment``), ~6 ms per host.
    """
    transport = wsman.transport
    build: Callable[[], requests.Session] = transport._build_session

    def build_without_environment() -> requests.Session:
        session = build()
        session.trust_env = False
        return session

    transport._build_session = build_without_environment  # type: ignore[method-assign]
