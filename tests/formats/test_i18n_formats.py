"""Japanese throughout: every registered format, rendered in Japanese, shows none of the label
catalog's English words (issue 13).

The formats come from the registries, so a new format is checked without editing this test. What
is checked is what a reader sees: the whole text of a text format; the text of an HTML page
outside its raw-data blocks (<pre>, <code>: the host's own output and commands). Host data (an
adapter called "Wi-Fi", a registry value "Type=NTP") is no label: the results used here hold
host text that contains no catalog word outside such blocks, and a word in an identifier
("Type=NTP", "<local>") is none. A format whose output does not depend on the language at all (JSON, CSV: keys and
values are documented identifiers, texts carry both languages) must be listed as such below.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.fleet_results import results_file
from support.report_results import engine_result

from msdiag.capture.models import CheckStatus, HostState, HostStatus
from msdiag.checks import CHECK_NAMES
from msdiag.diagnosis.engine import diagnose
from msdiag.fleet.report import build_fleet_report
from msdiag.formats.catalog import FLEET_FORMATS, HOST_FORMATS
from msdiag.formats.interface import RenderOptions, ReportFormat
from msdiag.formats.labels import UI_LABELS, VOCABULARY, label
from msdiag.formats.redact import redact
from msdiag.lab import load_lab_hosts

#: machine-readable formats: the same bytes in every language, by design (documented field values)
LANGUAGE_NEUTRAL = {("host", "json"), ("fleet", "json"), ("fleet", "csv")}
#: English words that are also the Japanese text's terms (product names, protocol names, ids)
ALLOWED = {"VPN", "DNS", "HTTP", "TCP 443", "PAC", "WinINET", "WinHTTP", "ok"}


class _VisibleText(HTMLParser):
    """Text a reader sees: data outside <style>, <script>, <pre>, <code>; title and alt texts."""

    HIDDEN = frozenset({"style", "script", "pre", "code"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        self.parts.extend(v for k, v in attrs if k in ("title", "alt", "aria-label") and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _visible(fmt: ReportFormat[object], text: str) -> str:
    if fmt.extension != "html":
        return text
    parser = _VisibleText()
    parser.feed(text)
    return "\n".join(parser.parts)


def _english_labels() -> dict[str, str]:
    """Each catalog string whose English differs from its Japanese (key -> English)."""
    found = {key: en for key, (en, ja) in UI_LABELS.items() if en != ja}
    for kind, names in VOCABULARY.items():
        # a value that is also a check's name ("tls") is an id where reports list checks
        found.update({f"{kind}.{v}": v for v, ja in names.items() if v != ja and v not in CHECK_NAMES})
    return {key: en for key, en in found.items() if en not in ALLOWED and len(en) > 1}


def _leaks(text: str) -> dict[str, str]:
    leaks = {}
    for key, en in _english_labels().items():
        # labels with fields ("{n} more ...") are matched by their longest literal part
        literal = max(re.split(r"\{[a-z_]+\}", en), key=len).strip(" :.,()")
        if len(literal) < 2:
            continue
        # an identifier is no label: "Type=NTP", the bypass entry "<local>", a dotted id
        pattern = rf"(?<![A-Za-z0-9_.<-]){re.escape(literal)}(?![A-Za-z0-9_=>-])"
        if re.search(pattern, text):
            leaks[key] = literal
    return leaks


def _host_results() -> list[object]:
    results = [
        engine_result("proxy-mismatch", errors=["0x800704cf"], phone="+81 090-1234-5678"),
        engine_result("clock-skew", errors=["0xCAA70004"], phone="+81 3-1234-5678"),
    ]
    failed = load_lab_hosts()[0].capture.model_copy(deep=True)
    failed.host_status = HostStatus(state=HostState.AUTH_FAILED, detail="401")
    for name in failed.checks:
        failed.checks[name] = failed.checks[name].model_copy(update={"status": CheckStatus.NOT_RUN, "document": None})
    results.append(diagnose(failed))
    return [redact(r, "standard") for r in results]  # type: ignore[arg-type]


def _check(kind: str, fmt: ReportFormat[object], report: object) -> None:
    en = fmt.render(report, RenderOptions(lang="en"))
    ja = fmt.render(report, RenderOptions(lang="ja"))
    if (kind, fmt.name) in LANGUAGE_NEUTRAL:
        assert en == ja, f"{fmt.name} depends on the language: it must be checked for labels"
        return
    assert en != ja, f"{fmt.name} ignores --lang ja: translate it or list it as language-neutral"
    leaks = _leaks(_visible(fmt, ja))
    assert not leaks, f"{kind} {fmt.name} in Japanese shows English labels: {leaks}"


@pytest.mark.parametrize("fmt", list(HOST_FORMATS), ids=lambda f: f.name)
def test_every_host_format_in_japanese_has_no_english_label(fmt: ReportFormat[object]) -> None:
    for result in _host_results():
        _check("host", fmt, result)


@pytest.mark.parametrize("fmt", list(FLEET_FORMATS), ids=lambda f: f.name)
def test_every_fleet_format_in_japanese_has_no_english_label(fmt: ReportFormat[object], tmp_path: Path) -> None:
    _check("fleet", fmt, build_fleet_report(results_file(tmp_path)))


def test_the_check_finds_an_english_label() -> None:
    # the test itself can fail: an English status word in Japanese text is found
    assert _leaks(f"判定: {label('status.fail', 'en')} 3") == {"status.fail": "fail", "fleet_verdict.fail": "fail"}
    assert _leaks("Type=NTP、W32Time") == {}  # an identifier, not the label "Type"


def test_every_host_state_and_check_status_has_words_in_both_languages() -> None:
    # a state or status added to the capture models without its words would show as its raw name
    from msdiag.capture.models import CheckStatus, HostState
    from msdiag.formats.labels import HOST_STATES
    from msdiag.i18n import CHECK_STATUS_JA

    assert sorted(HOST_STATES) == sorted(s.value for s in HostState)
    assert all(en and ja and en != ja for en, ja in HOST_STATES.values())
    assert sorted(CHECK_STATUS_JA) == sorted(s.value for s in CheckStatus)
