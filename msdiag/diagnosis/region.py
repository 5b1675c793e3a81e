"""Which country each of the machine's region signals points at, and whether they agree.

Signals: culture and system locale names (ja-JP -> JP; a neutral "ja" says nothing about the
country), the home location (Geo\\Name ISO code, else the GeoId table in data/geoids.json), the
time zone (Windows id -> IANA via tzlocal's CLDR table -> country via pytz), and the phone number.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from itertools import combinations

import pytz
from tzlocal.windows_tz import win_tz

from msdiag.capture.models import LocaleData, TimeData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import RegionMatrix, RegionPair, RegionSignal, RegionSource

_ISO2 = re.compile(r"^[A-Z]{2}$")
#: the signals that say where the user lives (the display language may differ on purpose)
COMPARED: tuple[RegionSource, ...] = ("culture", "system_locale", "home_location", "time_zone")
#: the signals' names in Japanese, for sentences
NAMES_JA: dict[str, str] = {
    "culture": "地域の形式",
    "system_locale": "システム ロケール",
    "home_location": "国または地域",
    "time_zone": "タイム ゾーン",
    "phone": "電話番号",
}
#: IANA zones that do not point at one country
_NON_COUNTRY_ZONES = re.compile(r"^(Etc/|UTC$|GMT$|Universal$|Zulu$)")


@lru_cache(maxsize=1)
def _geoids() -> dict[int, str]:
    text = resources.files("msdiag.diagnosis").joinpath("data/geoids.json").read_text(encoding="utf-8")
    return {int(k): v for k, v in json.loads(text)["geoids"].items()}


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone -> the one country that uses it (pytz.country_timezones inverted)."""
    out: dict[str, str] = {}
    for country, zones in pytz.country_timezones.items():
        for zone in zones:
            out.setdefault(zone, country.upper())
    return out


def country_from_locale_name(name: str | None) -> str | None:
    """'ja-JP' -> 'JP', 'zh-Hant-TW' -> 'TW'; neutral 'ja' or 'en-001' -> None."""
    if not name:
        return None
    for part in reversed(name.replace("_", "-").split("-")[1:]):
        if _ISO2.match(part.upper()) and len(part) == 2:
            return part.upper()
    return None


def country_from_geoid(geo_id: int | None, iso2: str | None = None) -> str | None:
    if iso2 and _ISO2.match(iso2.strip().upper()):
        return iso2.strip().upper()
    if geo_id is None:
        return None
    return _geoids().get(geo_id)


def iana_from_windows_zone(zone_id: str | None) -> str | None:
    if not zone_id:
        return None
    return win_tz.get(zone_id.strip())


def country_from_time_zone(zone_id: str | None) -> str | None:
    """'Tokyo Standard Time' -> 'JP'; 'UTC' and zones shared by many countries -> None."""
    iana = iana_from_windows_zone(zone_id)
    if iana is None or _NON_COUNTRY_ZONES.match(iana):
        return None
    return _zone_countries().get(iana)


def machine_signals(facts: Facts) -> list[RegionSignal]:
    return signals_from(facts.locale, facts.time)


def signals_from(locale: LocaleData | None, time: TimeData | None) -> list[RegionSignal]:
    """The machine's region signals from the locale and time checks' data (None = not collected)."""
    signals: list[RegionSignal] = []
    for source in ("culture", "ui_culture", "system_locale"):
        culture = getattr(locale, source, None) if locale else None
        name = culture.name if culture else None
        signals.append(RegionSignal(source=source, value=name, country=country_from_locale_name(name)))  # type: ignore[arg-type]
    home = locale.home_location if locale else None
    home_value = None
    if home is not None and (home.geo_id is not None or home.name):
        home_value = " ".join(str(v) for v in (home.geo_id, home.name) if v is not None)
    signals.append(
        RegionSignal(
            source="home_location",
            value=home_value,
            country=country_from_geoid(home.geo_id, home.iso2) if home else None,
        )
    )
    tz = time.time_zone if time else None
    signals.append(
        RegionSignal(
            source="time_zone",
            value=tz.id if tz else None,
            country=country_from_time_zone(tz.id if tz else None),
        )
    )
    return signals


def mapped_signals(locale: LocaleData | None, time: TimeData | None) -> list[RegionSignal]:
    """The signals that say where the user lives and map to a country, in COMPARED order."""
    return [s for s in signals_from(locale, time) if s.source in COMPARED and s.country]


def region_matrix(facts: Facts, phone_region: str | None, phone_display: str | None = None) -> RegionMatrix:
    """Every signal and every pair of signals: agree, disagree, or None (a side unknown)."""
    signals = machine_signals(facts)
    if phone_region is not None or phone_display is not None:
        signals.append(
            RegionSignal(
                source="phone", value=phone_display, country=phone_region.upper() if phone_region else None
            )
        )
    pairs = [
        RegionPair(
            a=a.source,
            b=b.source,
            agree=None if a.country is None or b.country is None else a.country == b.country,
        )
        for a, b in combinations(signals, 2)
    ]
    return RegionMatrix(signals=signals, pairs=pairs)


def signal(matrix: RegionMatrix, source: RegionSource) -> RegionSignal | None:
    return next((s for s in matrix.signals if s.source == source), None)
