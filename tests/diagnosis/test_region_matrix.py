"""Region signals mapped to countries, and the region matrix (every pair agrees, disagrees or is unknown)."""

from __future__ import annotations

import pytest
from support.rule_captures import capture, with_changes

from msdiag.capture.parse import Facts
from msdiag.diagnosis.region import (
    country_from_geoid,
    country_from_locale_name,
    country_from_time_zone,
    region_matrix,
)


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("ja-JP", "JP"),
        ("en-US", "US"),
        ("zh-Hant-TW", "TW"),
        ("ja", None),
        ("en-001", None),
        (None, None),
    ],
)
def test_locale_names(name: str | None, country: str | None) -> None:
    assert country_from_locale_name(name) == country


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Tokyo Standard Time", "JP"),
        ("Pacific Standard Time", "US"),
        ("GMT Standard Time", "GB"),
        ("Korea Standard Time", "KR"),
        ("UTC", None),
        ("Not A Zone", None),
    ],
)
def test_windows_time_zones(zone: str, country: str | None) -> None:
    assert country_from_time_zone(zone) == country


def test_geoids_from_microsofts_table() -> None:
    assert country_from_geoid(122) == "JP"
    assert country_from_geoid(244) == "US"
    assert country_from_geoid(242) == "GB"
    assert country_from_geoid(999999) is None
    assert country_from_geoid(122, "jp") == "JP"  # Geo\Name wins when present


ABROAD_TIME = with_changes(
    "time",
    time_zone={"id": "Pacific Standard Time", "display_name": "(UTC-08:00) 太平洋標準時 (米国およびカナダ)"},
)


def test_ja_jp_machine_in_pacific_time_disagrees() -> None:
    matrix = region_matrix(Facts(capture(time=ABROAD_TIME)), "US", "+1 206-***-0123")
    pairs = {(p.a, p.b): p.agree for p in matrix.pairs}
    assert pairs[("culture", "time_zone")] is False
    assert pairs[("culture", "home_location")] is True
    assert pairs[("time_zone", "phone")] is True
    assert pairs[("home_location", "phone")] is False


def test_unknown_signals_are_unknown_not_agreement() -> None:
    locale = with_changes(
        "locale",
        culture={"name": "ja"},
        system_locale={"name": "ja"},
        ui_culture={"name": "ja"},
        home_location=None,
    )
    matrix = region_matrix(Facts(capture(locale=locale)), None)
    assert all(p.agree is None for p in matrix.pairs if "culture" in (p.a, p.b))
