"""The lab's memoized CLIXML unescaping gives psrpcore's result and is what psrpcore calls."""

from __future__ import annotations

from psrpcore.types import _serializer
from pypsrp.serializer import Serializer

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.runner_script import build_runner
from msdiag.lab import clixml_cache


def test_unescaping_round_trips_the_runner_and_hostile_text() -> None:
    runner = build_runner(list(CHECK_NAMES))
    hostile = "_x000A_ \r\n\t\x00\x1f 日本語 😀 _X0041_ " * 300
    for text in (runner, hostile, "short\n"):
        escaped = Serializer()._serialize_string(text)
        assert escaped is not None
        assert clixml_cache.unescape_clixml_string(escaped) == text
        assert clixml_cache.unescape_clixml_string(escaped) == clixml_cache._original(escaped)


def test_install_routes_psrpcore_through_the_cache() -> None:
    clixml_cache.install()
    clixml_cache.install()  # idempotent
    assert _serializer._deserialize_string is clixml_cache.unescape_clixml_string
