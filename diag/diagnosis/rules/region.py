"""Region rules: the machine's region settings disagreeing with each other or with the phone's
country (the article's 海外赴任・留学 case: moving abroad changes the country code)."""

from __future__ import annotations

from diag.capture.parse import Facts
from diag.diagnosis.models import Finding, RegionSignal, Severity
from diag.diagnosis.region import machine_signals
from diag.diagnosis.rules.base import L, RuleContext, RuleSpec, ev, rule

#: the signals that say where the user lives (the display language may differ on purpose)
COMPARED = ("culture", "system_locale", "home_location", "time_zone")
_NAMES_JA = {
    "culture": "地域の形式",
    "system_locale": "システム ロケール",
    "home_location": "国または地域",
    "time_zone": "タイム ゾーン",
    "phone": "電話番号",
}

SETTINGS = RuleSpec(
    id="region.settings_disagree",
    checks=("locale", "time"),
    problem=L(
        "This PC's region settings point at different countries", "この PC の地域設定が異なる国を指しています"
    ),
    subject=L("Consistency of region settings", "地域設定の一貫性"),
    severity=Severity.LOW,
    related_codes=("msg-country-code-not-supported", "msg-something-went-wrong"),
    remediation=(
        L(
            "Settings > Time & language > Language & region: set "
            "'Country or region' and 'Regional format' to where "
            "you live now; set the time zone under Date & time "
            "(Get-Culture, Get-WinSystemLocale, Get-TimeZone show "
            "the values).",
            "設定 > 時刻と言語 > 言語と地域 で「国または地域"
            "」と「地域設定」を現在住んでいる国に合わせ、日付と時刻で"
            "タイム ゾーンを設定してください(Get-Culture、"
            "Get-WinSystemLocale、Get-TimeZone で確認できます)。",
        ),
    ),
)


def _shown(s: RegionSignal) -> str:
    return f"{s.source}={s.value} ({s.country})"


def _shown_ja(s: RegionSignal) -> str:
    return f"{_NAMES_JA.get(s.source, s.source)}={s.value} ({s.country})"


@rule(SETTINGS)
def settings_disagree(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := SETTINGS.missing(facts, "locale"):
        return missing
    known = [s for s in machine_signals(facts) if s.source in COMPARED and s.country]
    evidence = [ev(f"region.{s.source}", s.value, f"country {s.country}", f"国 {s.country}") for s in known]
    if len(known) < 2:
        return SETTINGS.not_collected("fewer than two region settings could be mapped to a country")
    countries = sorted({s.country for s in known if s.country})
    if len(countries) > 1:
        return SETTINGS.warn(
            L(
                "Disagree: " + "; ".join(_shown(s) for s in known) + ".",
                "不一致: " + "、".join(_shown_ja(s) for s in known),
            ),
            evidence,
        )
    return SETTINGS.passed(
        L(
            f"All {len(known)} settings point at {countries[0]}.",
            f"{len(known)} 件の設定がすべて {countries[0]} を指しています。",
        ),
        evidence,
    )


PHONE = RuleSpec(
    id="region.phone_country_mismatch",
    checks=("locale", "time"),
    problem=L(
        "The phone number's country differs from this PC's region", "電話番号の国がこの PC の地域と異なります"
    ),
    subject=L("Phone number country vs. PC region", "電話番号の国と PC の地域"),
    severity=Severity.MEDIUM,
    related_codes=("msg-country-code-not-supported", "msg-code-not-delivered"),
    remediation=(
        L(
            "Choose the phone number's country (not the PC's) in the country-code list, and type the number "
            "without its leading 0.",
            "国番号の一覧では PC の地域ではなく電話番号の国を選び、番号は先頭の 0 を除いて入力してください。",
        ),
        L(
            "If you moved abroad, update 'Country or region' and the time zone on this PC too.",
            "海外赴任・留学などで国が変わった場合は、この PC "
            "の「国または地域」とタイム ゾーンも更新してください。",
        ),
    ),
)


@rule(PHONE)
def phone_country_mismatch(facts: Facts, ctx: RuleContext) -> Finding:
    if not ctx.phone_region:
        return PHONE.not_applicable(L("No phone number was given.", "電話番号が指定されていません。"))
    if missing := PHONE.missing(facts, "locale"):
        return missing
    machine = [
        s
        for s in machine_signals(facts)
        if s.source in ("home_location", "time_zone", "culture") and s.country
    ]
    if not machine:
        return PHONE.not_collected("neither the home location nor the time zone could be mapped to a country")
    phone = ctx.phone_region.upper()
    evidence = [ev("phone.region", phone)] + [
        ev(f"region.{s.source}", s.value, f"country {s.country}", f"国 {s.country}") for s in machine
    ]
    differing = [s for s in machine if s.country != phone]
    if differing:
        return PHONE.warn(
            L(
                f"Phone: {phone}; " + "; ".join(_shown(s) for s in differing) + ".",
                f"電話番号: {phone}、" + "、".join(_shown_ja(s) for s in differing),
            ),
            evidence,
        )
    return PHONE.passed(
        L(
            f"The phone number and the PC both point at {phone}.",
            f"電話番号と PC の地域はどちらも {phone} です。",
        ),
        evidence,
    )
