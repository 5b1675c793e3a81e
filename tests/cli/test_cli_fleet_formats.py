"""Fleet scans take the fleet formats: `msdiag scan --inventory ... --format csv` against the lab.

The real CLI in a subprocess, the real pypsrp client, the lab's WinRM endpoints on 127.0.0.1
(NTLM with message encryption). Until the format registries, `scan --inventory --format csv`
exited 2 ("unknown report format") while `msdiag report --format csv` worked.
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.lab_fleet import run_msdiag

from msdiag.lab import LabServer, load_lab_hosts

USER = "fleet-formats"
PASSWORD = "Lab!formats-9f3c"


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    with LabServer(load_lab_hosts(), transport="http", username=USER, password=PASSWORD) as server:
        yield server


def inventory(lab: LabServer, folder: Path) -> Path:
    path = folder / "hosts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["host", "port", "transport", "auth", "name"])
        for endpoint in lab.endpoints():
            writer.writerow([endpoint.host, endpoint.port, "http", "ntlm", endpoint.name])
    return path


def msdiag(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_msdiag(cwd, *args, user=USER, password=PASSWORD)


def test_fleet_scan_writes_csv_and_prints_the_table(lab: LabServer, tmp_path: Path) -> None:
    hosts = inventory(lab, tmp_path)
    proc = msdiag("scan", "--inventory", str(hosts), "--format", "table,csv", "--timeout", "30", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    # the lab's problem hosts have failing findings; every host was reachable
    assert proc.returncode == 1, proc.stderr
    reports = tmp_path / "reports"
    [results] = reports.glob("msdiag-fleet-*.jsonl")
    report_csv = reports / f"{results.stem}-report.csv"
    rows = list(csv.DictReader(io.StringIO(report_csv.read_text(encoding="utf-8"))))
    names = sorted(e.name for e in lab.endpoints())
    assert sorted(r["host"] for r in rows) == names
    by_host = {r["host"]: r for r in rows}
    assert by_host["proxy-mismatch"]["verdict"] == "fail"
    assert "proxy.wininet_winhttp_mismatch" in by_host["proxy-mismatch"]["failing_findings"]
    assert f"msdiag: wrote {report_csv.absolute()}" in proc.stderr  # where it is, from any folder
    assert "failing findings" in proc.stdout  # the fleet table, on stdout
    assert f"{len(names)} hosts: scanned {len(names)}" in proc.stdout


def test_fleet_scan_csv_alone_goes_to_a_file(lab: LabServer, tmp_path: Path) -> None:
    hosts = inventory(lab, tmp_path)
    proc = msdiag(
        "scan", "--inventory", str(hosts), "--format", "csv", "--reports-dir", "out", "--timeout", "30",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    [report_csv] = (tmp_path / "out").glob("msdiag-fleet-*-report.csv")
    assert report_csv.read_text(encoding="utf-8").startswith("host,status,verdict,")


def test_one_host_refuses_a_fleet_format_before_connecting(tmp_path: Path) -> None:
    # nothing listens on port 9: the message must come before any connection attempt
    proc = msdiag(
        "scan", "--host", "127.0.0.1", "--port", "9", "--transport", "http", "--format", "csv", cwd=tmp_path
    )
    assert proc.returncode == 2
    assert "csv: a fleet report format" in proc.stderr and "table, json, html" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "reports").exists()


def test_diagnose_takes_single_host_formats_only(tmp_path: Path) -> None:
    capture = Path(__file__).resolve().parents[2] / "msdiag" / "lab" / "hosts" / "clock-skew.json"
    proc = msdiag("diagnose", str(capture), "--format", "csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown report format(s): 'csv'" in proc.stderr
