"""region.settings_disagree and region.phone_country_mismatch (the 海外赴任・留学 case)."""

from __future__ import annotations

from support.rule_captures import assert_status, capture, run, with_changes

from msdiag.diagnosis.models import Status
from msdiag.diagnosis.rules import RuleContext

ABROAD_TIME = with_changes(
    "time",
    time_zone={"id": "Pacific Standard Time", "display_name": "(UTC-08:00) 太平洋標準時 (米国およびカナダ)"},
)


def test_ja_jp_machine_in_pacific_time_disagrees() -> None:
    f = run("region.settings_disagree", capture(time=ABROAD_TIME))
    assert_status(f, Status.WARN)
    assert (
        f.detail is not None and "Pacific Standard Time (US)" in f.detail.en and "ja-JP (JP)" in f.detail.en
    )


def test_neutral_cultures_and_no_home_location_are_not_collected() -> None:
    locale = with_changes(
        "locale",
        culture={"name": "ja"},
        system_locale={"name": "ja"},
        ui_culture={"name": "ja"},
        home_location=None,
    )
    assert_status(run("region.settings_disagree", capture(locale=locale)), Status.NOT_COLLECTED)


def test_settings_agree_passes_and_missing_locale_is_not_collected() -> None:
    assert_status(run("region.settings_disagree", capture()), Status.PASS)
    assert_status(run("region.settings_disagree", capture(locale=None)), Status.NOT_COLLECTED)


def test_without_the_time_check_the_other_settings_are_still_compared() -> None:
    f = run("region.settings_disagree", capture(time=None))
    assert_status(f, Status.PASS)
    assert f.detail is not None and "All 3 settings point at JP" in f.detail.en


def test_phone_country_mismatch() -> None:
    rule = "region.phone_country_mismatch"
    assert_status(run(rule, capture()), Status.NOT_APPLICABLE)
    assert_status(run(rule, capture(), RuleContext(phone_region="JP")), Status.PASS)
    f = run(rule, capture(), RuleContext(phone_region="US"))
    assert_status(f, Status.WARN)
    assert f.detail is not None and "US" in f.detail.en
    assert_status(run(rule, capture(locale=None), RuleContext(phone_region="US")), Status.NOT_COLLECTED)


def test_without_a_phone_number_the_locale_check_is_not_needed() -> None:
    f = run("region.phone_country_mismatch", capture(locale=None))
    assert_status(f, Status.NOT_APPLICABLE)
