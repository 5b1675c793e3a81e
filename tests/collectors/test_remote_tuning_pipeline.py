"""The CreatePipeline and pool-opening messages serialized once per scan, and NTLM hashes computed once per password,
send exactly what pypsrp/pyspnego would (no mocks of pypsrp: its own objects, stopped before the
network, and a real NTLM exchange with the lab)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from pypsrp.complex_objects import HostInfo
from pypsrp.host import PSHost
from pypsrp.messages import InitRunspacePool
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1

from msdiag.capture.models import HostState
from msdiag.checks import CHECK_NAMES, DEFAULT_ENDPOINT_HOSTS
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote, psrp_tuning
from msdiag.collectors.runner_script import (
    SOURCES_PARAMETER,
    cached_runner,
    cached_sources,
    runner_parameters,
)
from msdiag.lab import LabHost, LabServer, load_lab_hosts

POOL_ID = "6a0d3c47-6a29-4c5e-9a4e-3f2b1d0c9e11".upper()
PIPELINE_ID = "0f4b8e2a-1c3d-4e5f-8a9b-7c6d5e4f3a21".upper()


class _Stop(Exception):
    """Raised instead of sending the Command: the fragments were captured."""


def _unsent_pipeline() -> tuple[PowerShell, list[bytes]]:
    """A pypsrp PowerShell whose begin_invoke captures its CreatePipeline fragments and stops."""
    wsman = WSMan("pc01.corp.example.com", port=5985, username="u", password="p", ssl=False, auth="ntlm")
    pool = RunspacePool(wsman)
    psrp_tuning.share_string_escaping(pool)
    pool.id = POOL_ID
    pool.protocol_version = "2.3"  # what an opened pool learns from Windows PowerShell 5.1
    ps = PowerShell(pool)
    ps.id = PIPELINE_ID
    captured: list[bytes] = []
    fragment = pool._fragmenter.fragment

    def capture(*args: Any, **kwargs: Any) -> list[bytes]:
        fragments: list[bytes] = fragment(*args, **kwargs)
        captured.extend(fragments)
        return list(fragments)

    def stop(*_args: Any, **_kwargs: Any) -> None:
        raise _Stop()

    pool._fragmenter.fragment = capture  # type: ignore[method-assign]
    pool.shell.command = stop  # type: ignore[method-assign]
    return ps, captured


def _pypsrp_fragments(script: str, parameters: dict[str, Any]) -> list[bytes]:
    ps, captured = _unsent_pipeline()
    ps.add_script(script)
    for name, value in parameters.items():
        ps.add_parameter(name, value)
    with pytest.raises(_Stop):
        ps.begin_invoke()
    return captured


def _shared_fragments(script: str, parameters: dict[str, Any]) -> tuple[list[bytes], PowerShell]:
    ps, captured = _unsent_pipeline()
    with pytest.raises(_Stop):
        psrp_tuning.invoke_shared_pipeline(ps, script, parameters)
    return captured, ps


def test_shared_pipeline_bytes_equal_pypsrps_on_first_and_later_hosts() -> None:
    script = cached_runner(CHECK_NAMES)
    parameters = runner_parameters(list(CHECK_NAMES), list(DEFAULT_ENDPOINT_HOSTS), 3000)
    parameters[SOURCES_PARAMETER] = cached_sources(CHECK_NAMES)  # as session.run_exchange sends it
    expected = _pypsrp_fragments(script, parameters)
    # the runner and every check script travel in these fragments (~92,000 bytes without comments)
    assert len(b"".join(expected)) > 80_000
    first, ps = _shared_fragments(script, parameters)
    later, _ = _shared_fragments(script, parameters)
    assert first == expected
    assert later == expected
    # the hook is gone once the pipeline is created: later messages use pypsrp's serializer
    assert "serialize" not in vars(ps.runspace_pool._serializer)


def test_a_different_endpoint_list_or_script_is_not_served_from_the_cache() -> None:
    script = cached_runner(CHECK_NAMES)
    tokyo = runner_parameters(list(CHECK_NAMES), ["login.microsoftonline.com", "sts.example.co.jp"], 3000)
    osaka = runner_parameters(list(CHECK_NAMES), ["login.live.com"], 5000)
    _shared_fragments(script, tokyo)
    shared, _ = _shared_fragments(script, osaka)
    assert shared == _pypsrp_fragments(script, osaka)
    edited = script + "\n# 変更されたスクリプト\n"
    shared, _ = _shared_fragments(edited, osaka)
    assert shared == _pypsrp_fragments(edited, osaka)


def test_unusual_parameter_values_fall_back_to_pypsrp() -> None:
    ps, _ = _unsent_pipeline()
    assert psrp_tuning.pipeline_key(ps, "Write-Output 1", {"Data": {"a": 1}}) is None  # type: ignore[dict-item]
    assert psrp_tuning.pipeline_key(ps, "Write-Output 1", {"Checks": ["os"], "N": 3}) is not None


def test_ntlm_hashes_equal_pyspnegos_and_are_not_kept_by_password_text() -> None:
    for password in ("S3cr3t-Pa55!", "パスワード123", "x" * 64):
        assert psrp_tuning.lmowfv1_once(password) == lmowfv1(password)
        assert psrp_tuning.ntowfv1_once(password) == ntowfv1(password)
    closure = psrp_tuning.ntowfv1_once.__closure__ or ()
    kept = next(c.cell_contents for c in closure if isinstance(c.cell_contents, dict))
    assert kept and all(isinstance(k, bytes) and len(k) == 32 for k in kept)  # SHA-256 digests only
    assert len(kept) <= psrp_tuning.NTLM_HASHES_KEPT


def test_scans_with_the_shared_hashes_authenticate_and_wrong_passwords_still_fail() -> None:
    password = secrets.token_urlsafe(12)
    capture = next(iter(load_lab_hosts())).capture
    hosts = [LabHost("pc-ntlm-1", capture), LabHost("pc-ntlm-2", capture)]
    with LabServer(hosts, transport="http", username="LAB\\helpdesk", password=password) as lab:
        for host in hosts:
            target = RemoteTarget(
                host="127.0.0.1", port=lab.port_of(host.name), transport="http", auth="ntlm", timeout=30
            )
            ok = collect_remote(target, Credentials("LAB\\helpdesk", password), CHECK_NAMES)
            assert ok.host_status.state is HostState.OK
            wrong = collect_remote(target, Credentials("LAB\\helpdesk", password + "x"), CHECK_NAMES)
            assert wrong.host_status.state is HostState.AUTH_FAILED
        assert lab.stats.open_shells == 0


def _opening_fragments(shared: bool, **pool_options: Any) -> list[bytes]:
    """What a pool's open() sends in its Create (SessionCapability + InitRunspacePool), caught."""
    wsman = WSMan("pc01.corp.example.com", port=5985, username="u", password="p", ssl=False, auth="ntlm")
    pool = RunspacePool(wsman, **pool_options)
    pool.id = POOL_ID
    captured: list[bytes] = []

    def stop(_options: Any, content: Any) -> None:
        captured.append(content.text.encode())  # the creationXml: the fragments, base64
        raise _Stop()

    pool.shell.open = stop  # type: ignore[method-assign]
    with pytest.raises(_Stop):
        psrp_tuning.open_shared_pool(pool) if shared else pool.open()
    return captured


def test_opening_messages_are_pypsrps_bytes_on_first_and_later_hosts() -> None:
    expected = _opening_fragments(shared=False)
    assert _opening_fragments(shared=True) == expected  # serialized, remembered
    assert _opening_fragments(shared=True) == expected  # served from memory
    other = _opening_fragments(shared=False, max_runspaces=2)
    assert other != expected and _opening_fragments(shared=True, max_runspaces=2) == other


def test_a_pool_with_a_host_ui_is_serialized_as_usual() -> None:
    host = PSHost(None, None, False, "msdiag", None, None, "1.0")
    assert psrp_tuning.opening_key(InitRunspacePool(1, 1, None, None, HostInfo(host=host))) is None
    assert _opening_fragments(shared=True, host=host) == _opening_fragments(shared=False, host=host)
