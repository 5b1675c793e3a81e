"""Lookup of codes and messages as users report them, and decoding of codes msdiag has no entry for."""

from __future__ import annotations

import pytest

from msdiag.errors import ExitCode, InputError
from msdiag.knowledge.hresult import decode_hresult, parse_code
from msdiag.knowledge.kb import KnowledgeBase


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.default()


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("0x800704CF", "0x800704CF"),
        ("0x800704cf", "0x800704CF"),
        ("800704cf", "0x800704CF"),
        ("-2147023665", "0x800704CF"),
        ("2147943631", "0x800704CF"),
        ("1231", "0x800704CF"),  # bare Win32 error number
        ("０ｘ８００７０４ＣＦ", "0x800704CF"),  # full-width, as typed with a Japanese IME
        ("  0x8019019a  ", "0x8019019A"),
        ("-2145844838", "0x8019019A"),
        ("8019019A", "0x8019019A"),
        ("CAA70007", "0xCAA70007"),
        ("0xcaa70007", "0xCAA70007"),
        ("0xCAA70004", "0xCAA70004"),
        ("AADSTS50079", "AADSTS50079"),
        ("aadsts 50079", "AADSTS50079"),
        ("AADSTS50079: Due to a configuration change made by your administrator", "AADSTS50079"),
        ("Something went wrong", "msg-something-went-wrong"),
        ("Something went wrong [1001]", "msg-something-went-wrong-1001"),
        ("something went wrong［1001］", "msg-something-went-wrong-1001"),
        ("問題が発生しました", "msg-something-went-wrong"),
        ("問題が発生しました [1001]", "msg-something-went-wrong-1001"),
        ("「この国番号は対応していません」", "msg-country-code-not-supported"),
        ("この国番号は 対応していません。", "msg-country-code-not-supported"),
        ("This country code isn't supported", "msg-country-code-not-supported"),
        ("this country code is not supported!", "msg-country-code-not-supported"),
        # partial: the message inside a longer sentence, or only part of the message
        ("電話番号を追加しようとしたら「問題が発生しました」と表示された", "msg-something-went-wrong"),
        ("国番号は対応していません", "msg-country-code-not-supported"),
        ("確認コードが届きません", "msg-verification-code-not-delivered"),
        ("This phone number has already been taken", "msg-phone-number-already-used"),
        ("Too many requests", "msg-too-many-requests"),
        ("エラー コード: 0x80072F8F が表示されます", "0x80072F8F"),
    ],
)
def test_reported_forms_resolve_to_the_entry(kb: KnowledgeBase, query: str, entry_id: str) -> None:
    found = kb.lookup(query)
    assert found.entry is not None, query
    assert found.entry.id == entry_id
    assert found.query == query


@pytest.mark.parametrize("query", ["エラーが発生しました", "「エラーが発生しました」と表示されます"])
def test_the_generic_japanese_error_sentence_matches_no_entry(kb: KnowledgeBase, query: str) -> None:
    # 「エラーが発生しました」 ("an error occurred") ends countless unrelated messages: it once matched
    # the Microsoft account site's "Something went wrong" entry, and must not match the [1001] one
    with pytest.raises(InputError, match="neither an error code"):
        kb.lookup(query)
    assert kb.lookup("エラーが発生しました [1001]").entry is not None


def test_code_lookup_carries_the_decoded_hresult(kb: KnowledgeBase) -> None:
    found = kb.lookup("-2147023665")
    assert found.normalized == "0x800704CF"
    assert found.decoded is not None
    assert (found.decoded.facility, found.decoded.code) == (7, 1231)
    assert found.decoded.win32_name == "ERROR_NETWORK_UNREACHABLE"


def test_messages_and_aadsts_have_no_decoded_hresult(kb: KnowledgeBase) -> None:
    assert kb.lookup("問題が発生しました").decoded is None
    assert kb.lookup("AADSTS50079").decoded is None


def test_unknown_win32_code_is_decoded_without_an_entry(kb: KnowledgeBase) -> None:
    found = kb.lookup("0x80070005")
    assert found.entry is None
    assert found.decoded is not None
    assert found.decoded.facility_name == "FACILITY_WIN32"
    assert found.decoded.win32_name == "ERROR_ACCESS_DENIED"
    assert found.decoded.win32_message == "Access is denied."


def test_unknown_code_outside_the_tables_still_decodes(kb: KnowledgeBase) -> None:
    found = kb.lookup("0x80049999")
    assert found.entry is None and found.decoded is not None
    assert (found.decoded.facility, found.decoded.facility_name) == (4, "FACILITY_ITF")
    assert found.decoded.win32_name is None


@pytest.mark.parametrize(
    ("code", "facility", "facility_name", "number", "win32_name"),
    [
        # 0x80072EE7 is FACILITY_WIN32 (7) wrapping WinINet 12007, not FACILITY_INTERNET (12).
        (0x80072EE7, 7, "FACILITY_WIN32", 12007, "ERROR_INTERNET_NAME_NOT_RESOLVED"),
        (
            0x80072F8F,
            7,
            "FACILITY_WIN32",
            12175,
            "ERROR_WINHTTP_SECURE_FAILURE / ERROR_INTERNET_DECODING_FAILED",
        ),
        (0x80070426, 7, "FACILITY_WIN32", 1062, "ERROR_SERVICE_NOT_ACTIVE"),
        (0x8019019A, 25, "FACILITY_HTTP", 410, None),
        (0x80860010, 134, "FACILITY_ONLINE_ID", 0x10, None),
        (0x800C0005, 12, "FACILITY_INTERNET", 5, None),
        (0x80508007, 80, "FACILITY_WINDOWS_DEFENDER", 0x8007, None),
    ],
)
def test_decode_hresult_follows_winerror_h(
    code: int, facility: int, facility_name: str, number: int, win32_name: str | None
) -> None:
    decoded = decode_hresult(code)
    assert decoded.severity_bit is True
    assert (decoded.facility, decoded.facility_name, decoded.code) == (facility, facility_name, number)
    assert decoded.win32_name == win32_name


def test_wam_network_codes_carry_the_wininet_error() -> None:
    decoded = decode_hresult(0xCAA82EE2)
    assert decoded.code == 12002 and decoded.win32_name == "ERROR_INTERNET_TIMEOUT"
    assert decoded.facility_name is not None and "WinINet" in decoded.facility_name
    assert decode_hresult(0xCAA30194).code == 404  # HTTP status in the low bits


def test_ntstatus_is_not_mistaken_for_an_hresult() -> None:
    decoded = decode_hresult(0xC000006D)
    assert decoded.facility_name == "NTSTATUS (error)"
    assert decoded.win32_name is None


def test_success_code_has_no_severity_bit() -> None:
    parsed = parse_code("0")
    assert parsed is not None and parsed.canonical == "0x00000000"
    assert decode_hresult(0).severity_bit is False


@pytest.mark.parametrize(
    "query",
    [
        "hello",
        "x" * 5000,
        "",
        "   ",
        "0x1234567890",  # more than 32 bits
        "12345678901",  # decimal beyond 32 bits
        "-2147483649",  # below the signed 32-bit range
        "<script>alert(1)</script>",
        "エラー",  # too short to match a message
    ],
)
def test_garbage_is_an_input_error_with_a_clear_message(kb: KnowledgeBase, query: str) -> None:
    with pytest.raises(InputError) as info:
        kb.lookup(query)
    assert info.value.exit_code == ExitCode.USAGE
    assert len(info.value.message) < 300  # never echoes 5000 characters back


def test_long_junk_message_is_truncated_in_the_error(kb: KnowledgeBase) -> None:
    with pytest.raises(InputError, match=r"\.\.\.'"):
        kb.lookup("zzzz " * 40)


def test_search_finds_entries_by_meaning_in_either_language(kb: KnowledgeBase) -> None:
    assert "0x80072F8F" in {e.id for e in kb.search("TLS")}
    assert "msg-country-code-not-supported" in {e.id for e in kb.search("国番号")}
    assert kb.search("   ") == []
