"""Each finding appears once in a report, even when the phone analysis and a rule judge the same thing."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from msdiag.collectors.capture_file import load_capture
from msdiag.diagnosis.engine import diagnose
from msdiag.formats.html import render_html
from msdiag.formats.table import render_table

ABROAD = Path(__file__).resolve().parent.parent / "fixtures" / "captures" / "abroad-ja-jp-in-us.json"


def test_phone_country_is_judged_once_and_every_card_is_unique() -> None:
    # A Japanese PC whose user now has a US number (海外赴任): the country mismatch must be one finding.
    result = diagnose(load_capture(ABROAD), phone="+1 415-555-0132", errors=["この国番号は対応していません"])
    ids = [f.id for f in result.findings]
    assert len(ids) == len(set(ids))
    assert "region.phone_country_mismatch" in ids and "phone.country_mismatch" not in ids
    html = render_html(result, lang="ja")
    cards = Counter(re.findall(r'<article class="finding [^"]*" id="f-([^"]+)"', html))
    assert cards and max(cards.values()) == 1, cards
    table = render_table(result, lang="en", color=False)
    assert table.count("Phone number country") <= 1


def test_cause_evidence_lists_each_fact_once() -> None:
    # the phone's country is context, not a cause: 0x800704CF's top cause shows the network facts
    result = diagnose(load_capture(ABROAD), phone="+1 415-555-0132", errors=["0x800704CF"])
    html = render_html(result, lang="en")
    cause = html.split('id="f-', 1)[0]  # the error section comes before the finding cards
    rows = re.findall(r'<span class="raw">([^<]*)</span></th><td class="mono[^"]*">([^<]*)', cause)
    assert rows and len(rows) == len(set(rows)), rows
