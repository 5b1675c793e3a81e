"""Memoized CLIXML string unescaping for the lab's psrpcore server side.

Every fleet host receives the same ~140,000-character runner script. psrpcore's
``_deserialize_string`` unescapes it with a regex whose Python callback runs once per escaped
character (each line break arrives as ``_x000A_``): tens of milliseconds per host, on the lab's
single event-loop thread, which in the benchmark shares two cores with the orchestrator. The
result depends only on the text, so large strings are unescaped once and shared.

psrpcore calls ``_deserialize_string`` through its module global at call time, so replacing that
global is enough; psrpcore is pinned below 0.4 in pyproject.toml, and tests/test_lab_clixml_cache.py
checks the hook still takes effect. Only the lab (a psrpcore server) uses psrpcore in msdiag; the
remote collector is pypsrp, which has its own serializer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from psrpcore.types import _serializer

#: Strings shorter than this are unescaped as usual: caching them would only cost memory.
MEMOIZE_MIN_CHARS = 4096
MEMOIZED_STRINGS = 16

_original: Callable[[str], str] = _serializer._deserialize_string


@functools.lru_cache(maxsize=MEMOIZED_STRINGS)
def _unescaped_large_string(value: str) -> str:
    return _original(value)


def unescape_clixml_string(value: str) -> str:
    """psrpcore's CLIXML string unescaping, memoized for large strings (the runner script)."""
    if len(value) >= MEMOIZE_MIN_CHARS:
        return _unescaped_large_string(value)
    return _original(value)


def install() -> None:
    """Route psrpcore's string unescaping through the cache (idempotent)."""
    _serializer._deserialize_string = unescape_clixml_string
