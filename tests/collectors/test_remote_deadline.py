"""The per-host deadline is hard: whatever a host sends, a scan ends by --timeout plus the cleanup budget.

Real pypsrp client, real sockets: lab hosts that trickle their replies one byte at a time (in the
head, in the body), over both transports (msdiag's lean http.client one for NTLM/Negotiate, and
pypsrp's requests one, here with Basic over HTTPS), and a hung host whose status must say how long
msdiag really waited.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from support.remote_faults import bounded, lab_capture, within_bound

from msdiag.capture.models import CheckStatus, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, classify_failure, collect_remote
from msdiag.lab import Faults, LabHost, LabServer
from msdiag.lab.misbehaviour import HANDSHAKE, Misbehaviour

USER = "LAB\\helpdesk"
PASSWORD = "Tr1ckle-Lab-pw!"
CREDS = Credentials(USER, PASSWORD)
TRICKLE_S = 0.5  # one byte every half second: each byte would restart a socket timeout

MISBEHAVIOUR = {
    "trickle-head": Misbehaviour(trickle_head=frozenset({HANDSHAKE}), trickle_s=TRICKLE_S),
    "trickle-body": Misbehaviour(trickle_body=frozenset({"Receive"}), trickle_s=TRICKLE_S),
}


@pytest.fixture(scope="module")
def http_lab() -> Iterator[LabServer]:
    hosts = [LabHost(name, lab_capture()) for name in MISBEHAVIOUR]
    hosts.append(LabHost("hang", lab_capture(), Faults(hang=True)))
    with LabServer(
        hosts, transport="http", username=USER, password=PASSWORD, misbehaviour=MISBEHAVIOUR
    ) as server:
        yield server


@pytest.fixture(scope="module")
def https_lab() -> Iterator[LabServer]:
    hosts = [LabHost(name, lab_capture()) for name in MISBEHAVIOUR]
    with LabServer(
        hosts, transport="https", username=USER, password=PASSWORD, misbehaviour=MISBEHAVIOUR
    ) as server:
        yield server


def _scan(server: LabServer, name: str, timeout: float, **kwargs: Any) -> tuple[Any, float]:
    target = RemoteTarget(host="127.0.0.1", port=server.port_of(name), timeout=timeout, **kwargs)
    return bounded(lambda: collect_remote(target, CREDS, CHECK_NAMES), within_bound(timeout))


@pytest.mark.parametrize("name", ["trickle-head", "trickle-body"])
def test_a_trickling_host_is_cut_at_the_deadline_on_the_lean_transport(
    http_lab: LabServer, name: str
) -> None:
    capture, elapsed = _scan(http_lab, name, 3, transport="http", auth="ntlm")
    assert capture.host_status.state is HostState.TIMEOUT, capture.host_status
    assert "(--timeout 3)" in (capture.host_status.detail or "")
    assert elapsed >= 2.9  # it waited for the host as long as it was allowed to, not longer
    assert all(r.status is not CheckStatus.OK for r in capture.checks.values())
    # the Receive replies trickled, not the Delete's: the shell was closed on a fresh connection
    assert http_lab.host_stats(name).open_shells == 0


def test_a_trickling_host_is_cut_at_the_deadline_on_pypsrps_transport(https_lab: LabServer) -> None:
    # Basic authentication keeps pypsrp's requests transport (the lean one does NTLM/Negotiate only)
    capture, _elapsed = _scan(
        https_lab, "trickle-body", 3, auth="basic", ca_bundle=Path(str(https_lab.ca_file))
    )
    assert capture.host_status.state is HostState.TIMEOUT, capture.host_status
    assert https_lab.host_stats("trickle-body").open_shells == 0


def test_a_hung_host_is_waited_for_until_the_deadline_and_the_status_says_so(http_lab: LabServer) -> None:
    # 16 s: beyond the 15 s HTTP read timeout msdiag used to give up at while saying "within 16 s"
    capture, elapsed = _scan(http_lab, "hang", 16, transport="http", auth="ntlm")
    assert capture.host_status.state is HostState.TIMEOUT
    assert elapsed >= 15.9
    assert "gave up after 16 s (--timeout 16)" in (capture.host_status.detail or "")


def test_a_request_left_unanswered_before_the_deadline_is_not_called_the_deadline() -> None:
    # a Receive gets an HTTP timeout of its WSMan operation timeout plus 2 s; past that, with time left
    target = RemoteTarget(host="pc01.corp.example.com", timeout=60)
    status = classify_failure(
        requests.exceptions.ReadTimeout("read timed out"), target, CREDS, "running the checks", elapsed=12.0
    )
    assert status.state is HostState.TIMEOUT
    assert "stopped answering (running the checks)" in (status.detail or "")
    assert "gave up after 12 s (--timeout 60 allowed more)" in (status.detail or "")
