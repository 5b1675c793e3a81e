"""A capture whose every string is hostile markup / escapes renders inert in all three formats."""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from support.report_results import engine_available, engine_result, hand_result, load_capture

from msdiag.diagnosis.models import DiagnosisResult
from msdiag.formats.html import render_html
from msdiag.formats.json_format import render_json
from msdiag.formats.redact import redact
from msdiag.formats.table import render_table


@pytest.fixture(scope="module", params=["engine", "hand"])
def hostile(request: pytest.FixtureRequest) -> DiagnosisResult:
    if request.param == "engine":
        if not engine_available():
            pytest.skip("diagnosis engine not available")
        return engine_result("hostile", errors=["0x800704cf"], phone="<script>+81 90</script>")
    return hand_result(load_capture("hostile"), phone_input="<img src=x onerror=alert(1)>")


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_has_no_live_markup_from_the_capture(hostile: DiagnosisResult, lang: str) -> None:
    page = render_html(redact(hostile, "none"), lang=lang)
    parser = TagCollector()
    parser.feed(page)
    assert "script" not in parser.tags
    for tag in ("img", "svg", "iframe", "object", "embed", "link", "b", "form", "input"):
        assert tag not in parser.tags, f"<{tag}> from the capture is live"
    # links are the report's own (public pages in product text, anchors within the page), never
    # an address from the capture (its os.domain holds http://evil.invalid)
    hrefs = [v or "" for name, v in parser.attributes if name == "href"]
    assert parser.tags.count("a") == len(hrefs)
    assert all(h.startswith(("https://", "#f-")) for h in hrefs), hrefs
    assert not [h for h in hrefs if "evil.invalid" in h]
    assert not [name for name, _ in parser.attributes if name.startswith("on")]
    assert not [v for _, v in parser.attributes if v and "javascript:" in v.lower()]
    # the hostile host name is shown, as text
    assert "<script>alert('host')</script>" in "".join(parser.text)
    assert "&lt;script&gt;alert(" in page
    assert "\x1b" not in page and "\u202e" not in page and "\x00" not in page


def test_table_has_no_control_characters(hostile: DiagnosisResult) -> None:
    for lang in ("en", "ja"):
        text = render_table(redact(hostile, "none"), lang=lang, color=False)
        bad = [ch for ch in text if ch != "\n" and (unicodedata.category(ch) == "Cc" or ch in "\u202e\u202d")]
        assert bad == []
        assert "<script>alert('host')</script>" in text  # shown, as text


def test_colour_is_ours_only(hostile: DiagnosisResult) -> None:
    text = render_table(redact(hostile, "none"), lang="en", color=True)
    escapes = set(re.findall(r"\x1b\[[0-9;]*m", text))
    assert escapes, "a terminal should get colour"
    assert escapes <= {
        "\x1b[1;31m",
        "\x1b[33m",
        "\x1b[32m",
        "\x1b[35m",
        "\x1b[2m",
        "\x1b[1;41;97m",
        "\x1b[0m",
    }
    assert "\x1b]" not in text and "\x1b[2J" not in text


def test_json_keeps_hostile_strings_as_plain_strings(hostile: DiagnosisResult) -> None:
    text = render_json(redact(hostile, "none"))
    assert "\x1b" not in text and "\u202e" not in text and "\x00" not in text
    data = json.loads(text)
    assert data["capture"]["host"] == hostile.capture.host  # decoded back exactly, escapes included
    assert data["schema_version"] == 1
