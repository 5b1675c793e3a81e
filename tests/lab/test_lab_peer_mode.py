"""A lab host with ``unrecognised_output`` answers other tools' pipelines (Ansible's psrp
connection runs ``<command>\\nexit $LASTEXITCODE`` as a script) with that line, and msdiag's runner
and the one-check scripts exactly as before."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from pypsrp.client import Client
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from msdiag.capture.models import CheckStatus, HostState
from msdiag.checks import CHECK_NAMES, script_text
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts

PASSWORD = secrets.token_urlsafe(12)
MODULE_RESULT = '{"changed": false, "msg": "lab"}'


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    capture = next(h for h in load_lab_hosts() if h.name == "healthy-ja-jp").capture
    hosts = [
        LabHost("peer", capture, Faults(unrecognised_output=MODULE_RESULT)),
        LabHost("plain", capture),
    ]
    with LabServer(hosts, username="helpdesk", password=PASSWORD) as server:
        yield server


def _ansible_like(lab: LabServer, host: str) -> list[object]:
    """What ansible-core's psrp connection does for ``raw: hostname``."""
    wsman = WSMan(
        "127.0.0.1", port=lab.port_of(host), username="helpdesk", password=PASSWORD, ssl=False, auth="ntlm"
    )
    with wsman, RunspacePool(wsman) as pool:
        ps = PowerShell(pool)
        ps.add_script("hostname\nexit $LASTEXITCODE", use_local_scope=True)
        ps.invoke()
        assert not ps.had_errors
        return list(ps.output)


def test_unrecognised_pipelines_get_the_configured_line(lab: LabServer) -> None:
    assert _ansible_like(lab, "peer") == [MODULE_RESULT]
    assert _ansible_like(lab, "plain") == []  # without the option: no output, as before


def test_msdiag_and_one_check_scripts_are_answered_as_before(lab: LabServer) -> None:
    target = RemoteTarget(
        host="127.0.0.1", port=lab.port_of("peer"), transport="http", auth="ntlm", timeout=30
    )
    capture = collect_remote(target, Credentials("helpdesk", PASSWORD), CHECK_NAMES)
    assert capture.host_status.state is HostState.OK
    assert all(capture.checks[name].status is CheckStatus.OK for name in ("os", "identity"))
    client = Client(
        "127.0.0.1", port=lab.port_of("peer"), username="helpdesk", password=PASSWORD, ssl=False, auth="ntlm"
    )
    output, _streams, had_errors = client.execute_ps(script_text("services"))
    assert not had_errors and output.lstrip().startswith("{") and MODULE_RESULT not in output


def test_a_fault_still_wins_over_the_configured_line() -> None:
    capture = load_lab_hosts()[0].capture
    broken = LabHost("broken", capture, Faults(unrecognised_output=MODULE_RESULT, script_error="boom"))
    with LabServer([broken], username="helpdesk", password=PASSWORD) as server:
        wsman = WSMan(
            "127.0.0.1",
            port=server.port_of("broken"),
            username="helpdesk",
            password=PASSWORD,
            ssl=False,
            auth="ntlm",
        )
        with wsman, RunspacePool(wsman) as pool:
            ps = PowerShell(pool)
            ps.add_script("hostname")
            ps.invoke()
            assert ps.had_errors and ps.output == []


def test_the_option_comes_from_a_faults_file() -> None:
    faults = Faults.model_validate({"unrecognised_output": MODULE_RESULT, "latency_ms": 100})
    assert faults.unrecognised_output == MODULE_RESULT
    with pytest.raises(ValueError):
        Faults.model_validate({"unrecognised_output": "x" * 70_000})
