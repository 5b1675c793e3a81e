"""HTML report structure: every section, lang attribute, self-contained, banners, en/ja labels."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from support.report_results import engine_available, engine_result, hand_result, load_capture

from msdiag.capture.models import ConnectionInfo, HostState, HostStatus
from msdiag.diagnosis.models import DiagnosisResult
from msdiag.formats.html import render_html
from msdiag.formats.redact import redact

SECTIONS = ("verdict", "findings", "machine", "region", "endpoints", "phone", "support", "raw")


class Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.sections: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self.meta: dict[str, str] = {}
        self.open_details: int = 0
        self.raw_in_details = False
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag == "section" and values.get("id"):
            self.sections.append(str(values["id"]))
        if tag == "details" and self.sections and self.sections[-1] == "raw":
            self.raw_in_details = self.raw_in_details or "open" not in values
        if tag == "a":
            self.links.append(values)
        if tag == "meta" and values.get("http-equiv"):
            self.meta[str(values["http-equiv"])] = str(values.get("content"))
        for name in ("src", "href", "action", "srcset", "poster"):
            if values.get(name):
                self.urls.append(str(values[name]))


@pytest.fixture(scope="module", params=["engine", "hand"])
def result(request: pytest.FixtureRequest) -> DiagnosisResult:
    if request.param == "engine":
        if not engine_available():
            pytest.skip("diagnosis engine not available")
        return engine_result("proxy-mismatch", errors=["0xCAA70004"], phone="+81 090-1234-5678")
    return hand_result(load_capture("pii"))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_sections_lang_and_self_contained(result: DiagnosisResult, lang: str) -> None:
    page = render_html(redact(result, "standard"), lang=lang)
    parsed = Structure()
    parsed.feed(page)
    assert parsed.html_lang == lang
    for section in SECTIONS:
        assert section in parsed.sections, f"section {section} missing"
    assert any(s.startswith("cause-") for s in parsed.sections)  # the error code's cause section
    assert parsed.raw_in_details  # raw capture collapsed
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    # nothing to fetch; the only URLs are links to public pages (no referrer) and within the page
    assert parsed.urls and len(parsed.urls) == len(parsed.links)
    for link in parsed.links:
        href = str(link["href"])
        assert href.startswith("#f-") or (href.startswith("https://") and link.get("rel") == "noreferrer")
    assert parsed.meta["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert "@media print" in page and "@import" not in page and "url(" not in page
    assert "msdiag " + result.msdiag_version in page


def test_labels_follow_the_language(result: DiagnosisResult) -> None:
    en = render_html(result, lang="en")
    ja = render_html(result, lang="ja")
    assert "What Microsoft support will ask for" in en and "Region consistency" in en
    assert "Microsoft サポートに伝える情報" in ja and "地域設定の整合性" in ja
    assert "WinINET" in ja and "WinHTTP" in ja  # proxy side by side


def test_cause_steps_are_numbered(result: DiagnosisResult) -> None:
    page = render_html(result, lang="en")
    cause = page[page.index('id="cause-1"') : page.index('id="findings"')]
    assert '<ol class="steps">' in cause and "netsh winhttp import proxy" in cause


def test_insecure_and_host_status_banners() -> None:
    capture = load_capture("pii").model_copy(
        update={
            "connection": ConnectionInfo(
                transport="https", port=5986, auth="ntlm", cert_validation=False, insecure=True
            ),
            "host_status": HostStatus(state=HostState.TIMEOUT, detail="check endpoints timed out"),
        }
    )
    page = render_html(hand_result(capture), lang="en")
    assert page.count('class="banner"') >= 2
    assert "--insecure" in page and "Host status: timeout" in page


def test_no_banner_on_a_normal_scan() -> None:
    capture = load_capture("pii").model_copy(update={"warnings": []})
    assert 'class="banner"' not in render_html(hand_result(capture), lang="en")
