"""Normalise error codes the way people report them, and decode HRESULTs msdiag has no entry for.

Accepted forms (after Unicode NFKC, so full-width digits and brackets work too):
  0x800704CF, 800704cf, CAA70007   hex HRESULT (bare hex must be exactly 8 digits)
  -2147023665, 2147943631          signed / unsigned 32-bit decimal
  1231, 0x4CF                      a bare Win32 error number -> HRESULT_FROM_WIN32 (0x800704CF)
  AADSTS50079, aadsts 50079        Entra ID (AADSTS) error
Codes inside a longer text ("Error code: 0x800704CF", "AADSTS50079: Due to ...") are found by
`find_embedded_code`; messages are matched by the knowledge base with `message_key`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from msdiag.diagnosis.models import DecodedHresult
from msdiag.knowledge.winerror import FACILITIES, FACILITY_WIN32, WIN32_ERRORS

#: Longest text we try to interpret: a full error sentence fits, a pasted log does not.
MAX_INPUT_CHARS = 500

_HEX_PREFIXED = re.compile(r"0x([0-9a-f]{1,8})")
_HEX_BARE = re.compile(r"[0-9a-f]{8}")
_DECIMAL = re.compile(r"[+-]?\d{1,10}")
_AADSTS = re.compile(r"aadsts\s*-?\s*(\d{1,7})")
_EMBEDDED_HEX = re.compile(r"(?<![0-9a-z])(?:0x([0-9a-f]{8})|([89a-f][0-9a-f]{7}))(?![0-9a-z])")
_EMBEDDED_AADSTS = re.compile(r"(?<![0-9a-z])aadsts\s*(\d{4,7})(?!\d)")
_WIN32_MAX = 0xFFFF

# WAM (Web Account Manager) codes are 0xCAAnxxxx; n says what the low bits carry (S1, S13).
_WAM_FAMILIES: dict[int, str] = {
    0x1: "WAM client/UI error (0xCAA1xxxx)",
    0x2: "WAM OAuth server error (0xCAA2xxxx)",
    0x3: "WAM: HTTP status from the server in the low bits (0xCAA3xxxx)",
    0x5: "WAM token broker operation error (0xCAA5xxxx)",
    0x7: "WAM URL-moniker/internet error (0xCAA7xxxx): network environment",
    0x8: "WAM WinINet error in the low 16 bits (0xCAA8xxxx): network environment",
    0x9: "WAM ADAL protocol error (0xCAA9xxxx)",
}


@dataclass(frozen=True)
class ParsedCode:
    """A code recognised in the input: canonical spelling plus its 32-bit value (None for AADSTS)."""

    canonical: str  # "0x800704CF" or "AADSTS50079"
    value: int | None


def normalize_input(text: str) -> str:
    """NFKC (full-width -> ASCII), trimmed, runs of whitespace collapsed: the form we show back."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def message_key(text: str) -> str:
    """Comparison key for message texts: case, width, quotes, brackets and punctuation ignored.

    Letters and digits (any script) are kept; everything else becomes one space; apostrophes vanish
    ("isn't" == "isnt"); spaces between two non-ASCII characters vanish (Japanese has no spaces,
    so "問題が 発生しました" == "問題が発生しました").
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("\u2019", "")
    spaced = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in folded)
    collapsed = " ".join(spaced.split())
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", collapsed)


def canonical_hresult(value: int) -> str:
    return f"0x{value & 0xFFFFFFFF:08X}"


def hresult_from_win32(error: int) -> int:
    """HRESULT_FROM_WIN32: 0 stays 0, anything else becomes 0x8007xxxx."""
    return 0 if error == 0 else 0x80070000 | (error & 0xFFFF)


def _from_int(value: int) -> ParsedCode:
    if 0 <= value <= _WIN32_MAX:
        value = hresult_from_win32(value)
    return ParsedCode(canonical_hresult(value), value & 0xFFFFFFFF)


def parse_code(text: str) -> ParsedCode | None:
    """The code the whole input spells, or None when it is not a code (it may still be a message)."""
    s = normalize_input(text).casefold().replace(" ", "")
    if not s:
        return None
    if match := _AADSTS.fullmatch(s):
        return ParsedCode(f"AADSTS{int(match.group(1))}", None)
    if match := _HEX_PREFIXED.fullmatch(s):
        return _from_int(int(match.group(1), 16))
    if _HEX_BARE.fullmatch(s):
        # 8 hex digits: people copy HRESULTs without 0x ("800704cf"); no Win32 number has 8 digits.
        return ParsedCode(canonical_hresult(int(s, 16)), int(s, 16))
    if _DECIMAL.fullmatch(s):
        number = int(s)
        if -(2**31) <= number < 0:
            return _from_int(number & 0xFFFFFFFF)  # signed 32-bit HRESULT as .NET/PowerShell print it
        if 0x80000000 <= number <= 0xFFFFFFFF or 0 <= number <= _WIN32_MAX:
            return _from_int(number)
    return None


def find_embedded_code(text: str) -> ParsedCode | None:
    """The first HRESULT (0x........ or 8 hex digits with the severity bit) or AADSTS code in a text."""
    s = normalize_input(text).casefold()
    aadsts = _EMBEDDED_AADSTS.search(s)
    hexcode = _EMBEDDED_HEX.search(s)
    if aadsts and (hexcode is None or aadsts.start() < hexcode.start()):
        return ParsedCode(f"AADSTS{int(aadsts.group(1))}", None)
    if hexcode:
        value = int(hexcode.group(1) or hexcode.group(2), 16)
        return ParsedCode(canonical_hresult(value), value)
    return None


def decode_hresult(value: int) -> DecodedHresult:
    """Split a 32-bit code into severity, facility and code, naming what we can."""
    value &= 0xFFFFFFFF
    code = value & 0xFFFF
    win32 = None
    facility_name: str | None
    if value >> 20 == 0xCAA:
        family = (value >> 16) & 0xF
        facility = (value >> 16) & 0x1FFF
        facility_name = _WAM_FAMILIES.get(family, "WAM (Web Account Manager) error (0xCAA...)")
        if family == 0x8:
            win32 = WIN32_ERRORS.get(code)
    elif value >> 30 == 0x3:
        # Severity "error" in both top bits: an NTSTATUS (0xC0000000 range), not an HRESULT.
        facility = (value >> 16) & 0xFFF
        facility_name = "NTSTATUS (error)"
    else:
        facility = (value >> 16) & 0x1FFF
        facility_name = FACILITIES.get(facility)
        if facility == FACILITY_WIN32:
            win32 = WIN32_ERRORS.get(code)
    return DecodedHresult(
        hresult=canonical_hresult(value),
        severity_bit=bool(value & 0x80000000),
        facility=facility,
        facility_name=facility_name,
        code=code,
        win32_name=win32.name if win32 else None,
        win32_message=win32.message if win32 else None,
    )
