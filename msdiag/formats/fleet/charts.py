"""Geometry for the fleet report's inline SVG charts (the template draws them, escaped).

Bars are computed here so the template stays declarative; no chart library is needed for
horizontal bars and a histogram, and nothing external is loaded by the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 320
CHART_WIDTH = 720


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    css: str  # class: colour by meaning, never by position


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH


def bar_chart(title: str, items: Sequence[tuple[str, int, str]]) -> BarChart:
    """Horizontal bars, one per (label, value, css class), scaled to the largest value."""
    top = max((value for _, value, _ in items), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 60
    bars = [
        Bar(
            label=label,
            value=value,
            y=i * (BAR_HEIGHT + BAR_GAP),
            width=max(1, round(value / top * room)),
            css=css,
        )
        for i, (label, value, css) in enumerate(items)
    ]
    return BarChart(title=title, bars=bars, height=max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP))


@dataclass(frozen=True)
class Column:
    label: str  # the bucket's range, "2.0-2.5 s"
    value: int
    x: int
    height: int


@dataclass(frozen=True)
class Histogram:
    title: str
    columns: list[Column]
    column_width: int
    height: int = 160
    width: int = CHART_WIDTH


def histogram(title: str, durations_ms: Sequence[int], buckets: int = 24) -> Histogram:
    """Scan duration per host, bucketed into ``buckets`` equal ranges from 0 to the slowest."""
    if not durations_ms:
        return Histogram(title=title, columns=[], column_width=0)
    top = max(durations_ms) or 1
    size = top / buckets
    counts = [0] * buckets
    for value in durations_ms:
        counts[min(buckets - 1, int(value / size))] += 1
    tallest = max(counts) or 1
    width = CHART_WIDTH // buckets
    columns = [
        Column(
            label=f"{i * size / 1000:.1f}-{(i + 1) * size / 1000:.1f} s",
            value=count,
            x=i * width,
            height=round(count / tallest * 130),
        )
        for i, count in enumerate(counts)
    ]
    return Histogram(title=title, columns=columns, column_width=width)
