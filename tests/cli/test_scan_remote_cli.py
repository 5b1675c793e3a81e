"""`msdiag scan --host` end to end: the real CLI in a subprocess, the real pypsrp client, the lab.

The lab serves the built-in captures over HTTP with NTLM and message encryption on 127.0.0.1;
the scan must produce the same diagnosis as diagnosing the capture directly, and the password must
appear nowhere: not in stdout, stderr, the saved capture, or the reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from msdiag.collectors.capture_file import load_capture
from msdiag.diagnosis.engine import diagnose
from msdiag.lab import LabServer, load_lab_hosts

PASSWORD = "Kx9!lab-S3cret-pass"
USER = "labadmin"


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    with LabServer(load_lab_hosts(), transport="http", username=USER, password=PASSWORD) as server:
        yield server


def scan(lab: LabServer, name: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "msdiag",
            "scan",
            "--host",
            "127.0.0.1",
            "--port",
            str(lab.port_of(name)),
            "--transport",
            "http",
            "--auth",
            "ntlm",
            "--timeout",
            "30",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "name",
    [
        "healthy-ja-jp",
        "proxy-mismatch",
        "clock-skew",
        "vpn-dns-failure",
        "hosts-file-block",
        "wlidsvc-disabled",
    ],
)
def test_remote_scan_matches_direct_diagnosis(lab: LabServer, tmp_path: Path, name: str) -> None:
    proc = scan(lab, name, tmp_path, "--format", "json", "--save-capture", "cap.json")
    assert proc.returncode in (0, 1), proc.stderr
    remote = json.loads(proc.stdout)
    assert remote["capture"]["mode"] == "remote"
    assert remote["capture"]["host_status"]["state"] == "ok"
    hosts = Path(__file__).resolve().parents[2] / "msdiag" / "lab" / "hosts"
    direct = diagnose(load_capture(hosts / f"{name}.json"))
    assert [(f["id"], f["status"]) for f in remote["findings"]] == [
        (f.id, f.status.value) for f in direct.findings
    ]
    assert proc.returncode == (1 if any(f.status.value == "fail" for f in direct.findings) else 0)
    saved = load_capture(tmp_path / "cap.json")
    assert saved.connection is not None and saved.connection.auth == "ntlm"


def test_password_appears_nowhere(lab: LabServer, tmp_path: Path) -> None:
    proc = scan(
        lab,
        "proxy-mismatch",
        tmp_path,
        "--format",
        "table,json,html",
        "--save-capture",
        "cap.json",
        "--error",
        "0xCAA70004",
    )
    assert proc.returncode == 1, proc.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in written) and any(p.suffix == ".json" for p in written)
    for text in [proc.stdout, proc.stderr, *(p.read_text(encoding="utf-8") for p in written)]:
        assert PASSWORD not in text
        assert "S3cret" not in text


def test_wrong_password_is_auth_failed_exit_3(lab: LabServer, tmp_path: Path) -> None:
    env = dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD="not-the-password")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "msdiag",
            "scan",
            "--host",
            "127.0.0.1",
            "--port",
            str(lab.port_of("healthy-ja-jp")),
            "--transport",
            "http",
            "--auth",
            "ntlm",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 3
    assert "auth_failed" in proc.stderr
    assert json.loads(proc.stdout)["capture"]["host_status"]["state"] == "auth_failed"
    assert "Traceback" not in proc.stderr


def test_basic_over_http_is_refused_before_connecting(lab: LabServer, tmp_path: Path) -> None:
    before = lab.stats.connections
    proc = scan(lab, "healthy-ja-jp", tmp_path, "--auth", "basic")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert lab.stats.connections == before


@pytest.mark.parametrize("processes", ["1", "2"])
def test_fleet_scan_from_inventory_exits_4_when_a_host_cannot_be_scanned(
    tmp_path: Path, processes: str
) -> None:
    from msdiag.lab import Faults, LabHost

    hosts = load_lab_hosts()
    healthy = next(h for h in hosts if h.name == "healthy-ja-jp")
    fleet = [*hosts, LabHost("offline-pc", healthy.capture, Faults(refuse_connection=True))]
    with LabServer(fleet, transport="http", username=USER, password=PASSWORD) as server:
        inventory = tmp_path / "hosts.csv"
        rows = ["host,port,transport,auth,username,tags"]
        rows += [f"127.0.0.1,{e.port},http,ntlm,{USER},lab {e.name}" for e in server.endpoints()]
        inventory.write_text("\n".join(rows) + "\n", encoding="utf-8")
        env = dict(os.environ, MSDIAG_PASSWORD=PASSWORD)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "msdiag",
                "scan",
                "--inventory",
                str(inventory),
                "--results",
                "fleet.jsonl",
                "--timeout",
                "20",
                "--format",
                "table",
                "--processes",
                processes,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=180,
            stdin=subprocess.DEVNULL,
        )
    assert proc.returncode == 4, proc.stderr
    records = [
        json.loads(line) for line in (tmp_path / "fleet.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(records) == len(fleet)
    states = sorted(r["capture"]["host_status"]["state"] for r in records)
    assert states.count("ok") == len(hosts) and states.count("unreachable") == 1
    assert PASSWORD not in proc.stdout + proc.stderr + (tmp_path / "fleet.jsonl").read_text(encoding="utf-8")


def test_fleet_scan_rejects_single_host_options(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "msdiag",
            "scan",
            "--host",
            "pc01",
            "--host",
            "pc02",
            "--phone",
            "+81 90-1234-5678",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD),
    )
    assert proc.returncode == 2
    assert "--phone" in proc.stderr and "Traceback" not in proc.stderr
