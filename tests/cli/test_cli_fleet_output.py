"""Where fleet reports go (msdiag/cli/fleet_output.py): the same routing rules as one host's reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msdiag.capture.models import HostState, HostStatus
from msdiag.cli.fleet_output import write_fleet_outputs
from msdiag.errors import InputError
from msdiag.fleet.models import FleetRecord, FleetTarget
from msdiag.fleet.report import FleetReport, build_fleet_report
from msdiag.lab import load_lab_hosts


def results(tmp_path: Path) -> Path:
    captures = {h.name: h.capture for h in load_lab_hosts()}
    lines = []
    for i, name in enumerate(["proxy-mismatch", "clock-skew", "healthy-ja-jp", "healthy-ja-jp"]):
        capture = captures[name].model_copy(deep=True)
        if i == 3:
            capture.host_status = HostStatus(state=HostState.UNREACHABLE, detail="connection refused")
        record = FleetRecord(
            target=FleetTarget(host=f"pc{i}.corp.example.jp"),
            started_utc="2026-11-25T01:00:00.000Z",
            duration_ms=1500,
            capture=capture,
        )
        lines.append(record.model_dump_json() + "\n")
    path = tmp_path / "fleet.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def report_of(path: Path) -> FleetReport:
    return build_fleet_report(path)


def test_a_lone_json_is_for_stdout_and_several_formats_go_to_files(tmp_path: Path) -> None:
    path = results(tmp_path)
    alone = write_fleet_outputs(report_of(path), ["json"], lang="en", reports_dir=tmp_path / "r", stem="f")
    assert alone.written == [] and json.loads(alone.stdout)["hosts_total"] == 4
    assert not (tmp_path / "r").exists()
    several = write_fleet_outputs(
        report_of(path), ["table", "json", "csv"], lang="en", reports_dir=tmp_path / "r", stem="f"
    )
    assert "failing findings" in several.stdout and "{" not in several.stdout  # the table only
    assert sorted(p.name for p in several.written) == ["f.csv", "f.json"]


def test_output_takes_exactly_one_format_and_the_drilldown_goes_beside_it(tmp_path: Path) -> None:
    path = results(tmp_path)
    with pytest.raises(InputError, match="exactly one format"):
        write_fleet_outputs(
            report_of(path), ["html", "csv"], lang="en", reports_dir=tmp_path, stem="f", output=tmp_path / "x"
        )
    target = tmp_path / "ticket" / "fleet.html"
    emitted = write_fleet_outputs(
        report_of(path), ["html"], lang="ja", reports_dir=tmp_path / "unused", stem="f", output=target,
        results=path,
    )
    assert emitted.written[0] == target and target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    hosts = sorted(p.name for p in (tmp_path / "ticket" / "fleet-hosts").iterdir())
    # failing hosts and the one that could not be scanned get their own report; the healthy one not
    assert hosts == ["00001-pc0.corp.example.jp.html", "00002-pc1.corp.example.jp.html",
                     "00004-pc3.corp.example.jp.html"]
    assert sorted(emitted.written[1:]) == sorted((tmp_path / "ticket" / "fleet-hosts").iterdir())


def test_a_taken_name_is_refused_before_any_host_report_is_written(tmp_path: Path) -> None:
    path = results(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "f.html").write_text("an older report", encoding="utf-8")
    with pytest.raises(InputError, match=r"f\.html already exists"):
        write_fleet_outputs(report_of(path), ["html"], lang="en", reports_dir=out, stem="f", results=path)
    assert (out / "f.html").read_text(encoding="utf-8") == "an older report"
    assert not (out / "f-hosts").exists()
