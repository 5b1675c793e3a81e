"""A national-format number is read for the country the PC's settings agree on; region options are
checked; separators people type; number types in words; titles that do not assert a result."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.report_results import LAB_HOSTS
from support.rule_captures import capture, with_changes

from msdiag.capture.parse import Facts
from msdiag.cli import cli, main
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import PhoneAnalysis, Status
from msdiag.diagnosis.phone import analyze_phone
from msdiag.errors import InputError

US_HOME = with_changes("locale", home_location={"geo_id": 244, "name": "United States", "iso2": "US"})
PACIFIC = with_changes(
    "time",
    time_zone={"id": "Pacific Standard Time", "display_name": "(UTC-08:00) 太平洋標準時 (米国およびカナダ)"},
)


def invalid(result: PhoneAnalysis) -> Status:
    return next(f.status for f in result.findings if f.id == "phone.invalid")


def test_japanese_settings_outrank_a_us_home_location() -> None:
    # culture, system locale and time zone say JP; only the GeoId says US
    result = diagnose(capture(locale=US_HOME), phone="080-1234-5678")
    phone = result.phone
    assert phone is not None
    assert phone.valid and phone.e164 == "+818012345678" and invalid(phone) is Status.PASS
    assert phone.assumed_region == "JP"
    assert phone.assumed_region_note is not None
    assert "US by the home location" in phone.assumed_region_note.en
    assert "国または地域が US" in phone.assumed_region_note.ja
    assert not [f.id for f in result.findings if f.id.startswith("phone.") and f.status is Status.FAIL]


def test_the_valid_reading_is_preferred_and_the_note_says_so() -> None:
    # a US-set PC (regional format, system locale, time zone) whose home location is still Japan
    locale = with_changes(
        "locale",
        culture={
            "name": "en-US",
            "lcid": 1033,
            "english_name": "English (United States)",
            "display_name": "English (United States)",
        },
        system_locale={
            "name": "en-US",
            "lcid": 1033,
            "english_name": "English (United States)",
            "display_name": "English (United States)",
        },
    )
    phone = analyze_phone("090-1234-5678", facts=Facts(capture(locale=locale, time=PACIFIC)))
    assert phone.valid and phone.e164 == "+819012345678" and phone.assumed_region == "JP"
    assert phone.assumed_region_note is not None
    assert (
        "not valid for US" in phone.assumed_region_note.en and "valid for JP" in phone.assumed_region_note.en
    )


def test_agreeing_settings_need_no_note_and_an_international_number_no_region() -> None:
    facts = Facts(capture())
    national = analyze_phone("090-1234-5678", facts=facts)
    assert national.assumed_region == "JP" and national.assumed_region_note is None
    international = analyze_phone("+81 90-1234-5678", facts=facts)
    assert international.assumed_region is None


def through_main(args: list[str]) -> int:
    """Through the real entry point, which turns InputError into a message and exit 2."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0)


def test_an_unknown_region_is_refused_with_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert through_main(["phone", "080-1234-5678", "--region", "XX"]) == 2
    err = capsys.readouterr().err
    assert "'XX'" in err and "JP" in err and "Traceback" not in err
    healthy = str(LAB_HOSTS / "healthy-ja-jp.json")
    assert through_main(["diagnose", healthy, "--phone", "080-1234-5678", "--phone-region", "ZZ"]) == 2
    assert "--phone-region 'ZZ'" in capsys.readouterr().err
    with pytest.raises(InputError):
        diagnose(capture(), phone="080-1234-5678", phone_region="QQ")
    # a known one, in any case, is taken
    assert CliRunner().invoke(cli, ["phone", "080-1234-5678", "--region", "jp"]).exit_code == 0


@pytest.mark.parametrize(
    "raw", ["090−1234−5678", "090ー1234ー5678", "090－1234－5678", "０９０−１２３４−５６７８"]
)
def test_minus_signs_and_long_vowel_marks_are_separators(raw: str) -> None:
    # U+2212 (minus sign) as well as ー and － from a Japanese IME
    result = analyze_phone(raw, "JP")
    assert result.valid and result.e164 == "+819012345678"


#: Japanese numbers of each type, and the words a report shows for it
TYPE_WORDS = {
    "090-1234-5678": ("mobile", "携帯電話"),
    "03-1234-5678": ("landline", "固定電話"),
    "050-1234-5678": ("VoIP (internet phone)", "IP 電話"),
    "0120-123-456": ("toll-free", "フリーダイヤル"),
}


@pytest.mark.parametrize("raw", sorted(TYPE_WORDS))
def test_number_types_are_shown_in_words(raw: str) -> None:
    en, ja = TYPE_WORDS[raw]
    result = analyze_phone(raw, "JP")
    assert result.number_type_text is not None
    assert (result.number_type_text.en, result.number_type_text.ja) == (en, ja)
    valid = next(f for f in result.findings if f.id == "phone.invalid")
    assert valid.detail is not None and en in valid.detail.en and ja in valid.detail.ja


def test_the_phone_command_shows_the_type_in_words() -> None:
    out = CliRunner().invoke(cli, ["phone", "+81 90-1234-5678", "--format", "json", "--lang", "ja"])
    assert json.loads(out.output)["number_type_text"] == "携帯電話"
    table = CliRunner().invoke(cli, ["phone", "+81 90-1234-5678", "--lang", "en"]).output
    assert "mobile" in table


def test_a_country_comparison_that_did_not_happen_does_not_claim_a_match() -> None:
    # no machine data (msdiag phone), and a number whose country is unknown
    for result in (analyze_phone("+81 90-1234-5678"), analyze_phone("12", "JP")):
        country = next(f for f in result.findings if f.id == "phone.country_mismatch")
        assert country.status is Status.NOT_APPLICABLE
        assert "match" not in country.title.en.lower() and "一致" not in country.title.ja
    no_locale = Facts(capture(locale=None, time=with_changes("time", time_zone=None)))
    country = next(
        f
        for f in analyze_phone("+1 650-253-0000", facts=no_locale).findings
        if f.id == "phone.country_mismatch"
    )
    assert country.status is Status.NOT_COLLECTED and "match" not in country.title.en.lower()


def test_every_number_type_has_words_in_both_languages() -> None:
    from msdiag.diagnosis.phone import TYPE_NAMES
    from msdiag.diagnosis.phone_findings import type_words

    words = type_words()
    assert set(TYPE_NAMES.values()) == set(words)
    assert all(w.en and w.ja for w in words.values())
