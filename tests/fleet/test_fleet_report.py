"""The fleet report: signatures, counts, formats, hostile host data, redaction, exit codes."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from support.fleet_results import CAPTURES, HOSTILE, record, results_file

from msdiag.capture.models import HostState
from msdiag.cli import cli
from msdiag.fleet.report import build_fleet_report
from msdiag.formats.catalog import render_fleet as render


def test_hosts_are_grouped_by_failure_signature_largest_first(tmp_path: Path) -> None:
    report = build_fleet_report(results_file(tmp_path))
    assert len(report.hosts) == 7
    assert report.by_state == {"ok": 6, "unreachable": 1}
    assert report.unscanned == 1
    first, second = report.signatures[0], report.signatures[1]
    assert sorted(first.hosts) == [f"proxy{i}.corp.example.jp" for i in range(3)]
    assert sorted(second.hosts) == ["skew0.corp.example.jp", "skew1.corp.example.jp"]
    assert first.findings and all(f in report.hosts[0].failing for f in first.findings)
    assert "ok0.corp.example.jp" not in [h for s in report.signatures for h in s.hosts]
    counts = {c.id: c.fail for c in report.by_finding}
    assert all(counts[f] >= 3 for f in first.findings)


def test_json_is_stable_and_csv_has_one_row_per_host(tmp_path: Path) -> None:
    path = results_file(tmp_path)
    once = render(build_fleet_report(path), "json", "en")
    assert once == render(build_fleet_report(path), "json", "en")
    data = json.loads(once)
    assert data["hosts_total"] == 7 and data["signatures"][0]["count"] == 3
    rows = list(csv.DictReader(io.StringIO(render(build_fleet_report(path), "csv", "en"))))
    assert len(rows) == 7
    down = next(r for r in rows if r["host"].startswith("down0"))
    assert (down["status"], down["verdict"]) == ("unreachable", "not_scanned")


class _LiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def test_html_has_no_live_markup_from_hostile_host_data(tmp_path: Path) -> None:
    hostile = CAPTURES["proxy-mismatch"].model_copy(deep=True)
    hostile.host = HOSTILE
    path = tmp_path / "fleet.jsonl"
    path.write_text(
        record("pc1", hostile)
        + record("pc2", CAPTURES["healthy-ja-jp"], state=HostState.WINRM_FAULT, detail=HOSTILE),
        encoding="utf-8",
    )
    html = render(build_fleet_report(path), "html", "en")
    parser = _LiveMarkup()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags and not parser.handlers
    assert "&lt;script&gt;" in html  # shown as text
    assert "http://" not in html and "https://" not in html  # nothing external
    assert "<svg" in html and "pc1.corp.example.jp" in html and "pc2.corp.example.jp" in html


def test_csv_cells_cannot_become_formulas(tmp_path: Path) -> None:
    path = tmp_path / "fleet.jsonl"
    path.write_text(
        record("pc1", CAPTURES["healthy-ja-jp"], state=HostState.SCRIPT_ERROR, detail='=HYPERLINK("x")'),
        encoding="utf-8",
    )
    rows = list(csv.DictReader(io.StringIO(render(build_fleet_report(path), "csv", "en"))))
    assert rows[0]["detail"].startswith("'=")


def test_strict_redaction_hides_host_names(tmp_path: Path) -> None:
    report = build_fleet_report(results_file(tmp_path), "strict")
    text = render(report, "json", "en") + render(report, "html", "en") + render(report, "csv", "en")
    assert "corp.example.jp" not in text
    assert report.redaction == "strict"


def test_report_command_exit_codes_and_torn_line(tmp_path: Path) -> None:
    path = results_file(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["report", str(path), "--format", "table"], standalone_mode=False)
    assert result.exception is None, result.output
    assert result.return_value == 4  # one host could not be scanned
    assert "proxy0.corp.example.jp" in result.output
    # only scanned hosts, some failing: 1; a torn last line is noted, not fatal
    good = "".join(
        line + "\n" for line in path.read_text(encoding="utf-8").splitlines() if "down0" not in line
    )
    path2 = tmp_path / "scanned.jsonl"
    path2.write_text(good + '{"record_version": 1, "tar', encoding="utf-8")
    result = runner.invoke(
        cli,
        ["report", str(path2), "--format", "html,csv", "--reports-dir", str(tmp_path / "out")],
        standalone_mode=False,
    )
    assert result.return_value == 1
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir() if p.is_file()) == [".csv", ".html"]
    assert [p.name for p in (tmp_path / "out").iterdir() if p.is_dir()] == ["scanned-report-hosts"]
    assert "incomplete last line" in result.output
