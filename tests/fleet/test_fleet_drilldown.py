"""Fleet report drill-down: each host needing attention links to its own single-host report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.fleet_results import results_file
from support.process_pools import count_pools

from msdiag.cli.fleet_output import write_fleet_outputs, write_host_reports
from msdiag.fleet.report import build_fleet_report


def test_hosts_needing_attention_link_to_their_single_host_reports(tmp_path: Path) -> None:
    results = results_file(tmp_path)
    report = build_fleet_report(results)
    written = write_fleet_outputs(
        report, ["html"], lang="en", reports_dir=tmp_path / "out", stem="fleet", results=results
    ).written
    fleet_html = (tmp_path / "out" / "fleet.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="(fleet-hosts/[^"]+)">([^<]+)</a>', fleet_html)
    linked = {name for _, name in links}
    # 3 proxy + 2 skew hosts fail, one host could not be scanned; the healthy one needs no report
    assert linked == {f"proxy{i}.corp.example.jp" for i in range(3)} | {
        "skew0.corp.example.jp", "skew1.corp.example.jp", "down0.corp.example.jp",
    }
    for href, name in links:
        page = (tmp_path / "out" / href).read_text(encoding="utf-8")
        assert "<html" in page and "<script" not in page
        if name.startswith("proxy"):
            assert "proxy.wininet_winhttp_mismatch" in page
        if name.startswith("skew"):
            assert "clock.skew" in page
    assert (tmp_path / "out" / "fleet.html") == written[0]


def test_host_reports_are_capped(tmp_path: Path) -> None:
    results = results_file(tmp_path)
    report = build_fleet_report(results)
    written = write_host_reports(report, results, tmp_path / "hosts", redaction="standard", lang="ja", limit=2)
    assert len(written) == 2
    assert report.host_reports_written == 2 and report.host_reports_total == 6
    assert sum(1 for row in report.hosts if row.report) == 2


def test_host_reports_rendered_by_worker_processes_are_the_ones_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msdiag.cli import fleet_output

    results = results_file(tmp_path)

    def pages(folder: str, pool_from: int) -> dict[str, str]:
        monkeypatch.setattr(fleet_output, "POOL_REPORTS", pool_from)
        monkeypatch.setattr(fleet_output, "cores", lambda: 2)
        report = build_fleet_report(results)
        written = write_host_reports(report, results, tmp_path / folder, redaction="standard", lang="en")
        return {path.name: path.read_text(encoding="utf-8") for path in written}

    alone = pages("alone", 1000)
    started = count_pools(monkeypatch, fleet_output)
    pooled = pages("pooled", 2)
    assert started == [2]  # the six reports really went to two worker processes
    assert len(alone) == 6 and pooled == alone
