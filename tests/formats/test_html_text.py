"""The HTML reports' text pieces: commands, links, times, fact names (msdiag.formats.html_text,
msdiag.formats.fact_labels, msdiag.formats.html_labels)."""

from __future__ import annotations

import re

import pytest
from support.report_results import CAPTURES, LAB_HOSTS, engine_result

from msdiag.formats.fact_labels import fact_label, known_fact
from msdiag.formats.html_labels import HTML_LABELS, host_state_label
from msdiag.formats.html_text import Span, has_long_token, host_time, rich
from msdiag.formats.labels import UI_LABELS


def test_backticks_become_code_and_an_unpaired_one_stays() -> None:
    assert rich("Run `netsh winhttp show proxy` first.") == [
        Span("Run "),
        Span("netsh winhttp show proxy", "code"),
        Span(" first."),
    ]
    assert rich("a ` alone") == [Span("a ` alone")]


def test_only_http_and_https_urls_become_links_and_japanese_after_a_url_is_text() -> None:
    spans = rich(
        "回復フォーム https://account.live.com/acsrから申請します。javascript:alert(1) ftp://x.example"
    )
    assert Span("https://account.live.com/acsr", "link", "https://account.live.com/acsr") in spans
    assert [s for s in spans if s.kind == "link"] == [spans[1]]
    assert spans[-1].text.startswith("から申請します。javascript:alert(1)")
    assert rich("see https://learn.microsoft.com/a.")[-1] == Span(".")
    assert [s.kind for s in rich("`https://x.example/` and https://", links=True)] == ["code", "text"]
    assert all(s.kind != "link" for s in rich("host data http://evil.example/", links=False))


@pytest.mark.parametrize(
    ("value", "offset", "shown"),
    [
        ("2026-11-25T01:02:03.0000000Z", 540, "2026-11-25 10:02:03 (UTC+09:00) · 01:02:03 UTC"),
        ("2026-11-25T01:02:03.0000000Z", -300, "2026-11-24 20:02:03 (UTC-05:00) · 2026-11-25 01:02:03 UTC"),
        ("2026-11-25T10:02:03.5630000+09:00", None, "2026-11-25 10:02:03 (UTC+09:00) · 01:02:03 UTC"),
        ("2026-11-25T01:02:03Z", None, "2026-11-25 01:02:03 UTC"),
        ("2026-11-25T01:02:03Z", 330, "2026-11-25 06:32:03 (UTC+05:30) · 01:02:03 UTC"),
        ("2026-11-25T01:02:03Z", 99999, "2026-11-25 01:02:03 UTC"),  # host data, not an offset
    ],
)
def test_times_are_shown_in_the_hosts_zone_and_utc(value: str, offset: int | None, shown: str) -> None:
    assert host_time(value, offset) == shown


def test_what_is_not_a_time_is_left_alone() -> None:
    assert host_time("yesterday", 540) is None
    assert host_time("2026-13-45T99:00:00Z", 540) is None


def test_a_long_run_is_one_a_browser_cannot_break() -> None:
    assert not has_long_token("login.microsoftonline.com via proxy http://proxy.corp.example:8080/")
    assert has_long_token("x" * 41)
    assert has_long_token("a\u00a0" * 30)  # no-break spaces do not break a line


def _facts_the_rules_emit() -> set[str]:
    names = sorted(p.stem for folder in (CAPTURES, LAB_HOSTS) for p in folder.glob("*.json"))
    facts: set[str] = set()
    for name in names:
        result = engine_result(name, errors=["0xCAA70004"], phone="+81 090-1234-5678")
        findings = result.findings + (result.phone.findings if result.phone else [])
        facts.update(e.fact for f in findings for e in f.evidence)
    return facts


def test_every_fact_the_rules_emit_on_the_test_captures_has_a_name_in_both_languages() -> None:
    facts = _facts_the_rules_emit()
    assert len(facts) > 40
    unnamed = sorted(f for f in facts if not known_fact(f))
    assert unnamed == [], "add these to msdiag/formats/fact_labels.py"
    for fact in facts:
        en, ja = fact_label(fact, "en"), fact_label(fact, "ja")
        assert en and ja and "{" not in en + ja
        assert not re.fullmatch(r"[a-z_.\[\]*0-9]+", en), en  # a name, not the path again


def test_a_key_in_a_fact_fills_its_name_and_an_unknown_fact_falls_back_to_its_check() -> None:
    assert fact_label("endpoints[login.live.com].tcp.ok", "en") == "login.live.com: TCP 443 connected"
    assert fact_label("services[wlidsvc].start_type", "ja") == "サービス wlidsvc: スタートアップの種類"
    assert fact_label("proxy.winhttp.some_new_field", "en") == "Proxy · winhttp.some new field"
    assert fact_label("tls.errors[schannel].category", "ja").startswith("TLS 設定: プローブ schannel")


def test_the_html_words_do_not_shadow_the_shared_catalog() -> None:
    assert not set(HTML_LABELS) & set(UI_LABELS)
    assert all(en and ja and en != ja for en, ja in HTML_LABELS.values())
    assert host_state_label("auth_failed", "ja") == "ホストへのログオンを拒否"
    assert host_state_label("clm_blocked", "en") == "clm blocked"  # a status added later still reads


def test_a_field_label_declared_on_the_model_names_its_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    # a new check names its facts where its fields are declared: no edit of fact_labels.toml
    from typing import Annotated

    from pydantic import Field

    from msdiag.capture.bounds import FieldLabel, Model
    from msdiag.formats import fact_labels

    class BrokerProbe(Model):
        present: Annotated[bool | None, FieldLabel("Broker package present", "ブローカーのパッケージの有無")] = None

    class WamData(Model):
        broker: BrokerProbe | None = None
        probes: list[BrokerProbe] = Field(default_factory=list)

    monkeypatch.setitem(fact_labels.CHECK_DATA_MODELS, "wam", WamData)
    fact_labels.field_label.cache_clear()
    try:
        assert fact_label("wam.broker.present", "en") == "Broker package present"
        assert fact_label("wam.probes[0].present", "ja") == "ブローカーのパッケージの有無"
        assert known_fact("wam.broker.present") and not known_fact("wam.broker")
        assert fact_labels.field_label("wam.no_such_field") is None
    finally:
        fact_labels.field_label.cache_clear()
