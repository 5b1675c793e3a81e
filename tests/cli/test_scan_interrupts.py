"""`msdiag scan --host` leaves no shell open on any way out: a real subprocess, real signals, the lab.

The lab counts the shells it holds. Each way out of a scan (it ends, it fails after the shell
exists, the deadline passes, SIGINT / SIGTERM / SIGHUP arrive while it waits for the host) must
leave none. A second interrupt skips the cleanup at once and says which shell may be left.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.remote_faults import lab_capture, start_msdiag, within_bound

from msdiag.lab import Faults, LabHost, LabServer
from msdiag.lab.misbehaviour import Misbehaviour

USER = "labadmin"
PASSWORD = "Int3rrupt-Lab-pass"
MISBEHAVIOUR = {
    "hung-pipeline": Misbehaviour(stall=frozenset({"Receive"})),
    "hangs-on-delete": Misbehaviour(stall=frozenset({"Receive", "Delete"})),
}


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    hosts = [
        LabHost("healthy", lab_capture()),
        LabHost("small-envelope", lab_capture(), Faults(max_envelope_size_kb=32)),
        *(LabHost(name, lab_capture()) for name in MISBEHAVIOUR),
    ]
    with LabServer(
        hosts, transport="http", username=USER, password=PASSWORD, misbehaviour=MISBEHAVIOUR
    ) as server:
        yield server


def _start(lab: LabServer, name: str, tmp_path: Path, timeout: int = 60) -> subprocess.Popen[str]:
    url = f"http://127.0.0.1:{lab.port_of(name)}/wsman"  # the URL the lab prints
    args = ("scan", "--host", url, "--auth", "ntlm", "--timeout", str(timeout), "--format", "json")
    return start_msdiag(*args, cwd=tmp_path, user=USER, password=PASSWORD)


def _wait_for(condition: Callable[[], bool], what: str, limit: float = 30) -> None:
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, f"the scan never got to {what}"
        time.sleep(0.02)


def _pipeline_started(lab: LabServer, name: str) -> Callable[[], bool]:
    commands = lab.host_stats(name).commands
    return lambda: lab.host_stats(name).commands > commands


@pytest.mark.parametrize(
    ("name", "timeout", "codes"),
    [
        ("healthy", 60, (0, 1)),  # normal end: a report (0 or 1 by its findings)
        ("small-envelope", 60, (3,)),  # a WSMan fault after the shell was made
        ("hung-pipeline", 3, (3,)),  # the deadline
    ],
)
def test_a_scan_that_ends_by_itself_leaves_no_shell(
    lab: LabServer, tmp_path: Path, name: str, timeout: int, codes: tuple[int, ...]
) -> None:
    created, open_before = lab.host_stats(name).shells_created, lab.host_stats(name).open_shells
    proc = _start(lab, name, tmp_path, timeout)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode in codes, err
    assert lab.host_stats(name).shells_created == created + 1
    assert lab.host_stats(name).open_shells == open_before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_an_interrupt_while_waiting_for_the_host_closes_the_shell_first(
    lab: LabServer, tmp_path: Path, signum: int
) -> None:
    open_before = lab.host_stats("hung-pipeline").open_shells
    started = _pipeline_started(lab, "hung-pipeline")
    proc = _start(lab, "hung-pipeline", tmp_path)
    _wait_for(started, "the checks")
    assert lab.host_stats("hung-pipeline").open_shells == open_before + 1
    sent = time.monotonic()
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < within_bound(0)
    assert proc.returncode == 130, err
    assert "closing the session with 127.0.0.1:" in err
    assert "Traceback" not in err
    assert lab.host_stats("hung-pipeline").open_shells == open_before


def test_a_second_interrupt_exits_at_once_and_says_the_shell_may_be_left(
    lab: LabServer, tmp_path: Path
) -> None:
    name = "hangs-on-delete"
    open_before = lab.host_stats(name).open_shells
    started = _pipeline_started(lab, name)
    proc = _start(lab, name, tmp_path)
    _wait_for(started, "the checks")
    connections = lab.host_stats(name).connections
    proc.send_signal(signal.SIGINT)
    _wait_for(lambda: lab.host_stats(name).connections > connections, "the cleanup's connection")
    time.sleep(0.5)  # the Delete is on its way; the host will never answer it
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 1.5  # process exit included
    assert proc.returncode == 130
    assert "cleanup skipped: the remote shell on 127.0.0.1:" in err and "may be left open" in err
    assert lab.host_stats(name).open_shells == open_before + 1


def test_a_fleets_second_interrupt_ends_the_running_hosts_at_once(lab: LabServer, tmp_path: Path) -> None:
    # two hosts whose pipelines never answer: the first interrupt waits for them (the fleet's way),
    # the second must not wait for their deadlines
    name = "hung-pipeline"
    inventory = tmp_path / "hosts.txt"
    url = f"http://127.0.0.1:{lab.port_of(name)}/wsman"
    inventory.write_text(f"{url}\n127.0.0.1:{lab.port_of('hangs-on-delete')}\n", encoding="utf-8")
    commands = lab.stats.commands
    args = ("scan", "--inventory", str(inventory), "--transport", "http", "--auth", "ntlm", "--timeout", "60")
    proc = start_msdiag(*args, "--results", "fleet.jsonl", cwd=tmp_path, user=USER, password=PASSWORD)
    _wait_for(lambda: lab.stats.commands >= commands + 2, "the checks of both hosts")
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 1.5
    assert proc.returncode == 4, err
    assert "cut 2 host scan(s) short" in err and "may be left open" in err


def test_sigterm_ends_a_local_scan_like_ctrl_c_and_stops_powershell(tmp_path: Path) -> None:
    # this machine has no PowerShell: a stand-in that says where it is and then hangs
    pid_file = tmp_path / "pwsh.pid"
    stand_in = tmp_path / "pwsh"
    stand_in.write_text(
        f"#!{sys.executable}\nimport os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)\n",
        encoding="utf-8",
    )
    stand_in.chmod(0o755)
    proc = start_msdiag("scan", "--powershell", str(stand_in), cwd=tmp_path, user=USER, password=PASSWORD)
    _wait_for(lambda: pid_file.exists() and pid_file.read_text() != "", "PowerShell")
    child = int(pid_file.read_text())
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    _wait_for(lambda: not Path(f"/proc/{child}").exists(), "the end of PowerShell", limit=5)
