"""Region rules: the machine's region settings disagreeing with each other or with the phone's
country (the article's 海外赴任・留学 case: moving abroad changes the country code).

Both are context, never a cause by themselves: the account site checks the number the user
types, not the PC's region settings (the article itself calls them 直接関連しない, not directly
related), so a phone from another country than the PC's is normal for a traveller.
"""

from __future__ import annotations

from msdiag.capture.models import LocaleData, TimeData
from msdiag.diagnosis.models import Evidence, RegionSignal, Severity
from msdiag.diagnosis.region import NAMES_JA, mapped_signals
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
from msdiag.diagnosis.steps import advice, change, record


def _shown(s: RegionSignal) -> str:
    return f"{s.source}={s.value} ({s.country})"


def _shown_ja(s: RegionSignal) -> str:
    return f"{NAMES_JA.get(s.source, s.source)}={s.value} ({s.country})"


def _evidence(signals: list[RegionSignal]) -> list[Evidence]:
    return [ev(f"region.{s.source}", s.value, f"country {s.country}", f"国 {s.country}") for s in signals]


def _differ(prefix: tuple[str, str], differing: list[RegionSignal], evidence: list[Evidence]) -> Outcome:
    """A warning that lists the settings that point elsewhere."""
    return warn(
        L(
            prefix[0] + "; ".join(_shown(s) for s in differing) + ".",
            prefix[1] + "、".join(_shown_ja(s) for s in differing),
        ),
        evidence,
    )


@rule(
    id="region.settings_disagree",
    severity=Severity.LOW,
    problem=L(
        "This PC's region settings point at different countries", "この PC の地域設定が異なる国を指しています"
    ),
    subject=L("Consistency of region settings", "地域設定の一貫性"),
    remediation=(
        record(
            "First note the current values: `Get-Culture`, `Get-WinSystemLocale`, `Get-WinHomeLocation` and "
            "`Get-TimeZone` in PowerShell show them.",
            "まず現在の値を控えます: PowerShell の `Get-Culture`、`Get-WinSystemLocale`、"
            "`Get-WinHomeLocation`、`Get-TimeZone` で確認できます。",
        ),
        change(
            "If they are left over from another country, set 'Country or region' and 'Regional format' in "
            "Settings > Time & language > Language & region to where you live now, and the time zone under "
            "Date & time.",
            "別の国の設定が残っている場合は、設定 > 時刻と言語 > 言語と地域 で「国または地域」と「地域設定」を"
            "現在住んでいる国に合わせ、日付と時刻でタイム ゾーンを設定してください。",
        ),
    ),
    evidence="context",
)
def settings_disagree(locale: LocaleData, time: TimeData | None) -> Outcome:
    """The PC's region settings point at different countries.

    Maps each setting that says where the user lives to a country: the regional format
    (``region.culture``, from Get-Culture), the system locale, the home location (Country or
    region) and the time zone (from the time check, when collected). Warns at low severity when
    two of them name different countries; the display language is left out, as it may differ on
    purpose. Not collected when fewer than two settings map to a country.

    Why it matters: it is context, not a fault: settings left on another country (typically
    after moving abroad) are why a national-format number is read for the wrong country (the
    phone analysis says which region it used), and the article suggests checking Get-Culture,
    Get-WinSystemLocale and Get-TimeZone. It never confirms a cause by itself.
    """
    known = mapped_signals(locale, time)
    evidence = _evidence(known)
    if len(known) < 2:
        return not_collected("fewer than two region settings could be mapped to a country", "国に対応付けられた地域設定が 2 つ未満です")
    countries = sorted({s.country for s in known if s.country})
    if len(countries) > 1:
        return _differ(("Disagree: ", "不一致: "), known, evidence)
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
        advice(
            "Choose the phone number's country (not the PC's) in the country-code list, and type the number "
            "without its leading 0.",
            "国番号の一覧では PC の地域ではなく電話番号の国を選び、番号は先頭の 0 を除いて入力してください。",
        ),
    ),
    evidence="context",
)
def phone_country_mismatch(locale: LocaleData | None, time: TimeData | None, ctx: RuleContext) -> Outcome:
    """The country of the phone number being added differs from the PC's region.

    Compares the phone number's country (from ``--phone``, or ``--phone-region``) with the
    settings that say where the user lives: the regional format, the system locale, the home
    location and the time zone (``region.culture``, ``region.system_locale``,
    ``region.home_location``, ``region.time_zone``), and warns when any of them names another
    country. Not applicable without a phone number; not collected when the locale check did not
    run or none of those settings maps to a country. This is the one place the phone's country
    is compared with the PC.

    Why it matters: context, never a cause by itself (a traveller's number is from another
    country than the PC): it tells the helpdesk to check that the number's own country is the
    one chosen in the country-code list, a common slip after moving abroad (海外赴任・留学).
    """
    if not ctx.phone_region:
        return not_applicable(L("No phone number was given.", "電話番号が指定されていません。"))
    if locale is None:
        return missing("locale")
    machine = mapped_signals(locale, time)
    if not machine:
        return not_collected("none of the PC's region settings could be mapped to a country", "PC の地域設定のどれも国に対応付けられませんでした")
    phone = ctx.phone_region.upper()
    evidence = [ev("phone.region", phone), *_evidence(machine)]
    differing = [s for s in machine if s.country != phone]
    if differing:
        return _differ((f"Phone: {phone}; ", f"電話番号: {phone}、"), differing, evidence)
    return passed(
        L(
            f"The phone number and the PC both point at {phone}.",
            f"電話番号と PC の地域はどちらも {phone} です。",
        ),
        evidence,
    )
