"""Run times as the engines write them, read as UTC.

Graph writes ISO 8601 with seven fraction digits and an offset; the Intune export and ConfigMgr's
SQL views write ``2026-11-25 01:02:03`` (no zone: read as UTC, as the service stores it);
Windows PowerShell 5.1's ConvertTo-Json writes ``/Date(1764032523000)/``; WMI writes DMTF
``20261125010203.000000+000``. Anything else is "unknown" (the row still counts; the newest-result
choice then falls back to the order of the files).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I
)
_MS_JSON = re.compile(r"^\\?/Date\((-?\d{1,15})([+-]\d{4})?\)\\?/$")
_DMTF = re.compile(r"^(\d{14})(?:\.(\d{1,6}))?([+-]\d{3})?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?$", re.I)


def parse_time(text: str | None) -> datetime | None:
    """The moment ``text`` names, in UTC, or None when it is none of the engines' forms."""
    if not text:
        return None
    text = text.strip()[:64]
    try:
        return _iso(text) or _ms_json(text) or _dmtf(text) or _us(text)
    except (ValueError, OverflowError):  # 2026-13-45 and the like
        return None


def _numbers(match: re.Match[str], count: int) -> list[int]:
    """The first ``count`` groups as numbers, then the next (the seconds, optional) or 0."""
    return [int(match.group(i)) for i in range(1, count + 1)] + [int(match.group(count + 1) or 0)]


def _iso(text: str) -> datetime | None:
    match = _ISO.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = _numbers(match, 5)
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc)
    zone = (match.group(8) or "Z").upper()
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def _ms_json(text: str) -> datetime | None:
    match = _MS_JSON.match(text)
    if match is None:
        return None
    # the offset after the milliseconds only says how to show the moment; the number is UTC
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(match.group(1)))


def _dmtf(text: str) -> datetime | None:
    match = _DMTF.match(text)
    if match is None:
        return None
    stamp = datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    stamp += timedelta(microseconds=int((match.group(2) or "0").ljust(6, "0")))
    return stamp - timedelta(minutes=int(match.group(3) or 0))


def _us(text: str) -> datetime | None:
    """``11/25/2026 1:02:03 PM``: the admin center in an en-US browser (month first)."""
    match = _US.match(text)
    if match is None:
        return None
    month, day, year, hour, minute, second = _numbers(match, 5)
    half = (match.group(7) or "").upper()
    if half:
        hour = hour % 12 + (12 if half == "PM" else 0)
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


def utc_text(moment: datetime | None) -> str:
    """``started_utc`` of a record: ISO 8601 with milliseconds and Z, or "unknown"."""
    if moment is None:
        return "unknown"
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
