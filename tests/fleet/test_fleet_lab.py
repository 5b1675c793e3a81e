"""Fleet scans against the lab over real WinRM (pypsrp, NTLM + encryption): faults, kills, resume."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.fleet_scanner import CHILD, PASSWORD, USER, records_written

from msdiag.capture.models import HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.report import build_fleet_report
from msdiag.fleet.results import iter_records
from msdiag.fleet.scan import scan_fleet
from msdiag.lab import Faults, LabHost, LabServer, WsmanFaultSpec, load_lab_hosts

FAULTS: dict[str, tuple[Faults, set[HostState]]] = {
    "refused": (Faults(refuse_connection=True), {HostState.UNREACHABLE}),
    "badpass": (Faults(wrong_credentials=True), {HostState.AUTH_FAILED}),
    "hang": (Faults(hang=True), {HostState.TIMEOUT}),
    "quota": (
        Faults(
            wsman_fault=WsmanFaultSpec(
                code=0x803381A5,
                message="The WS-Management service cannot process the request. MaxShellsPerUser",
            )
        ),
        {HostState.WINRM_FAULT},
    ),
    "throws": (Faults(script_error="Get-CimInstance : アクセスが拒否されました。"), {HostState.SCRIPT_ERROR}),
    "garbled": (Faults(malformed_output=True), {HostState.BAD_OUTPUT}),
    "dropped": (
        Faults(drop_mid_receive=True),
        {HostState.UNREACHABLE, HostState.WINRM_FAULT, HostState.TIMEOUT},
    ),
}


def fleet_hosts(count: int) -> tuple[list[LabHost], dict[str, set[HostState]]]:
    builtin = load_lab_hosts()
    hosts: list[LabHost] = []
    expected: dict[str, set[HostState]] = {}
    for name, (faults, states) in FAULTS.items():
        hosts.append(LabHost(f"fault-{name}", builtin[0].capture, faults))
        expected[f"fault-{name}"] = states
    index = 0
    while len(hosts) < count:
        source = builtin[index % len(builtin)]
        name = f"{source.name}-{index:02d}"
        hosts.append(LabHost(name, source.capture))
        expected[name] = {HostState.OK}
        index += 1
    return hosts, expected


@pytest.mark.slow
def test_fifty_hosts_with_every_fault_each_recorded_once_with_its_status(tmp_path: Path) -> None:
    from msdiag.diagnosis.engine import diagnose

    hosts, expected = fleet_hosts(50)
    captures = {h.name: h.capture for h in hosts}
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as lab:
        targets = [FleetTarget(host="127.0.0.1", port=lab.port_of(h.name), name=h.name) for h in hosts]
        started = time.monotonic()
        outcome = scan_fleet(
            targets,
            defaults=RemoteTarget(host="127.0.0.1", transport="http", auth="ntlm", timeout=4.0),
            credentials=Credentials(USER, PASSWORD),
            checks=CHECK_NAMES,
            endpoint_hosts=None,
            concurrency=16,
            results=tmp_path / "fleet.jsonl",
            resume=None,
            reports_dir=tmp_path,
            progress=False,
        )
        elapsed = time.monotonic() - started
    assert elapsed < 30
    records = list(iter_records(outcome.path))
    names = [r.target.name for r in records]
    assert sorted(names) == sorted(expected)  # every host exactly once
    assert len(outcome.path.read_bytes().splitlines()) == 50
    for record in records:
        assert record.target.name is not None
        assert record.capture.host_status.state in expected[record.target.name], record.target.name
        if record.capture.host_status.state == HostState.OK:
            # the diagnosis of the scanned capture is the diagnosis of the capture the host holds
            scanned = diagnose(record.capture)
            direct = diagnose(captures[record.target.name])
            assert [(f.id, f.status) for f in scanned.findings] == [(f.id, f.status) for f in direct.findings]
    assert outcome.summary.failed == len(FAULTS)
    report = build_fleet_report(outcome.path)
    assert report.unscanned == len(FAULTS)
    raw = outcome.path.read_text(encoding="utf-8")
    assert PASSWORD not in raw


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    builtin = load_lab_hosts()
    hosts = [
        LabHost(f"pc{i:02d}", builtin[i % len(builtin)].capture, Faults(latency_ms=40)) for i in range(24)
    ]
    results = tmp_path / "fleet.jsonl"
    env = dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD)
    rng = random.Random(1234)
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as lab:
        ports = ",".join(str(lab.port_of(h.name)) for h in hosts)
        command = [sys.executable, "-c", CHILD, str(results), ports]
        kills = 0
        for _ in range(4):
            # Kill at a random point after the run has made progress (a few more hosts written),
            # however fast this machine is, so each round really interrupts a scan in flight.
            target = records_written(results) + rng.randint(1, 4)
            child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
            give_up = time.monotonic() + 60
            while child.poll() is None and records_written(results) < target and time.monotonic() < give_up:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.05))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                kills += 1
            child.wait(timeout=30)
        final = subprocess.run(command, env=env, stderr=subprocess.PIPE, timeout=120)
        assert final.returncode == 0, final.stderr.decode(errors="replace")
    assert kills >= 2
    names = [r.target.name for r in iter_records(results)]
    assert sorted(names) == [f"pc{i:02d}" for i in range(24)]
    lines = [line for line in results.read_bytes().split(b"\n") if line]
    assert len(lines) == 24  # no duplicate and no leftover torn line
