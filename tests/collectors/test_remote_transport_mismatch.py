"""The wrong transport for the listener is diagnosed as such, fast, with which one to use.

HTTPS sent to WinRM's HTTP listener, and plain HTTP sent to its HTTPS listener, both look like
network faults to a client ("did not answer ... firewall", "dropped ... proxy or IDS"). The lab
serves each transport on real sockets; the HTTP lab answers a TLS ClientHello with 400 at once, as
HTTP.sys does (a client then reports OpenSSL's "wrong version number").
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.remote_faults import bounded, lab_capture

from msdiag.capture.models import Capture, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.lab import LabHost, LabServer

USER = "LAB\\helpdesk"
PASSWORD = "Wr0ng-Transport!"
CREDS = Credentials(USER, PASSWORD)
TIMEOUT = 20.0
FAST_S = 5.0  # a mismatch is known after a round trip or two, long before the deadline


@pytest.fixture(scope="module")
def labs() -> Iterator[dict[str, LabServer]]:
    """One lab host over each transport: listener transport -> lab."""
    hosts = [LabHost("pc1", lab_capture())]
    with (
        LabServer(hosts, transport="http", username=USER, password=PASSWORD) as http,
        LabServer(hosts, transport="https", username=USER, password=PASSWORD) as https,
    ):
        yield {"http": http, "https": https}


def _scan(lab: LabServer, transport: str, **kwargs: Any) -> tuple[Capture, float]:
    target = RemoteTarget(
        host="127.0.0.1", port=lab.port_of("pc1"), transport=transport, auth="ntlm", timeout=TIMEOUT, **kwargs
    )
    return bounded(lambda: collect_remote(target, CREDS, CHECK_NAMES), TIMEOUT + 5)


@pytest.mark.parametrize(
    ("listener", "used", "says", "not_said"),
    [
        ("http", "https", "answers plain HTTP, not HTTPS", "firewall"),
        ("https", "http", "speaks HTTPS (TLS), not plain HTTP", "proxy or IDS"),
    ],
)
def test_the_wrong_transport_says_what_the_listener_speaks_and_to_use_it(
    labs: dict[str, LabServer], listener: str, used: str, says: str, not_said: str
) -> None:
    capture, elapsed = _scan(labs[listener], used)
    status = capture.host_status
    assert status.state is HostState.TLS, status
    assert says in (status.detail or "")
    assert f"--transport {listener} " in (status.hint or "")
    assert not_said not in f"{status.detail} {status.hint}"
    assert elapsed < FAST_S
    assert labs[listener].host_stats("pc1").auth_failures == 0  # the probe sent no credentials


def test_the_right_transport_still_works_on_both(labs: dict[str, LabServer]) -> None:
    capture, _ = _scan(labs["http"], "http")
    assert capture.host_status.state is HostState.OK
    capture, _ = _scan(labs["https"], "https", ca_bundle=Path(str(labs["https"].ca_file)))
    assert capture.host_status.state is HostState.OK


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never sends a byte (a hung service, or a listener that
    waits for a request line that a TLS ClientHello never completes)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()
    for conn in held:
        conn.close()


def test_an_unanswered_tls_handshake_is_not_called_a_firewall(silent_port: int) -> None:
    target = RemoteTarget(host="127.0.0.1", port=silent_port, auth="ntlm", timeout=3)
    capture, elapsed = bounded(lambda: collect_remote(target, CREDS, CHECK_NAMES), 8)
    status = capture.host_status
    assert status.state is HostState.TLS, status
    assert "accepted the connection but did not answer the TLS handshake" in (status.detail or "")
    assert "--transport http" in (status.hint or "")
    assert elapsed < 3 + 2
