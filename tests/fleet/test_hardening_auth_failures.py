"""A wrong password stops after a few hosts, not after every host (each is a failed logon: a
lockout on a real domain). Real fleet scans through the CLI against the lab (pypsrp, NTLM)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.lab_fleet import PASSWORD, USER, lab_inventory, run_msdiag, serve_pcs

from msdiag.fleet.results import iter_records
from msdiag.lab import LabServer


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    yield from serve_pcs(10)


def inventory(lab: LabServer, folder: Path, users: dict[str, str] | None = None) -> Path:
    return lab_inventory(lab, folder, users=users)


def scan(folder: Path, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    return run_msdiag(
        folder, "scan", "--format", "json", "--timeout", "30", *args, user=USER, password=password
    )


def states(results: Path) -> Counter[str]:
    return Counter(r.capture.host_status.state.value for r in iter_records(results))


@pytest.mark.parametrize("processes", [1, 2])
def test_a_wrong_password_is_tried_on_three_hosts_only(
    lab: LabServer, tmp_path: Path, processes: int
) -> None:
    results = tmp_path / "fleet.jsonl"
    proc = scan(
        tmp_path, "--inventory", str(inventory(lab, tmp_path)), "--results", str(results),
        "--concurrency", "10", "--processes", str(processes), password="wrong-password",
    )  # fmt: skip
    assert proc.returncode == 4, proc.stderr
    assert states(results) == {"auth_failed": 3, "not_attempted": 7}
    assert "not attempted" in proc.stderr and "--max-auth-failures" in proc.stderr
    skipped = [r for r in iter_records(results) if r.capture.host_status.state.value == "not_attempted"]
    assert "failed authentication on 3 hosts in a row" in (skipped[0].capture.host_status.detail or "")
    report = json.loads(proc.stdout)
    assert report["hosts_total"] == 10  # every host is in the report, with its status


def test_each_inventory_user_name_is_its_own_credential(lab: LabServer, tmp_path: Path) -> None:
    wrong = {f"pc{i:02d}": "CORP\\someone-else" for i in range(5)}
    results = tmp_path / "fleet.jsonl"
    proc = scan(
        tmp_path, "--inventory", str(inventory(lab, tmp_path, wrong)), "--results", str(results),
        "--concurrency", "4",
    )  # fmt: skip
    assert proc.returncode == 4, proc.stderr
    by_host = {r.target.name: r.capture.host_status.state.value for r in iter_records(results)}
    assert Counter(by_host[f"pc{i:02d}"] for i in range(5)) == {"auth_failed": 3, "not_attempted": 2}
    assert {by_host[f"pc{i:02d}"] for i in range(5, 10)} == {"ok"}
    assert "CORP\\someone-else" in proc.stderr


def test_resume_scans_the_hosts_not_attempted_once_the_password_is_right(
    lab: LabServer, tmp_path: Path
) -> None:
    hosts = inventory(lab, tmp_path)
    results = tmp_path / "fleet.jsonl"
    scan(tmp_path, "--inventory", str(hosts), "--results", str(results), password="wrong-password")
    proc = scan(tmp_path, "--inventory", str(hosts), "--resume", str(results))
    assert proc.returncode == 4, proc.stderr  # the three that failed are still failed (no --retry-failed)
    assert states(results) == {"auth_failed": 3, "ok": 7}
    proc = scan(tmp_path, "--inventory", str(hosts), "--resume", str(results), "--retry-failed")
    assert proc.returncode in (0, 1), proc.stderr
    assert states(results) == {"ok": 10}  # the newest record per host wins


def test_max_auth_failures_zero_tries_every_host(lab: LabServer, tmp_path: Path) -> None:
    results = tmp_path / "fleet.jsonl"
    proc = scan(
        tmp_path, "--inventory", str(inventory(lab, tmp_path)), "--results", str(results),
        "--max-auth-failures", "0", password="wrong-password",
    )  # fmt: skip
    assert proc.returncode == 4, proc.stderr
    assert states(results) == {"auth_failed": 10}
