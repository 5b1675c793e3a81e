"""Files holding host data are owner-only: results, reports, host reports, saved captures (0600),
and the folders msdiag creates for them (0700), whatever the umask lets others read.

Real scans through the CLI against the lab (pypsrp, NTLM with encryption), umask 022 as on a
default Linux account: before, every one of these files was 0644 (readable by every local user).
"""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.lab_fleet import lab_inventory, run_msdiag

from msdiag.lab import LabServer, load_lab_hosts

USER = "private-files"
PASSWORD = "Lab!private-7c1e"


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    hosts = [h for h in load_lab_hosts() if h.name in ("healthy-ja-jp", "proxy-mismatch", "clock-skew")]
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as server:
        yield server


def msdiag(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_msdiag(cwd, *args, user=USER, password=PASSWORD, umask=0o022)  # a default Linux account


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_fleet_results_reports_and_host_reports_are_owner_only(lab: LabServer, tmp_path: Path) -> None:
    inventory = lab_inventory(lab, tmp_path)
    proc = msdiag(
        "scan",
        "--inventory",
        str(inventory),
        "--format",
        "html,csv",
        "--reports-dir",
        "out/reports",
        cwd=tmp_path,
    )
    assert proc.returncode in (0, 1), proc.stderr
    created = [tmp_path / "out", tmp_path / "out" / "reports"]
    files = sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file())
    folders = created + sorted(p for p in (tmp_path / "out" / "reports").rglob("*") if p.is_dir())
    assert any(p.suffix == ".jsonl" for p in files) and any(p.suffix == ".csv" for p in files)
    assert len([p for p in files if p.suffix == ".html"]) >= 2  # the fleet report and a host report
    assert {str(p.relative_to(tmp_path)): oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    assert {str(p.relative_to(tmp_path)): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}


def test_single_host_report_and_saved_capture_are_owner_only(lab: LabServer, tmp_path: Path) -> None:
    port = lab.port_of("proxy-mismatch")
    proc = msdiag(
        "scan", "--host", "127.0.0.1", "--port", str(port), "--transport", "http", "--auth", "ntlm",
        "--format", "html", "--save-capture", "captures/pc01.json", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    report = next((tmp_path / "reports").glob("*.html"))
    assert oct(mode(report)) == oct(0o600)
    assert oct(mode(tmp_path / "reports")) == oct(0o700)
    assert oct(mode(tmp_path / "captures" / "pc01.json")) == oct(0o600)
    assert oct(mode(tmp_path / "captures")) == oct(0o700)
