"""Phone-number analysis for adding a number to a Microsoft account (phonenumbers).

Beyond what phonenumbers reports (validity, E.164, region, type), this reads the RAW input for
the mistake the library silently forgives: the national trunk prefix typed after the country
code ("+81 090-...", "+44 07...", "+81 (0)90..."). Microsoft's form and SMS gateways do not
always forgive it (the article's 「この国番号は対応していません」 case).

``PhoneAnalysis.input`` keeps the raw input; whoever prints it masks it (mask_phone).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat, PhoneNumberType

from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Evidence, Finding, PhoneAnalysis, Severity, Status
from msdiag.diagnosis.phone_findings import (
    SAFE_CHANGE_STEPS,
    country_finding,
    loc,
    phone_finding,
    type_findings,
)
from msdiag.diagnosis.region import machine_signals
from msdiag.formats.labels import value_label
from msdiag.phone_mask import mask_number
from msdiag.phone_mask import mask_phones_in_text as mask_phones_in_text

MAX_INPUT_CHARS = 64
_TYPE_NAMES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
# "+81", "0081", "+81 (0)", "+81-0" ...: the international prefix and country code at the start
_INTERNATIONAL = re.compile(r"^\s*(?:\+|00(?!0))")
_ALLOWED = re.compile(r"^[\d\s+\-().\u2010-\u2015\u30fc\uff0b\uff08\uff09\uff0d/]*$")


# ---------------------------------------------------------------- masking
def mask_phone(text: str, region: str | None = None) -> str:
    """One number masked as every msdiag output masks it ('+81 90-1234-5678' -> '+81 **-****-5678').

    The rule lives in msdiag.phone_mask (one masker for `msdiag phone` and the reports); ``region``
    is accepted for callers that know it: the shape alone decides what is kept."""
    return mask_number(text)


# ---------------------------------------------------------------- trunk prefix
def _to_ascii(raw: str) -> str:
    # full-width digits and plus from a Japanese IME: ０９０ -> 090, ＋ -> +
    table = {ord("\uff0b"): "+"}
    table.update({0xFF10 + i: str(i) for i in range(10)})
    return raw.translate(table)


def detect_trunk_prefix(raw: str) -> tuple[str, str] | None:
    """(trunk prefix, corrected international form) when the national prefix follows the country code.

    ``+81 090-1234-5678`` -> ('0', '+81 90-1234-5678'); ``0081-090-...`` and ``+81 (0)90...`` too.
    """
    text = _to_ascii(raw)
    if not _INTERNATIONAL.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("00"):
        digits = digits[2:]
    for cc_len in (1, 2, 3):
        cc = int(digits[:cc_len]) if len(digits) > cc_len else 0
        region = phonenumbers.region_code_for_country_code(cc)
        if region == "ZZ":
            continue
        meta = PhoneMetadata.metadata_for_region(region)
        prefix = meta.national_prefix if meta is not None else None
        national = digits[cc_len:]
        if not prefix or not national.startswith(prefix):
            return None
        try:
            corrected = phonenumbers.parse(f"+{cc}{national[len(prefix) :]}", None)
        except NumberParseException:
            return None
        if not phonenumbers.is_possible_number(corrected):
            return None
        return prefix, phonenumbers.format_number(corrected, PhoneNumberFormat.INTERNATIONAL)
    return None


# ---------------------------------------------------------------- machine country
def _machine_country(facts: Facts | None) -> tuple[str | None, list[Evidence]]:
    """The machine's country: home location first, then culture, then time zone."""
    if facts is None:
        return None, []
    signals = {s.source: s for s in machine_signals(facts)}
    for source in ("home_location", "culture", "system_locale", "time_zone"):
        s = signals.get(source)  # type: ignore[call-overload]
        if s is not None and s.country:
            return s.country, [Evidence(fact=f"region.{source}", value=s.value)]
    return None, []


# ---------------------------------------------------------------- analysis
def _invalid(raw: str, en: str, ja: str, possible: bool = False) -> PhoneAnalysis:
    return PhoneAnalysis(
        input=raw[: MAX_INPUT_CHARS * 2],
        valid=False,
        possible=possible,
        findings=[
            phone_finding(
                "phone.invalid",
                Status.FAIL,
                Severity.HIGH,
                loc("The phone number is not valid", "電話番号が正しくありません"),
                loc(en, ja),
                remediation=[
                    loc(
                        "Type the number as +country code, then the number without its leading 0 "
                        "(for Japan: +81 90-XXXX-XXXX).",
                        "「+国番号」に続けて、先頭の 0 を除いた番号を入力して"
                        "ください(日本の例: +81 90-XXXX-XXXX)。",
                    )
                ],
            )
        ],
        steps=list(SAFE_CHANGE_STEPS),
    )


def analyze_phone(raw: str, region: str | None = None, facts: Facts | None = None) -> PhoneAnalysis:
    """Everything msdiag can tell about a number before the user types it into the account page.

    ``region`` (ISO code) is used for numbers typed without a country code; without it the
    machine's country (from ``facts``) is used. Never raises on bad input.
    """
    if len(raw) > MAX_INPUT_CHARS:
        return _invalid(
            raw,
            f"The input is {len(raw)} characters long; a phone number has at most 15 digits.",
            f"入力が {len(raw)} 文字あります。電話番号は最大 15 桁です。",
        )
    text = _to_ascii(raw).strip()
    if not text:
        return _invalid(raw, "No number was given.", "番号が入力されていません。")
    if not _ALLOWED.match(text) or not any(ch.isdigit() for ch in text):
        return _invalid(
            raw,
            "The input contains characters that do not belong in a phone number.",
            "電話番号に使えない文字が含まれています。",
        )
    machine_country, machine_evidence = _machine_country(facts)
    default_region = region or machine_country or None
    default_region = default_region.upper() if default_region else None
    trunk = detect_trunk_prefix(text)
    parse_text = text
    if text.startswith("00") and not text.startswith("000"):
        parse_text = "+" + text[2:]  # IDD "00" works from most countries (Japan uses 010 as well)
    try:
        number = phonenumbers.parse(parse_text, default_region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE and default_region is None:
            return _invalid(
                raw,
                "No country code: type the number with + and its country code, or pass --region.",
                "国番号がありません。+ と国番号を付けて入力するか、--region を指定してください。",
            )
        return _invalid(
            raw, f"Not a phone number ({exc.args[0] if exc.args else exc}).", "電話番号として解釈できません。"
        )
    if trunk is not None:
        # phonenumbers keeps the trunk 0 as part of some national numbers; judge the corrected form
        number = phonenumbers.parse(trunk[1], None)
    valid = phonenumbers.is_valid_number(number)
    possible = phonenumbers.is_possible_number(number)
    number_region = phonenumbers.region_code_for_number(number)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    number_type = _TYPE_NAMES.get(phonenumbers.number_type(number), "unknown") if valid else None
    findings: list[Finding] = []
    if valid:
        findings.append(
            phone_finding(
                "phone.invalid",
                Status.PASS,
                Severity.INFO,
                loc("The phone number is valid", "有効な電話番号です"),
                loc(
                    f"{number_region}, type {number_type}.",
                    f"{number_region}、種類: {value_label('number_type', number_type or 'unknown', 'ja')}",
                ),
            )
        )
    else:
        # masked here: the text maskers cannot recognise a short or malformed number in a sentence
        shown = mask_number(f"+{number.country_code} {number.national_number}", number.country_code)
        findings.append(
            phone_finding(
                "phone.invalid",
                Status.FAIL,
                Severity.HIGH,
                loc("The phone number is not valid", "電話番号が正しくありません"),
                loc(
                    f"{shown} is not a valid number"
                    f"{' for ' + number_region if number_region and number_region != 'ZZ' else ''}"
                    f"{' (right length, unknown range)' if possible else ''}.",
                    f"{shown} は有効な番号ではありません。",
                ),
                remediation=[
                    loc("Check the digits and the country code.", "番号と国番号を確認してください。")
                ],
            )
        )
    corrected = None
    if trunk is not None:
        corrected = trunk[1]
        findings.append(
            phone_finding(
                "phone.trunk_prefix",
                Status.FAIL,
                Severity.MEDIUM,
                loc(
                    "The leading 0 (trunk prefix) was typed after the country code",
                    "国番号の後に市外局番の先頭の 0(トランク プレフィックス)が入力されています",
                ),
                loc(
                    f"Type it as {corrected}: after +{number.country_code} "
                    f"the national prefix '{trunk[0]}' is dropped.",
                    f"{corrected} と入力してください。+{number.country_code} "
                    f"の後ろでは先頭の '{trunk[0]}' を付けません。",
                ),
                # the number as typed (reports mask it; the trunk 0 stays visible)
                evidence=[Evidence(fact="phone.input", value=raw, note=loc("as typed", "入力されたまま"))],
                remediation=[
                    loc(f"Enter the number as {corrected}.", f"{corrected} の形式で入力してください。")
                ],
            )
        )
    else:
        findings.append(
            phone_finding(
                "phone.trunk_prefix",
                Status.PASS,
                Severity.INFO,
                loc(
                    "No trunk prefix after the country code",
                    "国番号の後にトランク プレフィックスはありません",
                ),
            )
        )
    if valid and number_type is not None:
        findings.extend(type_findings(number_type))
    findings.append(
        country_finding(number_region if valid else None, machine_country, machine_evidence, facts)
    )
    return PhoneAnalysis(
        input=raw,
        valid=valid,
        possible=possible,
        e164=e164 if possible else None,
        region=number_region if number_region not in (None, "ZZ") else None,
        country_code=number.country_code,
        number_type=number_type,
        national_format=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
        corrected_input=corrected,
        findings=findings,
        steps=list(SAFE_CHANGE_STEPS),
    )
