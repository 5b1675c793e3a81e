"""A lab split over several processes serves every host with real NTLM and encryption, reports
its CPU time, keeps each host's faults, and leaves no process behind."""

from __future__ import annotations

import os
import secrets

import pytest

from msdiag.capture.models import CheckStatus, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.lab import Faults, LabHost, LabProcesses, load_lab_hosts


def test_hosts_in_two_processes_answer_from_their_own_captures() -> None:
    builtin = load_lab_hosts()
    password = secrets.token_urlsafe(12)
    hosts = [LabHost(f"pc{i}", builtin[i % len(builtin)].capture) for i in range(3)]
    hosts.append(LabHost("pc-locked", builtin[0].capture, Faults(wrong_credentials=True)))
    lab = LabProcesses(hosts, processes=2, username="helpdesk", password=password)
    with lab:
        children = [process for process, _conn in lab._children]
        assert lab.processes == 2 and len({p.pid for p in children}) == 2
        ports = {e.name: e.port for e in lab.endpoints()}
        assert len(set(ports.values())) == 4
        cpu_before = lab.cpu_seconds()
        captures = {}
        for host in hosts:
            target = RemoteTarget(
                host="127.0.0.1", port=ports[host.name], transport="http", auth="ntlm", timeout=30
            )
            captures[host.name] = collect_remote(target, Credentials("helpdesk", password), CHECK_NAMES)
        assert lab.cpu_seconds() > cpu_before
        stats = lab.stats
        assert stats.commands == 3 and stats.auth_failures >= 1 and stats.open_shells == 0
    assert not any(p.is_alive() for p in children)
    assert captures["pc-locked"].host_status.state is HostState.AUTH_FAILED
    for host in hosts[:3]:
        capture = captures[host.name]
        assert capture.host_status.state is HostState.OK
        for name in CHECK_NAMES:
            if host.capture.checks[name].status is CheckStatus.OK:
                assert capture.checks[name].document == host.capture.checks[name].document


def test_a_process_that_cannot_start_is_reported() -> None:
    host = LabHost("pc0", load_lab_hosts()[0].capture)
    with pytest.raises(RuntimeError, match="did not start"):
        LabProcesses(
            [host, LabHost("bad name!", host.capture)], processes=2, username="u", password="p"
        ).start()


@pytest.mark.parametrize(
    ("processes", "transport", "message"),
    [(0, "http", "at least one process"), (1, "https", "http only")],
)
def test_bad_lab_process_options_are_refused(processes: int, transport: str, message: str) -> None:
    host = LabHost("pc0", load_lab_hosts()[0].capture)
    with pytest.raises(ValueError, match=message):
        LabProcesses([host], processes=processes, username="u", password="p", transport=transport)  # type: ignore[arg-type]


def test_lab_processes_run_on_the_cpus_given() -> None:
    host = LabHost("pc0", load_lab_hosts()[0].capture)
    with LabProcesses([host], processes=1, username="u", password="p", cpus=[0]) as lab:
        (process, _conn) = lab._children[0]
        assert os.sched_getaffinity(process.pid) == {0}
