"""No leaked shells: the lab counts them after every way out of a remote scan.

Normal end, an error after the shell exists, the deadline (a hung pipeline, a slow host whose
Create reply comes too late), Ctrl-C in the middle of a request, a host that never answers Signal,
and a host that never answers Delete (the one case msdiag cannot close, and must say so, in time).
The signals of the real CLI are in tests/cli/test_scan_interrupts.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from support.remote_faults import bounded, lab_capture, within_bound

from msdiag.capture.models import HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.collectors.remote.cleanup import CleanupInterrupted
from msdiag.lab import Faults, LabHost, LabServer
from msdiag.lab.misbehaviour import Misbehaviour

USER = "LAB\\helpdesk"
PASSWORD = "Cl0se-the-shell!"
CREDS = Credentials(USER, PASSWORD)

FAULTS = {
    "healthy": Faults(),
    "small-envelope": Faults(max_envelope_size_kb=32),  # the Command fails after the Create
    "slow": Faults(latency_ms=400),
}
MISBEHAVIOUR = {
    "hung-pipeline": Misbehaviour(stall=frozenset({"Receive"})),
    "ignores-signal": Misbehaviour(stall=frozenset({"Receive", "Signal"})),
    "hangs-on-delete": Misbehaviour(stall=frozenset({"Receive", "Delete"})),
}


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    hosts = [LabHost(name, lab_capture(), faults) for name, faults in FAULTS.items()]
    hosts += [LabHost(name, lab_capture()) for name in MISBEHAVIOUR]
    with LabServer(
        hosts, transport="http", username=USER, password=PASSWORD, misbehaviour=MISBEHAVIOUR
    ) as server:
        yield server


def _scan(lab: LabServer, name: str, timeout: float) -> tuple[Any, float]:
    target = RemoteTarget(
        host="127.0.0.1", port=lab.port_of(name), transport="http", auth="ntlm", timeout=timeout
    )
    return bounded(lambda: collect_remote(target, CREDS, CHECK_NAMES), within_bound(timeout))


def _open_shells(lab: LabServer, name: str) -> int:
    return lab.host_stats(name).open_shells


@pytest.mark.parametrize(
    ("name", "timeout", "state"),
    [
        ("healthy", 20, HostState.OK),
        ("small-envelope", 20, HostState.WINRM_FAULT),
        ("hung-pipeline", 2, HostState.TIMEOUT),
        ("ignores-signal", 2, HostState.TIMEOUT),
        # the deadline passes while the Create's reply is on its way: the host has the shell
        ("slow", 1, HostState.TIMEOUT),
    ],
)
def test_every_way_out_closes_the_shell(lab: LabServer, name: str, timeout: float, state: HostState) -> None:
    before = lab.host_stats(name).shells_created
    capture, _elapsed = _scan(lab, name, timeout)
    assert capture.host_status.state is state, capture.host_status
    assert lab.host_stats(name).shells_created > before  # there was a shell to close
    assert _open_shells(lab, name) == 0
    assert not any("may still be open" in w for w in capture.warnings)


def test_a_host_that_never_answers_delete_costs_the_cleanup_budget_and_the_capture_says_so(
    lab: LabServer,
) -> None:
    before = _open_shells(lab, "hangs-on-delete")
    capture, elapsed = _scan(lab, "hangs-on-delete", 2)
    assert capture.host_status.state is HostState.TIMEOUT
    assert elapsed < within_bound(2)
    assert _open_shells(lab, "hangs-on-delete") == before + 1  # nothing could close it
    left = [w for w in capture.warnings if "may still be open" in w]
    assert left and "MaxShellsPerUser" in left[0] and "127.0.0.1" in left[0]


def _interrupt_after(seconds: float, sent: list[float] | None = None) -> threading.Timer:
    def interrupt() -> None:
        if sent is not None:
            sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(seconds, interrupt)
    timer.start()
    return timer


@pytest.mark.parametrize(
    ("name", "at"),
    [
        ("hung-pipeline", 1.0),  # waiting for a Receive the host never answers
        ("slow", 1.0),  # waiting for the Create's reply (the host has made the shell already)
    ],
)
def test_ctrl_c_in_the_middle_of_a_request_closes_the_shell_on_a_fresh_connection(
    lab: LabServer, name: str, at: float
) -> None:
    target = RemoteTarget(host="127.0.0.1", port=lab.port_of(name), transport="http", auth="ntlm", timeout=60)
    connections = lab.host_stats(name).connections
    _interrupt_after(at)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        collect_remote(target, CREDS, CHECK_NAMES)
    assert time.monotonic() - started < at + within_bound(0)
    assert _open_shells(lab, name) == 0
    assert lab.host_stats(name).connections == connections + 2  # the scan's, and the cleanup's


def test_a_second_ctrl_c_skips_the_cleanup_at_once_and_names_the_host(lab: LabServer) -> None:
    target = RemoteTarget(
        host="127.0.0.1", port=lab.port_of("hangs-on-delete"), transport="http", auth="ntlm", timeout=60
    )
    before = _open_shells(lab, "hangs-on-delete")
    sent: list[float] = []
    _interrupt_after(1.0)  # in the hung Receive
    _interrupt_after(2.0, sent)  # in the Delete the host never answers
    with pytest.raises(CleanupInterrupted) as info:
        collect_remote(target, CREDS, CHECK_NAMES)
    assert time.monotonic() - sent[0] < 0.5
    assert info.value.address == target.address
    assert _open_shells(lab, "hangs-on-delete") == before + 1


ABANDON_SCRIPT = """
import json, sys, threading, time
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.collectors.remote.watchdog import abandon_exchanges
from msdiag.lab import LabHost, LabServer, load_lab_hosts
from msdiag.lab.misbehaviour import Misbehaviour

capture = {h.name: h for h in load_lab_hosts()}["healthy-ja-jp"].capture
stall = Misbehaviour(stall=frozenset({"Receive"}))
hosts = [LabHost(f"pc{i}", capture) for i in range(3)]
with LabServer(hosts, username="u", password="p", misbehaviour={h.name: stall for h in hosts}) as lab:
    results = {}
    def scan(name):
        target = RemoteTarget("127.0.0.1", port=lab.port_of(name), transport="http", auth="ntlm", timeout=60)
        results[name] = collect_remote(target, Credentials("u", "p"), CHECK_NAMES)
    threads = [threading.Thread(target=scan, args=(h.name,)) for h in hosts]
    for thread in threads:
        thread.start()
    while lab.stats.commands < len(hosts):
        time.sleep(0.02)
    started = time.monotonic()
    abandoned = abandon_exchanges()
    for thread in threads:
        thread.join(10)
    print(json.dumps({
        "abandoned": abandoned,
        "seconds": time.monotonic() - started,
        "states": sorted(c.host_status.state.value for c in results.values()),
        "details": [c.host_status.detail for c in results.values()],
        "left_open": [any("may still be open" in w for w in c.warnings) for c in results.values()],
        "open_shells": lab.stats.open_shells,
    }))
"""


def test_abandoning_the_exchanges_ends_every_scan_at_once_and_says_the_shells_may_be_left() -> None:
    # in a process of its own: abandoning is for good (a second Ctrl-C in a fleet)
    proc = subprocess.run(
        [sys.executable, "-c", ABANDON_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["abandoned"] == 3 and result["seconds"] < 1.0
    assert result["states"] == ["timeout"] * 3
    assert all("second interrupt" in detail for detail in result["details"])
    assert result["left_open"] == [True] * 3 and result["open_shells"] == 3
