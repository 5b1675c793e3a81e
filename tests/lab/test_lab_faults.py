"""Each lab fault, as the real pypsrp client observes it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pypsrp.exceptions import AuthenticationError, WSManFaultError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from msdiag.lab import Faults, LabHost, LabServer, WsmanFaultSpec, load_lab_hosts

USER = "helpdesk"
PASSWORD = "F4ult-Lab-pw"
QUOTA = 0x803381A5

FAULTS = {
    "wrong-credentials": Faults(wrong_credentials=True),
    "refused": Faults(refuse_connection=True),
    "hung": Faults(hang=True),
    "slow": Faults(latency_ms=150),
    "quota": Faults(
        wsman_fault=WsmanFaultSpec(
            code=QUOTA,
            message="The WS-Management service cannot process the request. This user is allowed a maximum "
            "number of 5 concurrent shells, which has been exceeded.",
        )
    ),
    "script-error": Faults(script_error="アクセスが拒否されました。 (Access is denied.)"),
    "malformed": Faults(malformed_output=True),
    "drop": Faults(drop_mid_receive=True),
    "small-envelope": Faults(max_envelope_size_kb=150),
    "healthy": Faults(),
}


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    capture = next(h for h in load_lab_hosts() if h.name == "healthy-ja-jp").capture
    with LabServer(
        [LabHost(n, capture, f) for n, f in FAULTS.items()], username=USER, password=PASSWORD
    ) as server:
        yield server


def wsman(lab: LabServer, name: str, **kwargs: Any) -> WSMan:
    options: dict[str, Any] = dict(
        username=USER,
        password=PASSWORD,
        ssl=False,
        auth="ntlm",
        operation_timeout=1,
        read_timeout=2,
        connection_timeout=2,
    )
    options.update(kwargs)
    return WSMan("127.0.0.1", port=lab.port_of(name), **options)


def run(lab: LabServer, name: str, script: str = "runner", **kwargs: Any) -> PowerShell:
    with wsman(lab, name, **kwargs) as conn, RunspacePool(conn) as pool:
        ps = PowerShell(pool)
        ps.add_script(script).add_parameter("Checks", ["os", "locale"])
        ps.invoke()
    return ps


def test_wrong_credentials_rejects_even_the_right_password(lab: LabServer) -> None:
    with pytest.raises(AuthenticationError):
        run(lab, "wrong-credentials")
    assert lab.host_stats("wrong-credentials").shells_created == 0


def test_refused_connection(lab: LabServer) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        run(lab, "refused")


def test_hang_is_a_read_timeout_within_the_clients_read_timeout(lab: LabServer) -> None:
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        run(lab, "hung", read_timeout=0.5)
    assert time.monotonic() - started < 3
    assert lab.host_stats("hung").connections >= 1  # accepted, never answered


def test_latency_is_added_per_round_trip_without_blocking_other_hosts(lab: LabServer) -> None:
    started = time.monotonic()
    run(lab, "healthy")
    fast = time.monotonic() - started
    requests_before = lab.host_stats("slow").requests
    started = time.monotonic()
    ps = run(lab, "slow")
    slow = time.monotonic() - started
    round_trips = lab.host_stats("slow").requests - requests_before
    assert not ps.had_errors and len(ps.output) == 4
    assert slow >= round_trips * 0.15
    assert fast < slow


def test_wsman_fault_on_create_carries_code_and_message(lab: LabServer) -> None:
    with pytest.raises(WSManFaultError) as info:
        run(lab, "quota")
    assert info.value.code == QUOTA
    assert "concurrent shells" in (info.value.reason or "")


def test_script_error_fails_the_pipeline_with_an_error_record(lab: LabServer) -> None:
    ps = run(lab, "script-error")
    assert ps.had_errors
    assert ps.output == []
    assert "アクセスが拒否されました" in str(ps.streams.error[0])
    assert lab.host_stats("script-error").open_shells == 0


def test_malformed_output_is_not_json_but_the_runner_lines_are(lab: LabServer) -> None:
    ps = run(lab, "malformed")
    assert json.loads(ps.output[0])["msdiag_runner"] == "start"
    assert json.loads(ps.output[-1])["msdiag_runner"] == "end"
    for line in ps.output[1:-1]:
        assert line.startswith('{"check":')
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)


def test_connection_dropped_mid_receive_is_a_connection_error(lab: LabServer) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        run(lab, "drop")


def test_small_max_envelope_is_reported_and_large_requests_fault(lab: LabServer) -> None:
    conn = wsman(lab, "small-envelope")
    conn.update_max_payload_size()  # the config Get
    assert conn.max_envelope_size == 150 * 1024
    conn.close()
    # pypsrp raises its envelope to 512000 after the pool opens; a 200 kB script then exceeds 150 kB
    with pytest.raises(WSManFaultError) as info:
        run(lab, "small-envelope", script="#" + "x" * 200_000)
    assert info.value.code == 2150859025
    # small requests still work
    assert len(run(lab, "small-envelope").output) == 4
