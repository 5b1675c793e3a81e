"""windows.too_old: Windows before 10, Windows 10 before 1809, Windows 10 after its end of support."""

from __future__ import annotations

from typing import Any

import pytest
from support.rule_captures import assert_status, capture, run, with_changes

from msdiag.diagnosis.models import Severity, Status

WIN10 = {"caption": "Microsoft Windows 10 Pro"}

CASES = [
    ({}, Status.PASS),
    ({"os": with_changes("os", **WIN10, version="10.0.17134", build=17134)}, Status.FAIL),
    # the reference machine is scanned in 2026, after Windows 10's end of support
    ({"os": with_changes("os", **WIN10, version="10.0.17763", build=17763)}, Status.WARN),
    (
        {"os": with_changes("os", caption="Microsoft Windows 8.1 Pro", version="6.3.9600", build=9600)},
        Status.FAIL,
    ),
    ({"os": with_changes("os", build=None, version=None)}, Status.NOT_COLLECTED),
    ({"os": None}, Status.NOT_COLLECTED),
]


@pytest.mark.parametrize(("kwargs", "status"), CASES)
def test_too_old(kwargs: dict[str, Any], status: Status) -> None:
    assert_status(run("windows.too_old", capture(**kwargs)), status)


def test_windows_10_past_end_of_support_is_a_medium_warning() -> None:
    f = run("windows.too_old", capture(os=with_changes("os", **WIN10, version="10.0.19045", build=19045)))
    assert_status(f, Status.WARN)
    assert f.severity is Severity.MEDIUM
    assert f.detail is not None and "2025-10-14" in f.detail.en


def test_too_old_cites_the_lifecycle_source() -> None:
    f = run("windows.too_old", capture(os=with_changes("os", version="10.0.17134", build=17134)))
    assert any("learn.microsoft.com/lifecycle" in step.en for step in f.remediation)
