"""Clock skew: the servers' HTTP Date header against the machine's own UTC clock.

The time check reads the machine's UTC clock (``time.utc_time``) at one moment; the endpoint
probes run later. Both checks stamp ``collected_utc`` with the same machine clock, so the
machine's clock at probe time is ``utc_time + (endpoints.collected_utc - time.collected_utc)``.
Skew = server Date - that; positive means the machine's clock is behind.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

from msdiag.capture.parse import Facts


@dataclass(frozen=True)
class SkewSample:
    host: str
    server_date: str
    seconds: float


@lru_cache(maxsize=512)  # pure; a diagnosis reads the same stamps several times
def parse_iso_utc(text: str | None) -> datetime | None:
    """ISO 8601 as written by .NET ('o' format, 7 fractional digits, 'Z') or Python."""
    if not text:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # .NET writes 7 fractional digits; Python before 3.11 accepted at most 6
    if "." in value:
        head, _, rest = value.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        tail = rest[len(digits) :]
        value = f"{head}.{digits[:6]}{tail}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


@lru_cache(maxsize=512)
def parse_http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def machine_clock_at_probes(facts: Facts) -> datetime | None:
    time = facts.time
    local = parse_iso_utc(time.utc_time if time else None)
    if local is None:
        return None
    time_stamp = parse_iso_utc(facts.collected_utc("time"))
    probe_stamp = parse_iso_utc(facts.collected_utc("endpoints"))
    if time_stamp is not None and probe_stamp is not None:
        return local + (probe_stamp - time_stamp)
    return local


def skew_samples(facts: Facts) -> list[SkewSample]:
    eps = facts.endpoints
    reference = machine_clock_at_probes(facts)
    if eps is None or reference is None:
        return []
    samples = []
    for p in eps.probes:
        if p.http is None:
            continue
        server = parse_http_date(p.http.date)
        if server is not None and p.http.date is not None:
            samples.append(SkewSample(p.host, p.http.date, (server - reference).total_seconds()))
    return samples


def clock_skew_seconds(facts: Facts) -> float | None:
    """Median skew over every endpoint that sent a Date header; None when not measurable."""
    samples = skew_samples(facts)
    if not samples:
        return None
    return float(statistics.median(s.seconds for s in samples))


def describe_skew(seconds: float) -> tuple[str, str]:
    """'7 min 12 s behind' / '7分12秒遅れています' (behind = server ahead of this PC)."""
    total = round(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts_en = (
        ([f"{hours} h"] if hours else []) + ([f"{minutes} min"] if minutes or hours else []) + [f"{secs} s"]
    )
    parts_ja = (
        ([f"{hours}時間"] if hours else []) + ([f"{minutes}分"] if minutes or hours else []) + [f"{secs}秒"]
    )
    if seconds > 0:
        return " ".join(parts_en) + " behind", "".join(parts_ja) + "遅れています"
    if seconds < 0:
        return " ".join(parts_en) + " ahead", "".join(parts_ja) + "進んでいます"
    return "in sync", "ずれはありません"
