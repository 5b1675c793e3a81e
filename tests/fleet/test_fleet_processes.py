"""Fleet scans in worker processes (processes=2) against the lab over real WinRM (pypsrp, NTLM).

The parent stays the only writer of the results file; these tests check that every host lands
there exactly once with the right status, that a SIGKILL of the parent loses and duplicates
nothing after --resume, and that no worker outlives a killed parent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.fleet_scanner import CHILD, PASSWORD, USER

from msdiag.capture.models import HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget
from msdiag.errors import InputError
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.results import ResultsWriter, iter_records
from msdiag.fleet.runner import run_fleet
from msdiag.fleet.scan import scan_fleet
from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts

EXPECTED_FAULTS = {
    "fault-refused": (Faults(refuse_connection=True), HostState.UNREACHABLE),
    "fault-badpass": (Faults(wrong_credentials=True), HostState.AUTH_FAILED),
    "fault-throws": (
        Faults(script_error="Get-CimInstance : アクセスが拒否されました。"),
        HostState.SCRIPT_ERROR,
    ),
}


def _children_of(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (from /proc, Linux)."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _outliving(pids: set[int], within_s: float = 5.0) -> list[int]:
    """The processes of ``pids`` still alive after ``within_s`` (they should exit by themselves)."""
    gone_by = time.monotonic() + within_s
    while time.monotonic() < gone_by and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if _alive(pid)]


@pytest.mark.slow
def test_two_processes_record_every_host_once_with_its_status(tmp_path: Path) -> None:
    builtin = load_lab_hosts()
    hosts = [LabHost(name, builtin[0].capture, faults) for name, (faults, _) in EXPECTED_FAULTS.items()]
    hosts += [LabHost(f"pc{i:02d}", builtin[i % len(builtin)].capture) for i in range(9)]
    expected = {name: state for name, (_, state) in EXPECTED_FAULTS.items()}
    expected.update({f"pc{i:02d}": HostState.OK for i in range(9)})
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as lab:
        targets = [FleetTarget(host="127.0.0.1", port=lab.port_of(h.name), name=h.name) for h in hosts]
        outcome = scan_fleet(
            targets,
            defaults=RemoteTarget(host="127.0.0.1", transport="http", auth="ntlm", timeout=10.0),
            credentials=Credentials(USER, PASSWORD),
            checks=CHECK_NAMES,
            endpoint_hosts=None,
            concurrency=6,
            results=tmp_path / "fleet.jsonl",
            resume=None,
            reports_dir=tmp_path,
            progress=False,
            processes=2,
        )
    records = list(iter_records(outcome.path))
    assert sorted(r.target.name or "" for r in records) == sorted(expected)  # each host exactly once
    for record in records:
        assert record.capture.host_status.state == expected[record.target.name or ""], record.target.name
        if record.capture.host_status.state == HostState.OK:
            assert record.diagnosis is not None  # summarized in the worker, stored by the parent
    assert outcome.summary.ok == 9 and outcome.summary.failed == 3 and not outcome.summary.errored
    assert PASSWORD not in outcome.path.read_text(encoding="utf-8")


def test_a_closure_cannot_be_sent_to_workers_and_says_so(tmp_path: Path) -> None:
    def scan_one(target: FleetTarget) -> None:
        raise AssertionError("never called")

    with ResultsWriter(tmp_path / "r.jsonl") as writer, pytest.raises(InputError, match="module-level"):
        run_fleet([FleetTarget(host="pc01"), FleetTarget(host="pc02")], scan_one, writer, processes=2)  # type: ignore[arg-type]


@pytest.mark.slow
def test_sigkill_with_two_processes_then_resume_and_no_worker_outlives_the_parent(tmp_path: Path) -> None:
    builtin = load_lab_hosts()
    hosts = [
        LabHost(f"pc{i:02d}", builtin[i % len(builtin)].capture, Faults(latency_ms=60)) for i in range(16)
    ]
    results = tmp_path / "fleet.jsonl"
    env = dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD)
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as lab:
        ports = ",".join(str(lab.port_of(h.name)) for h in hosts)
        command = [sys.executable, "-c", CHILD, str(results), ports, "2"]
        child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
        # kill once some hosts are on disk and the rest are in flight in the workers
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if results.exists() and results.read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0.05)
        workers = _children_of(child.pid)
        assert child.poll() is None, "the scan finished before it could be killed"
        # the worker process (the parent is the other scanning process) and the resource tracker
        assert any(b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in workers)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert not _outliving(workers), "a worker outlived the killed parent"
        assert 3 <= len(list(iter_records(results))) < 16
        final = subprocess.run(command, env=env, stderr=subprocess.PIPE, timeout=120)
        assert final.returncode == 0, final.stderr.decode(errors="replace")
    names = [r.target.name or "" for r in iter_records(results)]
    assert sorted(names) == [f"pc{i:02d}" for i in range(16)]
    lines = [line for line in results.read_bytes().split(b"\n") if line]
    assert len(lines) == 16  # nothing duplicated, no torn line left


@pytest.mark.slow
def test_ctrl_c_with_two_processes_saves_running_hosts_and_stops_the_workers(tmp_path: Path) -> None:
    builtin = load_lab_hosts()
    hosts = [
        LabHost(f"pc{i:02d}", builtin[i % len(builtin)].capture, Faults(latency_ms=60)) for i in range(16)
    ]
    results = tmp_path / "fleet.jsonl"
    env = dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD)
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as lab:
        ports = ",".join(str(lab.port_of(h.name)) for h in hosts)
        command = [sys.executable, "-c", CHILD, str(results), ports, "2"]
        # its own process group, like a terminal's foreground job: Ctrl-C reaches the workers too
        child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if results.exists() and results.read_bytes().count(b"\n") >= 2:
                break
            time.sleep(0.05)
        workers = _children_of(child.pid)
        assert child.poll() is None, "the scan finished before Ctrl-C"
        os.killpg(child.pid, signal.SIGINT)
        _, stderr = child.communicate(timeout=30)
        assert "interrupted" in stderr.decode(errors="replace")
        assert not _outliving(workers), "a worker outlived the interrupted scan"
        saved = [r.target.name or "" for r in iter_records(results)]
        assert 2 <= len(saved) < 16 and len(set(saved)) == len(saved)
        final = subprocess.run(command, env=env, stderr=subprocess.PIPE, timeout=120)
        assert final.returncode == 0, final.stderr.decode(errors="replace")
    names = sorted(r.target.name or "" for r in iter_records(results))
    assert names == [f"pc{i:02d}" for i in range(16)]
