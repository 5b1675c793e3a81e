"""The diagnosis stored in each fleet record at scan time gives the same fleet report as diagnosing
every capture again, and is ignored when another msdiag version (another engine) wrote it."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from msdiag.capture.models import Capture, HostState, HostStatus
from msdiag.diagnosis.models import Status
from msdiag.fleet.models import FleetRecord, FleetTarget
from msdiag.fleet.report import build_fleet_report
from msdiag.fleet.stored_diagnosis import host_diagnosis
from msdiag.formats.catalog import render_fleet as render
from msdiag.lab import load_lab_hosts

CAPTURES = {h.name: h.capture for h in load_lab_hosts()}


def _write(path: Path, *, stored: bool, version: str | None = None) -> Path:
    lines = []
    for i, (name, capture) in enumerate(sorted(CAPTURES.items())):
        capture = capture.model_copy(deep=True)
        capture.host = f"PC{i:03d}"
        if i == 0:
            capture.host_status = HostStatus(state=HostState.UNREACHABLE, detail="接続が拒否されました")
        diagnosis = host_diagnosis(capture) if stored else None
        if diagnosis is not None and version is not None:
            diagnosis = diagnosis.model_copy(update={"msdiag_version": version})
        record = FleetRecord(
            target=FleetTarget(host=f"{name}.corp.example.jp"),
            started_utc="2026-11-25T01:00:00.000Z",
            duration_ms=900 + i,
            capture=capture,
            diagnosis=diagnosis,
        )
        lines.append(record.model_dump_json() + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("level", ["standard", "none", "strict"])
def test_stored_diagnosis_gives_the_same_report_as_diagnosing_again(tmp_path: Path, level: str) -> None:
    fresh = build_fleet_report(_write(tmp_path / "old.jsonl", stored=False), level)
    stored = build_fleet_report(_write(tmp_path / "new.jsonl", stored=True), level)
    assert [asdict(h) for h in stored.hosts] == [asdict(h) for h in fresh.hosts]
    assert any(h.failing for h in stored.hosts)  # the fleet has failing hosts to compare
    for fmt in ("json", "csv", "table"):
        assert render(stored, fmt, "ja").replace("new.jsonl", "X") == render(fresh, fmt, "ja").replace(
            "old.jsonl", "X"
        )


def test_diagnosis_of_another_version_is_not_trusted(tmp_path: Path) -> None:
    path = _write(tmp_path / "other.jsonl", stored=True, version="0.0.0-other")
    # tamper with what that version "found": the report must diagnose the capture itself
    records = [FleetRecord.model_validate_json(line) for line in path.read_text("utf-8").splitlines()]
    for record in records:
        if record.diagnosis is not None:
            record.diagnosis.findings = []
            record.diagnosis.verdict = "pass"
    path.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    report = build_fleet_report(path)
    assert any(h.failing for h in report.hosts)


def test_stored_diagnosis_holds_only_fail_and_warn_without_evidence() -> None:
    diagnosis = host_diagnosis(CAPTURES["proxy-mismatch"])
    assert diagnosis is not None and diagnosis.verdict == "fail"
    assert diagnosis.findings
    assert all(f.status in (Status.FAIL, Status.WARN) for f in diagnosis.findings)
    assert all(not f.evidence and not f.remediation for f in diagnosis.findings)


def test_unscanned_host_has_no_stored_diagnosis() -> None:
    capture: Capture = CAPTURES["healthy-ja-jp"].model_copy(deep=True)
    capture.host_status = HostStatus(state=HostState.TIMEOUT, detail="deadline")
    assert host_diagnosis(capture) is None
