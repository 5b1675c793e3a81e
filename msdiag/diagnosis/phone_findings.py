"""The findings and steps of the phone analysis: number types, the country check, the safe way
to change a number. msdiag.diagnosis.phone reads the number; this module words what it found."""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources

from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Evidence, Finding, Localized, Severity, Status

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

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
#: phone findings that describe the situation, not a fault: they never confirm a cause by themselves
CONTEXT_PHONE_FINDINGS: frozenset[str] = frozenset({"phone.country_mismatch"})


#: number types that cannot take an SMS or a call with a code at all
UNUSABLE_TYPES = {"toll_free", "premium_rate", "shared_cost", "pager", "uan", "voicemail"}


@lru_cache(maxsize=1)
def type_words() -> dict[str, Localized]:
    """phonenumbers' number types in words (data/number_types.toml), for every report."""
    text = resources.files("msdiag.diagnosis").joinpath("data/number_types.toml").read_text(encoding="utf-8")
    return {name: Localized.model_validate(words) for name, words in tomllib.loads(text).items()}


def type_text(number_type: str) -> Localized:
    """A number type in words: "mobile" / 「携帯電話」."""
    words = type_words()
    return words.get(number_type, words["unknown"])


def loc(en: str, ja: str) -> Localized:
    return Localized(en=en, ja=ja)


def phone_finding(
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


# ---------------------------------------------------------------- steps
SAFE_CHANGE_STEPS: tuple[Localized, ...] = (
    loc(
        f"Sign in at {SECURITY_INFO_URL} and ADD the new number first (Advanced security options > Add a new "
        "way to sign in or verify); enter the code it receives.",
        f"{SECURITY_INFO_URL} にサインインし、まず新しい番号を「追加」します(高度なセキュリティ オプション > "
        "新しいサインイン方法の追加)。届いたコードを入力してください。",
    ),
    loc(
        "If the number is a sign-in alias (Manage how you sign in), make the new one primary (Make primary).",
        "番号をサインイン用のエイリアスとして使っている場合は、新しい番号を「プライマリにする(メインに設定)」にします。",
    ),
    loc(
        "Only then remove the old number. Never remove first: codes could no longer reach you.",
        "その後で古い番号を削除します。先に削除すると、コードを受け取れなくなるおそれがあります。",
    ),
    loc(
        f"If codes only go to a number you no longer have and no other method works, use the account "
        f"recovery form: {RECOVERY_URL}",
        "使えなくなった番号にしかコードが届かず、ほかの確認方法"
        "もない場合は、アカウント回復フォームを使ってください: "
        f"{RECOVERY_URL}",
    ),
)


def type_findings(number_type: str) -> list[Finding]:
    if number_type == "voip":
        return [
            phone_finding(
                "phone.voip",
                Status.WARN,
                Severity.HIGH,
                loc(
                    "VoIP number: often refused for verification codes",
                    "IP 電話の番号: 確認コードの送信先として拒否されることがあります",
                ),
                loc(
                    "Internet phone numbers (such as Japanese 050 "
                    "numbers) often do not receive Microsoft's codes.",
                    "IP 電話の番号(日本の 050 番号など)には "
                    "Microsoft の確認コードが届かないことがよくあります。",
                ),
                remediation=[
                    loc(
                        "Use a mobile number, or the Microsoft Authenticator app.",
                        "携帯電話の番号、または Microsoft Authenticator アプリを使ってください。",
                    )
                ],
            )
        ]
    findings = [
        phone_finding(
            "phone.voip", Status.PASS, Severity.INFO, loc("Not a VoIP number", "IP 電話の番号ではありません")
        )
    ]
    if number_type == "fixed_line":
        findings.append(
            phone_finding(
                "phone.landline",
                Status.WARN,
                Severity.MEDIUM,
                loc("Landline: cannot receive text messages", "固定電話: SMS を受信できません"),
                loc(
                    "A fixed line cannot receive the SMS code: choose a voice call to receive it.",
                    "固定電話では SMS のコードを受け取れません。"
                    "音声通話でコードを受け取る方法を選んでください。",
                ),
                remediation=[
                    loc(
                        "Choose 'Call' instead of 'Text' when asked how to receive the code.",
                        "コードの受け取り方法で「テキスト」ではなく「通話」を選んでください。",
                    )
                ],
            )
        )
    elif number_type in UNUSABLE_TYPES:
        findings.append(
            phone_finding(
                "phone.landline",
                Status.FAIL,
                Severity.HIGH,
                loc(
                    f"A {type_text(number_type).en} number cannot receive codes",
                    f"{type_text(number_type).ja}の番号ではコードを受け取れません",
                ),
                loc(
                    "Service numbers (toll-free, premium, shared "
                    "cost...) receive neither SMS nor calls with codes.",
                    "サービス番号(フリーダイヤル、有料番号など)は SMS も確認コードの電話も受けられません。",
                ),
                remediation=[loc("Use a personal mobile number.", "個人の携帯電話の番号を使ってください。")],
            )
        )
    elif number_type in ("mobile", "fixed_line_or_mobile", "personal_number"):
        findings.append(
            phone_finding(
                "phone.landline",
                Status.PASS,
                Severity.INFO,
                loc("Can receive text messages", "SMS を受信できる番号です"),
            )
        )
    else:
        findings.append(
            phone_finding(
                "phone.landline",
                Status.NOT_COLLECTED,
                Severity.INFO,
                loc("Number type unknown", "番号の種類が不明です"),
                loc("phonenumbers cannot tell the type of this number.", "番号の種類を判別できません。"),
            )
        )
    return findings


def country_finding(
    number_region: str | None, machine_country: str | None, evidence: list[Evidence], facts: Facts | None
) -> Finding:
    # not applicable and not collected say what was compared, never that it matched
    subject = loc("Phone number country vs. this PC's region", "電話番号の国と PC の地域")
    if number_region is None or facts is None:
        return phone_finding(
            "phone.country_mismatch",
            Status.NOT_APPLICABLE,
            Severity.INFO,
            subject,
            loc("The number's country is unknown.", "番号の国が不明です。")
            if number_region is None
            else loc("No machine data to compare with.", "比較する PC の情報がありません。"),
        )
    if machine_country is None:
        return phone_finding(
            "phone.country_mismatch",
            Status.NOT_COLLECTED,
            Severity.INFO,
            subject,
            loc(
                "The PC's country could not be determined (locale / time zone not collected).",
                "PC の国を判別できませんでした(地域・タイム ゾーンが収集されていません)。",
            ),
        )
    evidence = [Evidence(fact="phone.region", value=number_region), *evidence]
    if number_region != machine_country:
        return phone_finding(
            "phone.country_mismatch",
            Status.WARN,
            Severity.MEDIUM,
            loc(
                "The phone number's country differs from this PC's region",
                "電話番号の国がこの PC の地域と異なります",
            ),
            loc(
                f"Phone: {number_region}; PC: {machine_country}. "
                f"Pick {number_region} in the country-code list.",
                f"電話番号: {number_region}、PC: {machine_country}。"
                f"国番号の一覧では {number_region} を選んでください。",
            ),
            evidence=evidence,
            remediation=[
                loc(
                    "Select the phone's country (not the PC's) in the country list on the account page.",
                    "アカウントのページの国の一覧では、PC の地域ではなく電話番号の国を選んでください。",
                )
            ],
        )
    return phone_finding(
        "phone.country_mismatch",
        Status.PASS,
        Severity.INFO,
        loc("Phone country matches this PC", "電話番号の国と PC の地域が一致しています"),
        loc(f"Both are {number_region}.", f"どちらも {number_region} です。"),
        evidence=evidence,
    )
