"""Ingest tests: the compact format (E1's, or the stand-in until it lands) for every test here."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest
from support.compact_stand_in import MODULE, compact_line, real_codec, stand_in_module

from msdiag.capture.models import Capture
from msdiag.ingest.decode import clear_memo


@pytest.fixture(autouse=True)
def compact(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Capture], str]]:
    """The compact encoder; msdiag.engines.compact is importable while the test runs."""
    real = real_codec()
    if real is None:
        monkeypatch.setitem(sys.modules, MODULE, stand_in_module())
    clear_memo()
    yield real[0] if real is not None else compact_line
    clear_memo()
