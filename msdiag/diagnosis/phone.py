"""Phone-number analysis for adding a number to a Microsoft account (phonenumbers).

Beyond what phonenumbers reports (validity, E.164, region, type), this reads the RAW input for
the mistake the library silently forgives: the national trunk prefix typed after the country
code ("+81 090-...", "+44 07...", "+81 (0)90..."). Microsoft's form and SMS gateways do not
always forgive it (the article's 「この国番号は対応していません」 case).

``PhoneAnalysis.input`` keeps the raw input; whoever prints it masks it (mask_phone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat, PhoneNumberType

from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Evidence, Finding, Localized, PhoneAnalysis, Severity, Status
from msdiag.diagnosis.phone_findings import (
    SAFE_CHANGE_STEPS,
    country_finding,
    loc,
    phone_finding,
    type_findings,
    type_text,
)
from msdiag.diagnosis.region import COMPARED, NAMES_JA, machine_signals
from msdiag.errors import InputError
from msdiag.phone_mask import mask_number
from msdiag.phone_mask import mask_phones_in_text as mask_phones_in_text

MAX_INPUT_CHARS = 64
#: phonenumbers.PhoneNumberType -> msdiag's type name (PhoneAnalysis.number_type)
TYPE_NAMES: dict[int, str] = {
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
# separators people type: ASCII and Unicode hyphens and dashes, the minus sign U+2212, the
# katakana prolonged sound mark ー and full-width forms a Japanese IME writes (－ ＋ （ ）)
_ALLOWED = re.compile(r"^[\d\s+\-().\u2010-\u2015\u2212\u30fc\uff0b\uff08\uff09\uff0d/]*$")


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


# ---------------------------------------------------------------- the region to read it with
def check_region(code: str | None, option: str = "--phone-region") -> str | None:
    """A country code for numbers typed without +country code, upper-cased; InputError when unknown."""
    if code is None:
        return None
    region = code.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise InputError(
            f"{option} {code.strip()!r} is not a country phonenumbers knows: give a two-letter ISO "
            "3166 code such as JP, US or GB"
        )
    return region


#: the region settings' names in English sentences (NAMES_JA has the Japanese)
_NAMES_EN = {
    "culture": "regional format",
    "system_locale": "system locale",
    "home_location": "home location",
    "time_zone": "time zone",
}


@dataclass(frozen=True)
class Candidate:
    """A country the PC's region settings point at, and which settings say so."""

    country: str
    sources: tuple[str, ...]

    @property
    def by(self) -> Localized:
        """ "JP by the regional format and time zone" / 「地域の形式、タイム ゾーンが JP」"""
        en = [_NAMES_EN.get(s, s) for s in self.sources]
        listed = en[0] if len(en) == 1 else ", ".join(en[:-1]) + " and " + en[-1]
        ja = "、".join(NAMES_JA.get(s, s) for s in self.sources)
        return Localized(en=f"{self.country} by the {listed}", ja=f"{ja}が {self.country}")


def machine_candidates(facts: Facts | None) -> list[Candidate]:
    """The countries the PC's settings point at, most settings first (culture, system locale,
    home location and time zone each count once; on a tie the setting listed first wins)."""
    if facts is None:
        return []
    votes: dict[str, list[str]] = {}
    for signal in machine_signals(facts):
        if signal.source in COMPARED and signal.country:
            votes.setdefault(signal.country, []).append(signal.source)
    order: dict[str, int] = {source: i for i, source in enumerate(COMPARED)}
    ranked = sorted(votes.items(), key=lambda kv: (-len(kv[1]), min(order[s] for s in kv[1])))
    return [Candidate(country, tuple(sources)) for country, sources in ranked]


def _machine_evidence(facts: Facts | None, candidate: Candidate | None) -> list[Evidence]:
    if facts is None or candidate is None:
        return []
    signals = {s.source: s for s in machine_signals(facts)}
    return [Evidence(fact=f"region.{source}", value=signals[source].value) for source in candidate.sources]  # type: ignore[index]


def _read_as(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException:
        return None


def _choose_region(text: str, candidates: list[Candidate]) -> tuple[Candidate, Localized | None]:
    """The candidate to read a national-format number with, and why (None when nothing disagreed).

    The one most settings agree on, unless the number is not valid there and is valid for another
    candidate: then the valid reading, and the note says so."""
    first, others = candidates[0], candidates[1:]

    def valid_for(c: Candidate) -> bool:
        number = _read_as(text, c.country)
        return number is not None and phonenumbers.is_valid_number(number)

    if not others:
        return first, None
    if valid_for(first):
        rest = [c.by for c in others]
        return first, Localized(
            en=f"Read as a {first.country} number: {first.by.en}; {'; '.join(r.en for r in rest)}.",
            ja=f"{first.country} の番号として読みました({first.by.ja}、{'、'.join(r.ja for r in rest)} を指しています)。",
        )
    valid = next((c for c in others if valid_for(c)), None)
    if valid is None:
        tried = ", ".join(c.country for c in candidates)
        return first, Localized(
            en=f"Read as a {first.country} number ({first.by.en}); it is not valid for any country this PC's "
            f"settings point at ({tried}).",
            ja=f"{first.country} の番号として読みました({first.by.ja} を指しています)。この PC の設定が指すどの国 "
            f"({tried}) でも有効な番号ではありません。",
        )
    return valid, Localized(
        en=f"Read as a {valid.country} number: it is not valid for {first.country} ({first.by.en}) and is valid "
        f"for {valid.country} ({valid.by.en}).",
        ja=f"{valid.country} の番号として読みました。{first.country}({first.by.ja} を指しています)では有効ではなく、"
        f"{valid.country}({valid.by.ja} を指しています)では有効です。",
    )


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
    country the PC's region settings agree on (from ``facts``; see ``_choose_region``), and the
    analysis says which and why. Never raises on bad input (check ``region`` with check_region).
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
    international = _INTERNATIONAL.match(text) is not None
    candidates = machine_candidates(facts)
    machine = candidates[0] if candidates else None
    assumed: str | None = None
    note: Localized | None = None
    if region:
        default_region: str | None = region.upper()
        if not international:
            assumed = default_region
            note = Localized(
                en=f"Read as a {assumed} number (given with --phone-region).",
                ja=f"{assumed} の番号として読みました(--phone-region の指定)。",
            )
    elif not international and candidates:
        chosen, note = _choose_region(text, candidates)
        default_region = assumed = chosen.country
    else:
        default_region = machine.country if machine else None
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
    number_type = TYPE_NAMES.get(phonenumbers.number_type(number), "unknown") if valid else None
    # the finding says why a national number was read for that country (not when it was given)
    why = (f" {note.en}", note.ja) if note is not None and not region else ("", "")
    findings: list[Finding] = []
    if valid and number_type is not None:
        words = type_text(number_type)
        findings.append(
            phone_finding(
                "phone.invalid",
                Status.PASS,
                Severity.INFO,
                loc("The phone number is valid", "有効な電話番号です"),
                loc(
                    f"{number_region}: {words.en} number.{why[0]}",
                    f"{number_region}: {words.ja}の番号です。{why[1]}",
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
                    f"{' (right length, unknown range)' if possible else ''}.{why[0]}",
                    f"{shown} は有効な番号ではありません。{why[1]}",
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
        country_finding(
            number_region if valid else None,
            machine.country if machine else None,
            _machine_evidence(facts, machine),
            facts,
        )
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
        number_type_text=type_text(number_type) if number_type is not None else None,
        assumed_region=assumed,
        assumed_region_note=note,
    )
