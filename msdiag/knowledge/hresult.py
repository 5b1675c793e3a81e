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
from msdiag.knowledge.winerror import (
    FACILITIES,
    FACILITY_MEDIASERVER,
    FACILITY_WIN32,
    NAMED_HRESULTS,
    NTSTATUS_NAMES,
    UNNAMED_FACILITIES,
    WIN32_ERRORS,
    WIN32_MESSAGES_JA,
)

#: Longest text we try to interpret: a full error sentence fits, a pasted log does not.
MAX_INPUT_CHARS = 500

#: a whole input that is a code: AADSTS, 0x-hex, 8 bare hex digits ("800704cf"), or a decimal
_CODE = re.compile(r"aadsts\s*-?\s*(?P<aadsts>\d{1,7})|0x(?P<hex>[0-9a-f]{1,8})|(?P<bare>[0-9a-f]{8})|(?P<dec>[+-]?\d{1,10})")
#: a code inside a text: AADSTS, or an HRESULT (0x + 8 hex digits, or 8 hex digits with the severity bit)
_EMBEDDED = re.compile(
    r"(?<![0-9a-z])(?:aadsts\s*(?P<aadsts>\d{4,7})(?!\d)|(?:0x(?P<hex>[0-9a-f]{8})|(?P<bare>[89a-f][0-9a-f]{7}))(?![0-9a-z]))"
)
_WIN32_MAX = 0xFFFF
#: the N bit: set, the HRESULT wraps an NTSTATUS (HRESULT_FROM_NT; MS-ERREF 2.1)
_N_BIT = 0x10000000

# WAM (Web Account Manager) codes are 0xCAAnxxxx; n is the WAM facility. Names: MSAL.NET's WAM adapter
# (AadPlugin.cs: FACILITY_ADAL_DEVELOPER/HTTP/URLMON/INTERNET/BACKGROUND_INFRASTRUCTURE); the others
# are labelled from the rows of the WebProviderError.ErrorCode table, their names being undocumented.
_WAM_FAMILIES: dict[int, str] = {
    0x1: "WAM client/developer error (FACILITY_ADAL_DEVELOPER, 0xCAA1xxxx)",
    0x2: "WAM OAuth server error (0xCAA2xxxx; the facility's name is undocumented)",
    0x3: "WAM HTTP status from the server or proxy in the low bits (FACILITY_ADAL_HTTP, 0xCAA3xxxx): network environment",
    0x4: "WAM serialization error (0xCAA4xxxx; undocumented WAM/AAD facility)",
    0x5: "WAM system or platform error (0xCAA5xxxx; undocumented WAM/AAD facility)",
    0x6: "WAM JSON parsing error (0xCAA6xxxx; undocumented WAM/AAD facility)",
    0x7: "WAM URL-moniker (INET) error (FACILITY_ADAL_URLMON, 0xCAA7xxxx): network environment",
    0x8: "WAM WinINet/WinHTTP error in the low 16 bits (FACILITY_ADAL_INTERNET, 0xCAA8xxxx): network environment",
    0x9: "WAM protocol error (0xCAA9xxxx; the facility's name is undocumented)",
    0xA: "WAM internal or utility error (0xCAAAxxxx; undocumented WAM/AAD facility)",
    0xD: "WAM background task cancelled for lack of resources (FACILITY_ADAL_BACKGROUND_INFRASTRUCTURE, 0xCAADxxxx)",
}
#: facilities whose codes carry both top bits as HRESULTs (the message compiler's Sev = 11): Media
#: Foundation (MF_E_*) and XmlLite/MSXML (WC_E_*, 0xC00CExxx on the hybrid-join page)
_SEV11_HRESULT_FACILITIES = frozenset({12, FACILITY_MEDIASERVER})


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
    match = _CODE.fullmatch(s)
    if match is None:
        return None
    if match["aadsts"] is not None:
        return ParsedCode(f"AADSTS{int(match['aadsts'])}", None)
    if match["hex"] is not None:
        return _from_int(int(match["hex"], 16))
    if match["bare"] is not None:
        # 8 hex digits: people copy HRESULTs without 0x ("800704cf"); no Win32 number has 8 digits.
        return ParsedCode(canonical_hresult(int(match["bare"], 16)), int(match["bare"], 16))
    number = int(match["dec"])
    if -(2**31) <= number < 0:
        return _from_int(number & 0xFFFFFFFF)  # signed 32-bit HRESULT as .NET/PowerShell print it
    if 0x80000000 <= number <= 0xFFFFFFFF or 0 <= number <= _WIN32_MAX:
        return _from_int(number)
    return None


def find_embedded_code(text: str) -> ParsedCode | None:
    """The first HRESULT (0x........ or 8 hex digits with the severity bit) or AADSTS code in a text."""
    match = _EMBEDDED.search(normalize_input(text).casefold())
    if match is None:
        return None
    if match["aadsts"] is not None:
        return ParsedCode(f"AADSTS{int(match['aadsts'])}", None)
    value = int(match["hex"] or match["bare"], 16)
    return ParsedCode(canonical_hresult(value), value)


def decode_hresult(value: int) -> DecodedHresult:
    """Split a 32-bit code into severity, facility and code, naming what we can.

    Both top bits set does not make an NTSTATUS: many HRESULTs carry them (WAM 0xCAA..., Media
    Foundation 0xC00D...). The N bit marks an NTSTATUS wrapped as an HRESULT; 0xC000xxxx and the
    CloudAP range 0xC0048xxx are NTSTATUS values; any other code with both bits set is said to be
    ambiguous rather than guessed.
    """
    value &= 0xFFFFFFFF
    code = value & 0xFFFF
    facility = (value >> 16) & 0x1FFF
    win32 = None
    name: tuple[str, str | None] | None = NAMED_HRESULTS.get(value)
    facility_name: str | None
    if value >> 20 == 0xCAA:
        family = (value >> 16) & 0xF
        facility_name = _WAM_FAMILIES.get(family, f"undocumented WAM/AAD facility (0xCAA{family:X}xxxx)")
        if family == 0x8:
            win32 = WIN32_ERRORS.get(code)
    elif value & 0x80000000 and value & _N_BIT:
        status = value & ~_N_BIT
        facility = (status >> 16) & 0xFFF
        facility_name = f"NTSTATUS 0x{status:08X} as an HRESULT (N bit set: HRESULT_FROM_NT)"
        known = NTSTATUS_NAMES.get(status)
        label = f"{known[0]} 0x{status:08X}" if known else f"0x{status:08X}"
        name = (f"HRESULT_FROM_NT({label})", known[1] if known else None)
    elif value >> 30 == 0x3 and facility & 0x7FF not in _SEV11_HRESULT_FACILITIES and name is None:
        facility = (value >> 16) & 0xFFF
        if facility == 0:
            facility_name = "NTSTATUS (error)"
        elif value >> 12 == 0xC0048:
            facility_name = "NTSTATUS (error): CloudAP plug-in range (AAD_CLOUDAP_E_*)"
        else:
            facility_name = "severity bits 11: an NTSTATUS error, or an HRESULT from a message table (cannot tell)"
        name = NTSTATUS_NAMES.get(value)
    else:
        facility_name = FACILITIES.get(facility & 0x7FF) or UNNAMED_FACILITIES.get(facility)
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
        name=name[0] if name else None,
        message=name[1] if name else None,
        win32_message_ja=WIN32_MESSAGES_JA.get(code) if win32 else None,
    )
