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

from diag.capture.parse import Facts
from diag.diagnosis.models import Evidence, Finding, Localized, PhoneAnalysis, Severity, Status
from diag.diagnosis.region import machine_signals
from diag.phone_mask import mask_number
from diag.phone_mask import mask_phones_in_text as mask_phones_in_text

MAX_INPUT_CHARS = 64
RECOVERY_URL = "https://account.live.com/acsr"
SECURITY_INFO_URL = "https://account.microsoft.com/security"
#: the ids of the findings the phone analysis makes: the knowledge base links them like rule ids
PHONE_FINDING_IDS: tuple[str, ...] = (
    "phone.invalid",
    "phone.trunk_prefix",
    "phone.landline",
    "phone.voip",
    "phone.country_mismatch",
)

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
#: number types that cannot take an SMS or a call with a code at all
_UNUSABLE_TYPES = {"toll_free", "premium_rate", "shared_cost", "pager", "uan", "voicemail"}
# "+81", "0081", "+81 (0)", "+81-0" ...: the international prefix and country code at the start
_INTERNATIONAL = re.compile(r"^\s*(?:\+|00(?!0))")
_ALLOWED = re.compile(r"^[\d\s+\-().\u2010-\u2015\u30fc\uff0b\uff08\uff09\uff0d/]*$")


def _loc(en: str, ja: str) -> Localized:
    return Localized(en=en, ja=ja)


def _finding(
    fid: str,
    status: Status,
    severity: Severity,
    title: Localized,
    detail: Localized | None = None,
    evidence: list[Evidence] | None = None,
    remediation: list[Localized] | None = None,
) -> Finding:
    if fid not in PHONE_FINDING_IDS:
        raise ValueError(f"undeclared phone finding id {fid!r}: add it to PHONE_FINDING_IDS")
    # related_codes: the diagnosis engine fills them from the knowledge base
    return Finding(
        id=fid,
        status=status,
        severity=severity,
        title=title,
        detail=detail,
        evidence=evidence or [],
        remediation=remediation or [],
        checks=[],
    )


# ---------------------------------------------------------------- masking
def mask_phone(text: str, region: str | None = None) -> str:
    """One number masked as every msdiag output masks it ('+81 90-1234-5678' -> '+81 **-****-5678').

    The rule lives in diag.phone_mask (one masker for `msdiag phone` and the reports); ``region``
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


# ---------------------------------------------------------------- steps
SAFE_CHANGE_STEPS: tuple[Localized, ...] = (
    _loc(
        f"Sign in at {SECURITY_INFO_URL} and ADD the new number first (Advanced security options > Add a new "
        "way to sign in or verify); enter the code it receives.",
        f"{SECURITY_INFO_URL} にサインインし、まず新しい番号を「追加」します(高度なセキュリティ オプション > "
        "新しいサインイン方法の追加)。届いたコードを入力してください。",
    ),
    _loc(
        "If the number is a sign-in alias (Manage how you sign in), make the new one primary (Make primary).",
        "番号をサインイン用のエイリアスとして使っている場合は、新しい番号を「プライマリにする(メインに設定)」にします。",
    ),
    _loc(
        "Only then remove the old number. Never remove first: codes could no longer reach you.",
        "その後で古い番号を削除します。先に削除すると、コードを受け取れなくなるおそれがあります。",
    ),
    _loc(
        f"If codes only go to a number you no longer have and no other method works, use the account "
        f"recovery form: {RECOVERY_URL}",
        "使えなくなった番号にしかコードが届かず、ほかの確認方法"
        "もない場合は、アカウント回復フォームを使ってください: "
        f"{RECOVERY_URL}",
    ),
)


# ---------------------------------------------------------------- analysis
def _type_finding(number_type: str) -> list[Finding]:
    if number_type == "voip":
        return [
            _finding(
                "phone.voip",
                Status.WARN,
                Severity.HIGH,
                _loc(
                    "VoIP number: often refused for verification codes",
                    "IP 電話の番号: 確認コードの送信先として拒否されることがあります",
                ),
                _loc(
                    "Internet phone numbers (such as Japanese 050 "
                    "numbers) often do not receive Microsoft's codes.",
                    "IP 電話の番号(日本の 050 番号など)には "
                    "Microsoft の確認コードが届かないことがよくあります。",
                ),
                remediation=[
                    _loc(
                        "Use a mobile number, or the Microsoft Authenticator app.",
                        "携帯電話の番号、または Microsoft Authenticator アプリを使ってください。",
                    )
                ],
            )
        ]
    findings = [
        _finding(
            "phone.voip", Status.PASS, Severity.INFO, _loc("Not a VoIP number", "IP 電話の番号ではありません")
        )
    ]
    if number_type == "fixed_line":
        findings.append(
            _finding(
                "phone.landline",
                Status.WARN,
                Severity.MEDIUM,
                _loc("Landline: cannot receive text messages", "固定電話: SMS を受信できません"),
                _loc(
                    "A fixed line cannot receive the SMS code: choose a voice call to receive it.",
                    "固定電話では SMS のコードを受け取れません。"
                    "音声通話でコードを受け取る方法を選んでください。",
                ),
                remediation=[
                    _loc(
                        "Choose 'Call' instead of 'Text' when asked how to receive the code.",
                        "コードの受け取り方法で「テキスト」ではなく「通話」を選んでください。",
                    )
                ],
            )
        )
    elif number_type in _UNUSABLE_TYPES:
        findings.append(
            _finding(
                "phone.landline",
                Status.FAIL,
                Severity.HIGH,
                _loc(
                    f"A {number_type.replace('_', ' ')} number cannot receive codes",
                    f"この種類の番号 ({number_type}) ではコードを受け取れません",
                ),
                _loc(
                    "Service numbers (toll-free, premium, shared "
                    "cost...) receive neither SMS nor calls with codes.",
                    "サービス番号(フリーダイヤル、有料番号など)は SMS も確認コードの電話も受けられません。",
                ),
                remediation=[_loc("Use a personal mobile number.", "個人の携帯電話の番号を使ってください。")],
            )
        )
    elif number_type in ("mobile", "fixed_line_or_mobile", "personal_number"):
        findings.append(
            _finding(
                "phone.landline",
                Status.PASS,
                Severity.INFO,
                _loc("Can receive text messages", "SMS を受信できる番号です"),
            )
        )
    else:
        findings.append(
            _finding(
                "phone.landline",
                Status.NOT_COLLECTED,
                Severity.INFO,
                _loc("Number type unknown", "番号の種類が不明です"),
                _loc("phonenumbers cannot tell the type of this number.", "番号の種類を判別できません。"),
            )
        )
    return findings


def _invalid(raw: str, en: str, ja: str, possible: bool = False) -> PhoneAnalysis:
    return PhoneAnalysis(
        input=raw[: MAX_INPUT_CHARS * 2],
        valid=False,
        possible=possible,
        findings=[
            _finding(
                "phone.invalid",
                Status.FAIL,
                Severity.HIGH,
                _loc("The phone number is not valid", "電話番号が正しくありません"),
                _loc(en, ja),
                remediation=[
                    _loc(
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
            _finding(
                "phone.invalid",
                Status.PASS,
                Severity.INFO,
                _loc("The phone number is valid", "有効な電話番号です"),
                _loc(f"{number_region}, type {number_type}.", f"{number_region}、種類: {number_type}"),
            )
        )
    else:
        findings.append(
            _finding(
                "phone.invalid",
                Status.FAIL,
                Severity.HIGH,
                _loc("The phone number is not valid", "電話番号が正しくありません"),
                _loc(
                    f"+{number.country_code} {number.national_number} is not a valid number"
                    f"{' for ' + number_region if number_region and number_region != 'ZZ' else ''}"
                    f"{' (right length, unknown range)' if possible else ''}.",
                    f"+{number.country_code} {number.national_number} は有効な番号ではありません。",
                ),
                remediation=[
                    _loc("Check the digits and the country code.", "番号と国番号を確認してください。")
                ],
            )
        )
    corrected = None
    if trunk is not None:
        corrected = trunk[1]
        findings.append(
            _finding(
                "phone.trunk_prefix",
                Status.FAIL,
                Severity.MEDIUM,
                _loc(
                    "The leading 0 (trunk prefix) was typed after the country code",
                    "国番号の後に市外局番の先頭の 0(トランク プレフィックス)が入力されています",
                ),
                _loc(
                    f"Type it as {corrected}: after +{number.country_code} "
                    f"the national prefix '{trunk[0]}' is dropped.",
                    f"{corrected} と入力してください。+{number.country_code} "
                    f"の後ろでは先頭の '{trunk[0]}' を付けません。",
                ),
                evidence=[Evidence(fact="phone.input", value="(raw input, masked in reports)")],
                remediation=[
                    _loc(f"Enter the number as {corrected}.", f"{corrected} の形式で入力してください。")
                ],
            )
        )
    else:
        findings.append(
            _finding(
                "phone.trunk_prefix",
                Status.PASS,
                Severity.INFO,
                _loc(
                    "No trunk prefix after the country code",
                    "国番号の後にトランク プレフィックスはありません",
                ),
            )
        )
    if valid and number_type is not None:
        findings.extend(_type_finding(number_type))
    findings.append(
        _country_finding(number_region if valid else None, machine_country, machine_evidence, facts)
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


def _country_finding(
    number_region: str | None, machine_country: str | None, evidence: list[Evidence], facts: Facts | None
) -> Finding:
    title_ok = _loc("Phone country matches this PC", "電話番号の国と PC の地域が一致しています")
    if number_region is None:
        return _finding(
            "phone.country_mismatch",
            Status.NOT_APPLICABLE,
            Severity.INFO,
            title_ok,
            _loc("The number's country is unknown.", "番号の国が不明です。"),
        )
    if facts is None:
        return _finding(
            "phone.country_mismatch",
            Status.NOT_APPLICABLE,
            Severity.INFO,
            title_ok,
            _loc("No machine data to compare with.", "比較する PC の情報がありません。"),
        )
    if machine_country is None:
        return _finding(
            "phone.country_mismatch",
            Status.NOT_COLLECTED,
            Severity.INFO,
            title_ok,
            _loc(
                "The PC's country could not be determined (locale / time zone not collected).",
                "PC の国を判別できませんでした(地域・タイム ゾーンが収集されていません)。",
            ),
        )
    evidence = [Evidence(fact="phone.region", value=number_region), *evidence]
    if number_region != machine_country:
        return _finding(
            "phone.country_mismatch",
            Status.WARN,
            Severity.MEDIUM,
            _loc(
                "The phone number's country differs from this PC's region",
                "電話番号の国がこの PC の地域と異なります",
            ),
            _loc(
                f"Phone: {number_region}; PC: {machine_country}. "
                f"Pick {number_region} in the country-code list.",
                f"電話番号: {number_region}、PC: {machine_country}。"
                f"国番号の一覧では {number_region} を選んでください。",
            ),
            evidence=evidence,
            remediation=[
                _loc(
                    "Select the phone's country (not the PC's) in the country list on the account page.",
                    "アカウントのページの国の一覧では、PC の地域ではなく電話番号の国を選んでください。",
                )
            ],
        )
    return _finding(
        "phone.country_mismatch",
        Status.PASS,
        Severity.INFO,
        title_ok,
        _loc(f"Both are {number_region}.", f"どちらも {number_region} です。"),
        evidence=evidence,
    )
