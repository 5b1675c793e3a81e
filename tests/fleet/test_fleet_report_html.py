"""The fleet report's HTML (issue 13): every host by name with its status, failure groups in words
with their fix, the redaction and --insecure state, several results files merged."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from support.fleet_results import CAPTURES, record, results_file

from msdiag.capture.models import ConnectionInfo, HostState
from msdiag.fleet.models import FleetRecord, FleetTarget
from msdiag.fleet.report import build_fleet_report
from msdiag.formats.catalog import render_fleet as render
from msdiag.formats.fleet import html as fleet_html


def host_rows(page: str) -> list[str]:
    body = page[page.index('id="hosts"') : page.index('id="by-finding"')]
    return re.findall(r'<tr><th scope="row"[^>]*>(?:<a [^>]*>)?([^<]+)', body)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_host_is_listed_by_name_with_its_status_healthy_ones_too(tmp_path: Path, lang: str) -> None:
    page = render(build_fleet_report(results_file(tmp_path)), "html", lang)
    assert host_rows(page) == [
        "down0.corp.example.jp",
        "ok0.corp.example.jp",
        "proxy0.corp.example.jp",
        "proxy1.corp.example.jp",
        "proxy2.corp.example.jp",
        "skew0.corp.example.jp",
        "skew1.corp.example.jp",
    ]
    ok_row = page[page.index(">ok0.corp.example.jp<") :].split("</tr>", 1)[0]
    down_row = page[page.index(">down0.corp.example.jp<") :].split("</tr>", 1)[0]
    if lang == "en":
        assert "scanned" in ok_row and "No problems found" in ok_row
        assert "could not connect" in down_row and "refused" in down_row and "not scanned" in down_row
    else:
        assert "スキャン済み" in ok_row and "問題なし" in ok_row
        assert "接続できません" in down_row and "未スキャン" in down_row


def test_hosts_sort_by_name_with_numbers_in_order(tmp_path: Path) -> None:
    lines = [record(f"pc{n}", CAPTURES["healthy-ja-jp"]) for n in (10, 2, 1)]
    path = tmp_path / "fleet.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    assert host_rows(render(build_fleet_report(path), "html", "en")) == [
        "pc1.corp.example.jp",
        "pc2.corp.example.jp",
        "pc10.corp.example.jp",
    ]


@pytest.mark.parametrize(
    ("lang", "title", "fix"),
    [
        (
            "en",
            "The user's proxy (WinINET) and the system proxy (WinHTTP) differ",
            "netsh winhttp import proxy source=ie",
        ),
        (
            "ja",
            "ユーザーのプロキシ (WinINET) とシステムのプロキシ (WinHTTP) が一致していません",
            "netsh winhttp import proxy source=ie",
        ),
    ],
)
def test_each_failure_group_names_its_findings_in_words_and_its_fix(
    tmp_path: Path, lang: str, title: str, fix: str
) -> None:
    page = render(build_fleet_report(results_file(tmp_path)), "html", lang)
    groups = page[page.index('id="groups"') : page.index('id="hosts"')]
    first = html.unescape(groups.split('<article class="group">')[1])
    assert title in first
    assert f"<code>{fix}</code>" in first  # the do-this-first step, its command as code
    assert first.index(title) < first.index("<ol")
    assert "proxy0.corp.example.jp" in first
    assert ">proxy.wininet_winhttp_mismatch<" in first  # the id only small, under the words


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_redaction_and_certificate_validation_are_stated(tmp_path: Path, lang: str) -> None:
    path = results_file(tmp_path)
    page = render(build_fleet_report(path, "strict"), "html", lang)
    header = page[page.index('id="report-header"') : page.index('id="summary"')]
    assert 'data-level="strict"' in header
    assert ("IP addresses" if lang == "en" else "IP アドレス") in header  # the level in words
    assert (
        'data-insecure="0"' in header and ("no --insecure" if lang == "en" else "--insecure なし") in header
    )
    assert 'role="alert"' not in page
    # one host scanned with --insecure: the count is in the header and a banner says so
    capture = CAPTURES["proxy-mismatch"].model_copy(deep=True)
    capture.connection = ConnectionInfo(
        transport="https", port=5986, auth="ntlm", cert_validation=False, insecure=True
    )
    with open(path, "a", encoding="utf-8") as out:
        out.write(record("lab9", capture))
    page = render(build_fleet_report(path), "html", lang)
    assert 'data-insecure="1"' in page and 'role="alert"' in page
    assert ("1 of 8 hosts" if lang == "en" else "8 台中 1 台") in page


def test_the_host_table_is_capped_with_complete_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fleet_html, "HOSTS_MAX", 4)
    page = render(build_fleet_report(results_file(tmp_path)), "html", "en")
    # 6 of the 7 hosts need attention: the first 4 of those by name, the healthy one left out
    assert host_rows(page) == [
        "down0.corp.example.jp",
        "proxy0.corp.example.jp",
        "proxy1.corp.example.jp",
        "proxy2.corp.example.jp",
    ]
    assert "Showing 4 of 7 hosts by name: those that need attention first" in page
    assert "<b>7</b>hosts" in page


def _scan(tmp_path: Path, name: str, hosts: dict[str, str], started: str) -> Path:
    lines = []
    for host, capture in hosts.items():
        lines.append(
            FleetRecord(
                target=FleetTarget(host=f"{host}.corp.example.jp"),
                started_utc=started,
                duration_ms=1200,
                capture=CAPTURES[capture],
            ).model_dump_json()
            + "\n"
        )
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_several_results_files_merge_and_the_newest_record_of_a_host_wins(tmp_path: Path) -> None:
    older = _scan(
        tmp_path,
        "msdiag-fleet-1.jsonl",
        {"pc1": "proxy-mismatch", "pc2": "clock-skew"},
        "2026-11-24T01:00:00.000Z",
    )
    newer = _scan(tmp_path, "msdiag-fleet-2.jsonl", {"pc1": "healthy-ja-jp"}, "2026-11-25T01:00:00.0000000Z")
    for files in ([older, newer], [newer, older]):  # the order they are named in does not matter
        report = build_fleet_report(files)
        verdicts = {row.name: row.verdict for row in report.hosts}
        assert verdicts == {"pc1.corp.example.jp": "pass", "pc2.corp.example.jp": "fail"}
        assert report.merged is not None and (
            report.merged.files,
            report.merged.hosts,
            report.merged.repeated,
        ) == (2, 2, 1)
    page = render(report, "html", "en")
    assert "2 results files merged: 2 hosts, 1 of them in more than one file" in page
    assert (
        "msdiag-fleet-1.jsonl, msdiag-fleet-2.jsonl" in page
        or "msdiag-fleet-2.jsonl, msdiag-fleet-1.jsonl" in page
    )
    data = json.loads(render(report, "json", "en"))
    assert data["merged"] == {"files": 2, "hosts": 2, "repeated": 1}
    assert sorted(data["sources"]) == ["msdiag-fleet-1.jsonl", "msdiag-fleet-2.jsonl"]
    assert "newest record" in render(report, "table", "en")


def test_a_tie_goes_to_the_file_named_last(tmp_path: Path) -> None:
    a = _scan(tmp_path, "a.jsonl", {"pc1": "proxy-mismatch"}, "2026-11-25T01:00:00.000Z")
    b = _scan(tmp_path, "b.jsonl", {"pc1": "healthy-ja-jp"}, "2026-11-25T01:00:00.000Z")
    assert [row.verdict for row in build_fleet_report([a, b]).hosts] == ["pass"]
    assert [row.verdict for row in build_fleet_report([b, a]).hosts] == ["fail"]


def test_the_terminal_table_names_groups_in_words_with_their_fix(tmp_path: Path) -> None:
    text = render(build_fleet_report(results_file(tmp_path)), "table", "ja")
    assert "ユーザーのプロキシ (WinINET) とシステムのプロキシ (WinHTTP) が一致していません" in text
    assert "netsh winhttp import proxy source=ie" in text
    assert "`" not in text


def test_unscanned_host_detail_stays_with_its_host(tmp_path: Path) -> None:
    path = tmp_path / "fleet.jsonl"
    path.write_text(
        record(
            "pc1",
            CAPTURES["healthy-ja-jp"],
            state=HostState.AUTH_FAILED,
            detail="401 from the WinRM listener",
        ),
        encoding="utf-8",
    )
    page = render(build_fleet_report(path), "html", "en")
    row = page[page.index(">pc1.corp.example.jp<") :].split("</tr>", 1)[0]
    assert "sign-in to the host refused" in row and "401 from the WinRM listener" in row
