"""Ingest tests: the compact format's encoder, and decoded outputs forgotten between tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from msdiag.capture.models import Capture
from msdiag.engines.compact_encode import compact_line
from msdiag.ingest.decode import clear_memo


@pytest.fixture(autouse=True)
def compact() -> Iterator[Callable[[Capture], str]]:
    """The compact encoder (msdiag.engines.compact_encode.compact_line)."""
    clear_memo()
    yield compact_line
    clear_memo()
