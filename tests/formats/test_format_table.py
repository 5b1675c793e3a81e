"""Terminal report: summary first, cause with numbered steps, readable at 100 columns in en and ja."""

from __future__ import annotations

import pytest
from support.report_results import hand_result, load_capture, result_for_browser
from wcwidth import wcswidth

from msdiag.formats.redact import redact
from msdiag.formats.table import render_table, wrap_cells


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", ["proxy-mismatch", "pii", "hostile"])
def test_fits_100_columns(name: str, lang: str) -> None:
    text = render_table(redact(result_for_browser(name), "standard"), lang=lang, color=False)
    widths = [wcswidth(line) for line in text.splitlines()]
    assert max(widths) <= 100, text


def test_summary_then_cause_then_table() -> None:
    text = render_table(hand_result(load_capture("pii")), lang="en", color=False)
    lines = text.splitlines()
    assert lines[1].startswith("Verdict: PROBLEMS FOUND (1 fail, 0 warn, 1 pass, 1 not collected")
    assert text.index("Most likely cause") < text.index("1. Run netsh") < text.index("+---")
    rows = text.split("Findings")[1]
    assert "| not collected | low" in rows  # a check that did not run is not a pass


def test_wrap_cells_counts_wide_characters_twice() -> None:
    lines = wrap_cells("この PC の時計が 5 分以上ずれています", 12)
    assert all(wcswidth(line) <= 12 for line in lines)
    assert "".join(lines).replace(" ", "") == "このPCの時計が5分以上ずれています"
