"""What the single-host HTML report says, and where (issue 13): "do this first" first, commands as
code, facts by name, links only to public pages, times in the host's zone and UTC, region in a line."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

import pytest
from support.html_results import PHONE, failing_result
from support.report_results import engine_result, hand_result, load_capture

from msdiag.diagnosis.models import ActionStep, Evidence, Localized, Step
from msdiag.formats.html import render_html
from msdiag.formats.redact import redact


class Page(HTMLParser):
    """Text per element id / class, and every link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str | None]] = []
        self.code: list[str] = []
        self.raw_ids: list[str] = []
        self._capture: list[list[str]] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self.links.append(values)
        kind = "code" if tag == "code" else ("raw" if values.get("class") == "raw" else "")
        self._stack.append(kind)
        if kind:
            self._capture.append([])

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        kind = self._stack.pop()
        if kind:
            text = "".join(self._capture.pop())
            (self.code if kind == "code" else self.raw_ids).append(text)

    def handle_data(self, data: str) -> None:
        for buffer in self._capture:
            buffer.append(data)


def parsed(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    return parser


def section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    end = page.find("<section", start)
    return page[start : end if end > 0 else len(page)]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_do_this_first_comes_right_after_the_verdict_in_its_order(lang: str) -> None:
    result = failing_result()
    page = render_html(result, lang=lang)
    assert result.do_first, "the test result has a do-first list"
    order = [page.index(f'id="{name}"') for name in ("verdict", "do-first", "cause-1", "findings")]
    assert order == sorted(order)
    items = re.findall(r"<li>(.*?)</li>", section(page, "do-first"), re.S)
    assert len(items) == len(result.do_first)
    for item, action in zip(items, result.do_first, strict=True):
        first_words = re.sub(r"`.*", "", action.text.get(lang))[:20]
        assert first_words in re.sub(r"<[^>]+>", "", item)
        if action.finding_id:  # a finding's fix links to that finding's card
            assert f'href="#f-{action.finding_id}"' in item and f'id="f-{action.finding_id}"' in page


def test_a_step_that_changes_the_machine_says_so() -> None:
    result = failing_result()
    change = ActionStep(
        text=Step(
            en="Run `netsh winhttp reset proxy`.",
            ja="`netsh winhttp reset proxy` を実行します。",
            kind="change",
        )
    )
    record = ActionStep(
        text=Step(
            en="Run `netsh winhttp show proxy`.",
            ja="`netsh winhttp show proxy` を実行します。",
            kind="record",
        )
    )
    page = render_html(result.model_copy(update={"do_first": [record, change]}), lang="en")
    do_first = section(page, "do-first")
    assert do_first.index("records the current state") < do_first.index("changes this PC")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_inline_commands_are_code_not_backticks(lang: str) -> None:
    page = render_html(failing_result(), lang=lang)
    assert "netsh winhttp import proxy source=ie" in parsed(page).code
    visible = re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)  # the raw capture keeps its text
    assert "`" not in visible


def test_evidence_has_no_empty_meaning_column_and_shows_a_note_when_there_is_one() -> None:
    result = failing_result()
    page = render_html(result, lang="en")
    assert ">Meaning<" not in page and ">意味<" not in render_html(result, lang="ja")
    finding = result.findings[0]
    noted = finding.model_copy(
        update={
            "evidence": [
                Evidence(
                    fact="proxy.winhttp.proxy_server",
                    value=None,
                    note=Localized(en="no proxy", ja="プロキシなし"),
                )
            ]
        }
    )
    page = render_html(result.model_copy(update={"findings": [noted, *result.findings[1:]]}), lang="ja")
    assert '<span class="sub">プロキシなし</span>' in page


@pytest.mark.parametrize(
    ("lang", "name"),
    [("en", "User proxy (WinINET)"), ("ja", "ユーザーのプロキシ (WinINET)")],
)
def test_facts_are_named_in_the_report_language_with_the_raw_id_small(lang: str, name: str) -> None:
    page = render_html(failing_result(), lang=lang)
    assert f'>{name}<span class="raw">proxy.wininet.proxy_server</span>' in page
    assert "proxy.wininet.proxy_server" in parsed(page).raw_ids


def test_urls_in_product_text_are_links_to_public_pages_and_host_urls_are_not() -> None:
    result = failing_result()
    page = render_html(result, lang="ja")
    links = parsed(page).links
    assert {"href": "https://account.microsoft.com/security", "rel": "noreferrer"} in links
    # the knowledge base's sources are links named by their site
    assert any(str(link["href"]).startswith("https://learn.microsoft.com/") for link in links)
    assert all(str(link["href"]).startswith(("https://", "#f-")) for link in links)
    # a proxy address from the host is shown, never linked
    assert "http://proxy.corp.example:8080/" in page
    assert not [link for link in links if "proxy.corp.example" in str(link["href"])]


def test_a_link_is_escaped() -> None:
    result = hand_result(load_capture("pii"))
    steps = [
        Step(en='See https://example.com/a?b=1&c="x"<y> first.', ja="https://example.com/a?b=1 を参照。")
    ]
    finding = result.findings[0].model_copy(update={"remediation": steps})
    page = render_html(result.model_copy(update={"findings": [finding, *result.findings[1:]]}), lang="en")
    assert (
        '<a href="https://example.com/a?b=1&amp;c=" rel="noreferrer">https://example.com/a?b=1&amp;c=</a>'
        in page
    )
    assert "&#34;x&#34;&lt;y&gt; first." in page


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_times_are_the_hosts_local_time_with_its_offset_and_utc(lang: str) -> None:
    page = render_html(failing_result(), lang=lang)
    header = section(page, "report-header")
    assert "2026-11-25 10:02:03 (UTC+09:00) · 01:02:03 UTC" in header
    assert "2026-11-25T01:02:03.0000000Z" not in header
    assert "(UTC+09:00)" in section(page, "support")  # when the error was seen


def test_region_is_one_line_when_every_setting_agrees() -> None:
    result = redact(engine_result("healthy-ja-jp", phone=PHONE), "standard")
    region = section(render_html(result, lang="en"), "region")
    assert "All 6 settings point at the same country: JP" in region
    assert "agree" not in region.replace("All 6 settings", "").lower().replace('class="agree"', "")
    assert 'class="matrix"' not in region and "<td" in region  # one row per setting, no grid


def test_region_lists_the_settings_that_differ() -> None:
    result = redact(engine_result("abroad-ja-jp-in-us", phone="+1 415-555-0132"), "standard")
    region = section(render_html(result, lang="ja"), "region")
    assert "次の組み合わせは国・地域が異なります" in region
    assert "電話番号 (<strong>US</strong>)" in region
    assert "すべて同じ国・地域" not in region


def test_endpoints_collapse_when_every_host_answered_and_stay_open_otherwise() -> None:
    healthy = section(render_html(engine_result("healthy-ja-jp"), lang="en"), "endpoints")
    assert "All 6 Microsoft hosts answered" in healthy and '<details class="ep">' in healthy
    blocked = section(render_html(engine_result("hosts-file-block"), lang="en"), "endpoints")
    assert "<details" not in blocked and 'class="bad"' in blocked


def test_stylesheet_names_japanese_fonts_and_breaks_words_only_where_it_must() -> None:
    css = (resources.files("msdiag.formats") / "static" / "report.css").read_text(encoding="utf-8")
    for font in ('"Yu Gothic UI"', "Meiryo", '"Hiragino Sans"', '"Noto Sans CJK JP"'):
        assert font in css
    assert "break-all" not in css
    rules = re.findall(
        r"([^{}]+)\{([^{}]*overflow-wrap:\s*anywhere[^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    )
    assert {selector.strip() for selector, _ in rules} == {".raw", ".long", "pre"}


def test_only_a_long_unbroken_run_may_break_anywhere() -> None:
    page = render_html(redact(engine_result("hostile", errors=["0x800704cf"]), "standard"), lang="en")
    assert re.search(r'<td class="mono long">', page)  # the hostile capture's 2000-character values
    normal = render_html(failing_result(), lang="en")
    # a URL (a source in the evidence) may break anywhere too; no other value of a normal page does
    assert not re.search(r'class="[^"]*\blong\b">(?!https?://)', normal)
