"""Region rules: the machine's region settings disagreeing with each other or with the phone's
country (the article's 海外赴任・留学 case: moving abroad changes the country code)."""

from __future__ import annotations

from msdiag.capture.models import LocaleData, TimeData
from msdiag.diagnosis.models import RegionSignal, Severity
from msdiag.diagnosis.region import signals_from
from msdiag.diagnosis.rules.base import (
    L,
    Outcome,
    RuleContext,
    ev,
    missing,
    not_applicable,
    not_collected,
    passed,
    rule,
    warn,
)

#: the signals that say where the user lives (the display language may differ on purpose)
COMPARED = ("culture", "system_locale", "home_location", "time_zone")
_NAMES_JA = {
    "culture": "地域の形式",
    "system_locale": "システム ロケール",
    "home_location": "国または地域",
    "time_zone": "タイム ゾーン",
    "phone": "電話番号",
}


def _shown(s: RegionSignal) -> str:
    return f"{s.source}={s.value} ({s.country})"


def _shown_ja(s: RegionSignal) -> str:
    return f"{_NAMES_JA.get(s.source, s.source)}={s.value} ({s.country})"


@rule(
    id="region.settings_disagree",
    severity=Severity.LOW,
    problem=L(
        "This PC's region settings point at different countries", "この PC の地域設定が異なる国を指しています"
    ),
    subject=L("Consistency of region settings", "地域設定の一貫性"),
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
def settings_disagree(locale: LocaleData, time: TimeData | None) -> Outcome:
    """The PC's region settings point at different countries.

    Maps each setting that says where the user lives to a country: the regional format
    (``region.culture``, from Get-Culture), the system locale, the home location (Country or
    region) and the time zone (from the time check, when collected). Warns at low severity when
    two of them name different countries; the display language is left out, as it may differ on
    purpose. Not collected when fewer than two settings map to a country.

    Why it matters: the article names region settings left on another country (typically after
    moving abroad) as a possible reason SMS verification and the country code go wrong ("This
    country code isn't supported"), and suggests checking Get-Culture, Get-WinSystemLocale and
    Get-TimeZone.
    """
    known = [s for s in signals_from(locale, time) if s.source in COMPARED and s.country]
    evidence = [ev(f"region.{s.source}", s.value, f"country {s.country}", f"国 {s.country}") for s in known]
    if len(known) < 2:
        return not_collected("fewer than two region settings could be mapped to a country")
    countries = sorted({s.country for s in known if s.country})
    if len(countries) > 1:
        return warn(
            L(
                "Disagree: " + "; ".join(_shown(s) for s in known) + ".",
                "不一致: " + "、".join(_shown_ja(s) for s in known),
            ),
            evidence,
        )
    return passed(
        L(
            f"All {len(known)} settings point at {countries[0]}.",
            f"{len(known)} 件の設定がすべて {countries[0]} を指しています。",
        ),
        evidence,
    )


@rule(
    id="region.phone_country_mismatch",
    severity=Severity.MEDIUM,
    problem=L(
        "The phone number's country differs from this PC's region", "電話番号の国がこの PC の地域と異なります"
    ),
    subject=L("Phone number country vs. PC region", "電話番号の国と PC の地域"),
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
def phone_country_mismatch(locale: LocaleData | None, time: TimeData | None, ctx: RuleContext) -> Outcome:
    """The country of the phone number being added differs from the PC's region.

    Compares the phone number's country (from ``--phone``, or ``--phone-region``) with the
    home location, the time zone and the regional format (``region.home_location``,
    ``region.time_zone``, ``region.culture``) and warns when any of them names another country.
    Not applicable without a phone number; not collected when the locale check did not run or
    none of those settings maps to a country.

    Why it matters: when the number's country is not where the PC says the user is (a move
    abroad, a number from home), the wrong country code is easily chosen; the number is then
    refused ("This country code isn't supported", "Something went wrong") or its codes never
    arrive. The article names moving abroad as the typical case.
    """
    if not ctx.phone_region:
        return not_applicable(L("No phone number was given.", "電話番号が指定されていません。"))
    if locale is None:
        return missing("locale")
    machine = [
        s
        for s in signals_from(locale, time)
        if s.source in ("home_location", "time_zone", "culture") and s.country
    ]
    if not machine:
        return not_collected("neither the home location nor the time zone could be mapped to a country")
    phone = ctx.phone_region.upper()
    evidence = [ev("phone.region", phone)] + [
        ev(f"region.{s.source}", s.value, f"country {s.country}", f"国 {s.country}") for s in machine
    ]
    differing = [s for s in machine if s.country != phone]
    if differing:
        return warn(
            L(
                f"Phone: {phone}; " + "; ".join(_shown(s) for s in differing) + ".",
                f"電話番号: {phone}、" + "、".join(_shown_ja(s) for s in differing),
            ),
            evidence,
        )
    return passed(
        L(
            f"The phone number and the PC both point at {phone}.",
            f"電話番号と PC の地域はどちらも {phone} です。",
        ),
        evidence,
    )
