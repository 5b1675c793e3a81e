"""Text pieces for the HTML reports, as plain values (templates/rich.html.j2 renders them).

- Product text (titles, steps, meanings) writes commands between backticks: they become
  ``code`` spans instead of showing the backticks. Its http(s) URLs become ``link`` spans;
  nothing else is ever a link (host data is never linked: a scanned PC could plant one).
- Times are shown as the host's local time with its UTC offset, and in UTC.
- A token too long for any column (hostile or unusual host data) is marked so that only its
  cell may break it anywhere (``overflow-wrap: anywhere``); everything else breaks between words.

No markup is built here: Jinja autoescapes every piece, href included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal
from urllib.parse import urlsplit

from msdiag.diagnosis.models import Localized
from msdiag.sanitize import clean_text

#: longer unbroken runs than this may break anywhere (a host name or a command is shorter)
LONG_TOKEN_CHARS = 40
#: an http(s) URL inside product text, ASCII only: Japanese text goes on right after a URL
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&*+,;=%\[\]]+")
_URL_TRAILING = ".,;:!?"
#: where a browser may break a line for sure (not every Unicode space: NBSP does not break)
_BREAKS = re.compile(r"[ \t\n\r\f\u3000]+")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass(frozen=True)
class Span:
    """One piece of a text: plain, an inline command (``code``) or a link to a public page."""

    text: str
    kind: Literal["text", "code", "link"] = "text"
    href: str = ""


@dataclass(frozen=True)
class StepView:
    """A remediation step: its text as spans, and what it does to the machine."""

    spans: list[Span]
    kind: str  # advice / record / change (msdiag.diagnosis.models.StepKind)


def step_view(step: Localized, lang: str) -> StepView:
    return StepView(rich(clean_text(step.get(lang))), getattr(step, "kind", "advice"))


def _links(text: str) -> list[Span]:
    spans: list[Span] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        end = match.start() + len(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        if match.start() > position:
            spans.append(Span(text[position : match.start()]))
        spans.append(Span(url, "link", url))
        position = end
    if position < len(text):
        spans.append(Span(text[position:]))
    return spans


def rich(text: str, *, links: bool = True) -> list[Span]:
    """``text`` (already cleaned) as spans: `backticked` commands as code, URLs as links.

    An unpaired backtick stays as it is. ``links=False`` for text that carries host data."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an odd number of backticks: the last one is not a delimiter
        pieces[-2:] = [pieces[-2] + "`" + pieces[-1]]
    spans: list[Span] = []
    for i, piece in enumerate(pieces):
        if not piece:
            continue
        if i % 2:
            spans.append(Span(piece, "code"))
        elif links:
            spans.extend(_links(piece))
        else:
            spans.append(Span(piece))
    return spans


def has_long_token(text: object) -> bool:
    """Whether ``text`` holds an unbroken run too long for a column (it may break anywhere)."""
    return any(len(token) > LONG_TOKEN_CHARS for token in _BREAKS.split(str(text)))


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time as Windows writes it (``2026-11-25T01:02:03.0000000Z``, ``...+09:00``);
    a time without an offset is read as UTC. None when it is not such a time."""
    match = _ISO.match(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    zone = match.group(7) or "Z"
    offset = timedelta(0)
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == "-" else offset
    if offset >= timedelta(hours=24):
        return None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:
        return None


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def host_time(value: str, offset_minutes: int | None = None) -> str | None:
    """``value`` as the host's local time with its offset, then UTC:
    ``2026-11-25 10:02:03 (UTC+09:00) · 01:02:03 UTC`` (the UTC date too when it differs).

    ``offset_minutes``: the host's UTC offset (its time zone); without it a time written with an
    offset keeps that one, and a UTC time is shown in UTC only. None when ``value`` is no time."""
    moment = parse_time(value)
    if moment is None:
        return None
    utc = moment.astimezone(timezone.utc)
    offset = timedelta(minutes=offset_minutes) if offset_minutes is not None else moment.utcoffset()
    if offset is not None and abs(offset) >= timedelta(hours=24):  # host data: not a real offset
        offset, offset_minutes = moment.utcoffset(), None
    if offset is None or (offset == timedelta(0) and offset_minutes is None):
        return f"{utc:%Y-%m-%d %H:%M:%S} UTC"
    local = utc.astimezone(timezone(offset))
    utc_part = f"{utc:%H:%M:%S}" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M:%S}"
    return f"{local:%Y-%m-%d %H:%M:%S} ({_offset_text(offset)}) · {utc_part} UTC"
