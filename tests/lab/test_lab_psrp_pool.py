"""The lab decodes each distinct SessionCapability, InitRunspacePool and CreatePipeline once and
still answers each host from its own capture; messages with a SecureString are decoded per pool as
psrpcore does, and what the lab sends is byte for byte what psrpcore's own server pool sends."""

from __future__ import annotations

import secrets

import pytest
from psrpcore import ServerRunspacePool
from psrpcore._payload import PSRPMessage
from psrpcore.types import PSRPMessageType

from msdiag.capture.models import CheckStatus, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.lab import LabHost, LabServer, load_lab_hosts, psrp_pool
from msdiag.lab.shells import LabShell


def test_lab_shells_use_the_sharing_pool() -> None:
    shell = LabShell("6A0D3C47-6A29-4C5E-9A4E-3F2B1D0C9E11", lambda _invocation: None)  # type: ignore[arg-type,return-value]
    assert isinstance(shell._pool, psrp_pool.LabRunspacePool)


def test_hosts_sharing_one_decoded_pipeline_answer_from_their_own_captures() -> None:
    builtin = load_lab_hosts()
    first, second = builtin[0], builtin[-1]
    assert first.capture.host != second.capture.host
    password = secrets.token_urlsafe(12)
    hosts = [LabHost("pc-a", first.capture), LabHost("pc-b", second.capture), LabHost("pc-c", first.capture)]
    psrp_pool._decoded.clear()
    with LabServer(hosts, transport="http", username="helpdesk", password=password) as lab:
        captures = []
        for host in hosts:
            target = RemoteTarget(
                host="127.0.0.1", port=lab.port_of(host.name), transport="http", auth="ntlm", timeout=30
            )
            captures.append(collect_remote(target, Credentials("helpdesk", password), CHECK_NAMES))
    decoded = sorted(key[0].name for key in psrp_pool._decoded.keys())
    # three hosts, one decoding of each message type pypsrp sends them
    assert decoded == ["CreatePipeline", "InitRunspacePool", "SessionCapability"]
    for capture, host in zip(captures, hosts, strict=True):
        assert capture.host_status.state is HostState.OK
        for name in CHECK_NAMES:
            expected = host.capture.checks[name]
            got = capture.checks[name]
            if expected.status is CheckStatus.OK:
                assert got.status is CheckStatus.OK and got.document == expected.document, name


def test_secure_strings_are_not_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    routed: list[int] = []

    def psrpcore_decoding(self: ServerRunspacePool, message: PSRPMessage) -> None:
        routed.append(len(message.data))  # psrpcore's own per-pool decoding would run here

    monkeypatch.setattr(ServerRunspacePool, "_process_message", psrpcore_decoding)
    pool = psrp_pool.LabRunspacePool()
    secret = bytearray(b"<Obj RefId='0'><SS N='pw'>" + b"A" * 20_000 + b"</SS></Obj>")
    for message_type in (PSRPMessageType.CreatePipeline, PSRPMessageType.InitRunspacePool):
        pool._process_message(PSRPMessage(message_type, secret, pool.runspace_pool_id, None, 0))
    assert routed == [len(secret), len(secret)]
    assert not any(b"<SS" in key[1] for key in psrp_pool._decoded.keys())
