"""Phone-number analysis and masking: Japanese, US and UK numbers, typing mistakes, garbage."""

from __future__ import annotations

import pytest
from support.rule_captures import capture, with_changes

from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import PhoneAnalysis, Status
from msdiag.diagnosis.phone import analyze_phone, detect_trunk_prefix, mask_phone, mask_phones_in_text


def status(result: PhoneAnalysis, fid: str) -> Status | None:
    return next((f.status for f in result.findings if f.id == fid), None)


@pytest.mark.parametrize(
    ("raw", "region", "e164", "number_type"),
    [
        ("090-1234-5678", "JP", "+819012345678", "mobile"),
        ("080-1234-5678", "JP", "+818012345678", "mobile"),
        ("070-1234-5678", "JP", "+817012345678", "mobile"),
        ("+81 90-1234-5678", None, "+819012345678", "mobile"),
        ("+819012345678", None, "+819012345678", "mobile"),
        ("03-1234-5678", "JP", "+81312345678", "fixed_line"),
        ("050-1234-5678", "JP", "+815012345678", "voip"),
        ("+1 650-253-0000", None, "+16502530000", "fixed_line_or_mobile"),
        ("(650) 253-0000", "US", "+16502530000", "fixed_line_or_mobile"),
        ("+44 7400 123456", None, "+447400123456", "mobile"),
        ("０９０－１２３４－５６７８", "JP", "+819012345678", "mobile"),  # full-width from a Japanese IME
    ],
)
def test_valid_numbers(raw: str, region: str | None, e164: str, number_type: str) -> None:
    result = analyze_phone(raw, region)
    assert result.valid and result.e164 == e164 and result.number_type == number_type
    assert status(result, "phone.invalid") is Status.PASS
    assert result.input == raw  # the raw input is kept; reports mask it


def test_landline_needs_a_voice_call_and_voip_is_often_refused() -> None:
    fixed = analyze_phone("03-1234-5678", "JP")
    assert status(fixed, "phone.landline") is Status.WARN
    landline = next(f for f in fixed.findings if f.id == "phone.landline")
    assert (
        landline.detail is not None
        and "voice call" in landline.detail.en
        and "音声通話" in landline.detail.ja
    )
    voip = analyze_phone("050-1234-5678", "JP")
    assert status(voip, "phone.voip") is Status.WARN
    assert status(analyze_phone("090-1234-5678", "JP"), "phone.voip") is Status.PASS


@pytest.mark.parametrize(
    ("raw", "corrected"),
    [
        ("+81 090-1234-5678", "+81 90-1234-5678"),
        ("+81 (0)90 1234 5678", "+81 90-1234-5678"),
        ("0081-090-1234-5678", "+81 90-1234-5678"),
        ("+44 07400 123456", "+44 7400 123456"),
        ("+44 07700 900123", "+44 7700 900123"),  # Ofcom drama range: trunk 0 still detected
    ],
)
def test_trunk_prefix_after_country_code(raw: str, corrected: str) -> None:
    result = analyze_phone(raw)
    assert result.corrected_input == corrected
    assert status(result, "phone.trunk_prefix") is Status.FAIL
    trunk = next(f for f in result.findings if f.id == "phone.trunk_prefix")
    assert trunk.detail is not None and corrected in trunk.detail.en


@pytest.mark.parametrize("raw", ["+81 90-1234-5678", "090-1234-5678", "+39 06 1234 5678"])
def test_no_false_trunk_prefix(raw: str) -> None:
    # Italy keeps its 0 after +39: it is part of the number, not a trunk prefix
    assert detect_trunk_prefix(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "hello", "090-ABCD-5678", "<script>alert(1)</script>", "+", "1" * 65, "+81 " + "9" * 200],
)
def test_garbage_and_long_input_are_invalid_without_exception(raw: str) -> None:
    result = analyze_phone(raw, "JP")
    assert not result.valid
    assert status(result, "phone.invalid") is Status.FAIL
    assert result.steps  # the safe change order is still given


def test_national_number_without_any_region_asks_for_the_country_code() -> None:
    result = analyze_phone("090-1234-5678")
    assert not result.valid
    invalid = next(f for f in result.findings if f.id == "phone.invalid")
    assert invalid.detail is not None and "country code" in invalid.detail.en


def test_machine_region_is_the_default_and_country_mismatch_is_reported() -> None:
    facts = Facts(capture())  # ja-JP machine, home location Japan
    assert analyze_phone("090-1234-5678", facts=facts).e164 == "+819012345678"
    us = analyze_phone("+1 650-253-0000", facts=facts)
    assert status(us, "phone.country_mismatch") is Status.WARN
    assert status(analyze_phone("+81 90-1234-5678", facts=facts), "phone.country_mismatch") is Status.PASS
    no_locale = Facts(capture(locale=None, time=with_changes("time", time_zone=None)))
    assert (
        status(analyze_phone("+1 650-253-0000", facts=no_locale), "phone.country_mismatch")
        is Status.NOT_COLLECTED
    )


def test_steps_follow_the_safe_order_and_give_the_recovery_route() -> None:
    steps = [s.en for s in analyze_phone("+81 90-1234-5678").steps]
    add = next(i for i, s in enumerate(steps) if "ADD the new number" in s)
    primary = next(i for i, s in enumerate(steps) if "primary" in s)
    remove = next(i for i, s in enumerate(steps) if "remove the old number" in s)
    assert add < primary < remove
    assert any("https://account.live.com/acsr" in s for s in steps)
    assert all(s.ja for s in analyze_phone("+81 90-1234-5678").steps)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        # country code, a trunk 0 and the last four stay (msdiag/phone_mask.py says why)
        ("+81 90-1234-5678", "+81 **-****-5678"),
        ("+81 090-1234-5678", "+81 0**-****-5678"),
        ("090-1234-5678", "0**-****-5678"),
        ("+1 650-253-0000", "+1 ***-***-0000"),
        ("+44 7911 123456", "+44 **** **3456"),
        ("0081 90 1234 5678", "0081 ** **** 5678"),
        ("＋８１ ９０-１２３４-５６７８", "＋８１ **-****-５６７８"),  # full width, from a Japanese IME
    ],
)
def test_mask_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


def test_mask_phones_in_text_leaves_error_codes_alone() -> None:
    text = "コード送信先 +81 90-1234-5678 で 0x800704CF (-2147023665) が発生"
    out = mask_phones_in_text(text)
    assert "1234" not in out and "+81 **-****-5678" in out
    assert "0x800704CF" in out and "-2147023665" in out
    assert "5678" in mask_phones_in_text("call 090-1234-5678", "JP")
    assert "1234" not in mask_phones_in_text("call 090-1234-5678", "JP")


def test_e164_mask_keeps_only_the_country_code_and_last_four() -> None:
    from msdiag.diagnosis.phone import mask_phone

    assert mask_phone("+819012345678") == "+81******5678"
    assert mask_phone("+14155550132") == "+1******0132"
    assert "9012" not in mask_phone("+819012345678")
