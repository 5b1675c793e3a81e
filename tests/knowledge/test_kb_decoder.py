"""Decoding codes msdiag has no entry for: the gaps issue 12 found (MS-ERREF, winerror.h, Learn)."""

from __future__ import annotations

import pytest

from msdiag.knowledge.hresult import decode_hresult, parse_code
from msdiag.knowledge.kb import KnowledgeBase


def test_an_hresult_with_the_n_bit_wraps_an_ntstatus_and_is_not_itself_one() -> None:
    # 0xD0000022: S=1 R=1 N=1 -> HRESULT_FROM_NT(0xC0000022); as an NTSTATUS it would be invalid
    decoded = decode_hresult(0xD0000022)
    assert decoded.name == "HRESULT_FROM_NT(STATUS_ACCESS_DENIED 0xC0000022)"
    assert decoded.facility_name is not None and "HRESULT_FROM_NT" in decoded.facility_name
    assert decoded.facility_name != "NTSTATUS (error)"


def test_a_media_foundation_hresult_with_both_top_bits_is_not_an_ntstatus() -> None:
    decoded = decode_hresult(0xC00D36B2)
    assert (decoded.facility, decoded.facility_name) == (13, "FACILITY_MEDIASERVER")
    assert decoded.name == "MF_E_INVALIDREQUEST"
    assert decoded.message == "The request is invalid in the current state."


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [(0x80004005, "E_FAIL", "Unspecified failure"), (0x8000FFFF, "E_UNEXPECTED", "Unexpected failure")],
)
def test_common_hresults_of_facility_null_have_names(code: int, name: str, message: str) -> None:
    decoded = decode_hresult(code)
    assert (decoded.facility_name, decoded.name, decoded.message) == ("FACILITY_NULL", name, message)


def test_device_registration_codes_name_their_facility_and_where_the_name_comes_from() -> None:
    label = decode_hresult(0x801C0021).facility_name
    assert label is not None and label.startswith("device registration (DSREG)")
    assert "no FACILITY_ name in winerror.h" in label and "hybrid-join" in label


def test_win32_1312_is_known_in_both_forms() -> None:
    parsed = parse_code("1312")
    assert parsed is not None and parsed.canonical == "0x80070520"
    decoded = decode_hresult(0x80070520)
    assert decoded.win32_name == "ERROR_NO_SUCH_LOGON_SESSION"
    assert decoded.win32_message == "A specified logon session does not exist. It may already have been terminated."


@pytest.mark.parametrize("code", [0xCAA5001C, 0xCAA40001, 0xCAA60001, 0xCAAA0001], ids=hex)
def test_wam_facilities_without_a_documented_name_say_so(code: int) -> None:
    label = decode_hresult(code).facility_name
    assert label is not None and "undocumented WAM/AAD facility" in label
    assert "token broker" not in label.lower()


def test_wam_facilities_with_a_documented_name_carry_it() -> None:
    assert "FACILITY_ADAL_INTERNET" in (decode_hresult(0xCAA82F87).facility_name or "")
    assert "FACILITY_ADAL_URLMON" in (decode_hresult(0xCAA7000A).facility_name or "")
    assert "FACILITY_ADAL_HTTP" in (decode_hresult(0xCAA30194).facility_name or "")


def test_both_top_bits_outside_known_ranges_is_called_ambiguous_not_ntstatus() -> None:
    label = decode_hresult(0xC0123456).facility_name or ""
    assert "cannot tell" in label
    assert decode_hresult(0xC004844C).facility_name == "NTSTATUS (error): CloudAP plug-in range (AAD_CLOUDAP_E_*)"


def test_win32_messages_have_microsofts_japanese_where_it_is_public() -> None:
    decoded = decode_hresult(0x800704CF)
    assert decoded.win32_message_ja is not None and decoded.win32_message_ja.startswith("ネットワークの場所に到達できません")
    # WinINet texts have no public Japanese: the English stays, the Japanese is None (not a guess)
    assert decode_hresult(0x80072EE2).win32_message_ja is None


def test_a_decoded_code_without_an_entry_reaches_the_lookup() -> None:
    found = KnowledgeBase.default().lookup("0xD0000022")
    assert found.entry is None and found.decoded is not None
    assert found.decoded.name == "HRESULT_FROM_NT(STATUS_ACCESS_DENIED 0xC0000022)"
