"""clock.skew (exact 5-minute boundary, probe timing) and clock.w32time_not_syncing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from support.rule_captures import (
    ENDPOINTS_STAMP,
    HOSTS,
    assert_status,
    capture,
    probe,
    run,
    with_changes,
)

from msdiag.diagnosis.models import Status

# Both checks stamp collected_utc with the machine's clock: time at ...03.540, endpoints at
# ...04.335, so the machine's clock at probe time is utc_time + 0.795 s. utc_time 03.205 puts it
# at exactly 01:02:04, a whole second like the servers' Date header.
MACHINE_AT_PROBES = datetime(2026, 11, 25, 1, 2, 4, tzinfo=timezone.utc)


def whole_second_time(offset: float) -> tuple[dict[str, object], dict[str, object]]:
    """time + endpoints data where every server's Date is ``offset`` seconds after the machine clock."""
    time = with_changes("time", utc_time="2026-11-25T01:02:03.2050000Z")
    date = format_datetime(MACHINE_AT_PROBES + timedelta(seconds=offset), usegmt=True)
    return time, {"probes": [probe(h, date=date) for h in HOSTS]}


@pytest.mark.parametrize(
    ("offset", "status"),
    [
        (300, Status.PASS),
        (-300, Status.PASS),
        (301, Status.FAIL),
        (-301, Status.FAIL),
        (0, Status.PASS),
        (432, Status.FAIL),
    ],
)
def test_clock_skew_threshold_is_exactly_five_minutes(offset: int, status: Status) -> None:
    time, eps = whole_second_time(offset)
    f = run("clock.skew", capture(time=time, endpoints=eps))
    assert_status(f, status)


def test_clock_skew_shows_the_measured_skew_in_both_languages() -> None:
    time, eps = whole_second_time(7 * 60 + 12)
    f = run("clock.skew", capture(time=time, endpoints=eps))
    assert f.detail is not None
    assert "7 min 12 s behind" in f.detail.en
    assert "7分12秒遅れています" in f.detail.ja
    time, eps = whole_second_time(-(2 * 3600 + 5))
    f = run("clock.skew", capture(time=time, endpoints=eps))
    assert f.detail is not None and "2 h 0 min 5 s ahead" in f.detail.en


def test_clock_skew_accounts_for_when_the_probes_ran() -> None:
    # utc_time read at 01:02:03.54; probes ran 0.795 s later; server says 01:02:04 -> no skew
    f = run("clock.skew", capture())
    assert_status(f, Status.PASS)
    assert ENDPOINTS_STAMP.startswith("2026-11-25T01:02:04")


def test_clock_skew_not_collected_without_time_or_dates() -> None:
    assert_status(run("clock.skew", capture(time=None)), Status.NOT_COLLECTED)
    assert_status(
        run("clock.skew", capture(endpoints={"probes": [probe("login.live.com", date="garbage")]})),
        Status.NOT_COLLECTED,
    )


W32 = "clock.w32time_not_syncing"


@pytest.mark.parametrize(
    ("w32", "status"),
    [
        ({"service_status": "Running", "start_type": "Manual", "type": "NTP"}, Status.PASS),
        ({"service_status": "Running", "start_type": "Automatic", "type": "NoSync"}, Status.FAIL),
        ({"service_status": "Stopped", "start_type": "Disabled", "type": "NTP"}, Status.FAIL),
        ({"service_status": "Stopped", "start_type": "Manual", "type": "NTP"}, Status.WARN),
        ({"service_status": "NotFound"}, Status.FAIL),
    ],
)
def test_w32time(w32: dict[str, str], status: Status) -> None:
    assert_status(run(W32, capture(time=with_changes("time", w32time=w32))), status)


def test_w32time_not_collected() -> None:
    assert_status(run(W32, capture(time=None)), Status.NOT_COLLECTED)
    assert_status(run(W32, capture(time=with_changes("time", w32time=None))), Status.NOT_COLLECTED)
