"""`msdiag report` (issue 13): several results files merged, --force for its own earlier output, and
a single-host capture pointed at `msdiag diagnose`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from support.cli_run import run
from support.fleet_results import CAPTURES, record, results_file
from support.report_results import capture_path

from msdiag.capture.models import HostState


def two_scans(folder: Path) -> list[Path]:
    """Two fleet scans in one reports folder, as the README's `msdiag-fleet-*.jsonl` finds them:
    the second rescanned down0 (now reachable) and added pc9."""
    folder.mkdir(parents=True, exist_ok=True)
    first = results_file(folder).rename(folder / "msdiag-fleet-20261124T010203Z.jsonl")
    later = record("down0", CAPTURES["healthy-ja-jp"]).replace("2026-11-25T01:00", "2026-11-26T01:00")
    second = folder / "msdiag-fleet-20261126T010203Z.jsonl"
    second.write_text(
        later + record("pc9", CAPTURES["healthy-ja-jp"]).replace("2026-11-25", "2026-11-26"), encoding="utf-8"
    )
    return [first, second]


def test_several_results_files_make_one_report_newest_record_per_host(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scans = two_scans(tmp_path / "reports")
    code, out, err = run(capsys, "report", *map(str, scans), "--format", "json")
    assert code == 1  # every host scanned now (down0 answered the second time), some fail
    data = json.loads(out)
    hosts = {h["host"]: h["verdict"] for h in data["hosts"]}
    assert len(hosts) == 8 and hosts["down0.corp.example.jp"] == "pass" and "pc9.corp.example.jp" in hosts
    assert data["merged"] == {"files": 2, "hosts": 8, "repeated": 1}
    assert "merged 2 results files: 8 hosts, 1 of them in more than one file" in err
    assert "the newest record of each is shown" in err


def test_merged_report_files_are_named_after_the_newest_results_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scans = two_scans(tmp_path / "reports")
    out_dir = tmp_path / "out"
    code, _, _ = run(capsys, "report", *map(str, scans), "--format", "html,csv", "--reports-dir", str(out_dir))
    assert code == 1
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == [
        "msdiag-fleet-20261126T010203Z-merged-report-hosts",
        "msdiag-fleet-20261126T010203Z-merged-report.csv",
        "msdiag-fleet-20261126T010203Z-merged-report.html",
    ]


def test_force_replaces_its_own_earlier_report_and_nothing_else(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    results = results_file(tmp_path)
    out_dir = tmp_path / "out"
    args = ["report", str(results), "--format", "html,csv", "--reports-dir", str(out_dir)]
    assert run(capsys, *args)[0] == 4
    html = out_dir / "fleet-report.html"
    hosts = out_dir / "fleet-report-hosts"
    first_reports = sorted(p.name for p in hosts.iterdir())
    assert first_reports
    assert stat.S_IMODE((hosts / first_reports[0]).stat().st_mode) == 0o600  # host data: owner only
    (hosts / "notes.txt").write_text("the helpdesk's own notes", encoding="utf-8")
    html.write_text(html.read_text(encoding="utf-8") + "<!-- older -->", encoding="utf-8")

    code, _, err = run(capsys, *args)  # without --force: refused, nothing touched
    assert code == 2 and "already exists" in err and "--force" in err
    assert html.read_text(encoding="utf-8").endswith("<!-- older -->")

    code, _, err = run(capsys, *args, "--force")
    assert code == 4, err
    assert not html.read_text(encoding="utf-8").endswith("<!-- older -->")
    assert sorted(p.name for p in hosts.iterdir()) == sorted([*first_reports, "notes.txt"])
    assert (hosts / "notes.txt").read_text(encoding="utf-8") == "the helpdesk's own notes"
    assert not [p for p in out_dir.iterdir() if p.name.endswith(".tmp")]
    assert stat.S_IMODE(html.stat().st_mode) == 0o600

    foreign = out_dir / "fleet-report.csv"
    foreign.write_text("a spreadsheet someone saved under this name\n", encoding="utf-8")
    code, _, err = run(capsys, *args, "--force")
    assert code == 2 and "not an msdiag fleet csv report" in err
    assert foreign.read_text(encoding="utf-8") == "a spreadsheet someone saved under this name\n"


def test_a_single_host_capture_points_at_msdiag_diagnose(capsys: pytest.CaptureFixture[str]) -> None:
    capture = capture_path("proxy-mismatch")
    code, out, err = run(capsys, "report", str(capture))
    assert code == 2 and out == ""
    assert f"{capture} is one host's capture, not fleet results: run `msdiag diagnose {capture}`" in err
    assert "not a valid fleet record" not in err


def test_a_diagnosis_or_fleet_report_is_named_for_what_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    diagnosis = tmp_path / "pc01.json"
    code, out, _ = run(capsys, "diagnose", str(capture_path("proxy-mismatch")), "--format", "json")
    diagnosis.write_text(out, encoding="utf-8")
    code, _, err = run(capsys, "report", str(diagnosis))
    assert code == 2 and "one host's diagnosis report, not fleet results" in err
    fleet_json = tmp_path / "fleet-report.json"
    code, out, _ = run(capsys, "report", str(results_file(tmp_path)), "--format", "json")
    fleet_json.write_text(out, encoding="utf-8")
    code, _, err = run(capsys, "report", str(fleet_json))
    assert code == 2 and "is a fleet report already" in err


def test_a_results_file_with_a_bad_first_line_is_still_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "fleet.jsonl"
    path.write_text(
        "not json\n" + record("pc1", CAPTURES["healthy-ja-jp"], state=HostState.OK), encoding="utf-8"
    )
    code, out, err = run(capsys, "report", str(path), "--format", "json")
    assert code == 0 and json.loads(out)["hosts_total"] == 1
    assert "fleet.jsonl:1: not a valid fleet record" in err
    assert os.path.exists(path)
