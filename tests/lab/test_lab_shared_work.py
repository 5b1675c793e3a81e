"""What the lab works out once for many hosts gives exactly what working it out per host gives:
the same PSRP bytes as psrpcore's own server pool, and each host's own answer."""

from __future__ import annotations

import secrets
import uuid
from unittest.mock import ANY

import pytest
from psrpcore import (
    ClientPowerShell,
    ClientRunspacePool,
    CreatePipelineEvent,
    PSRPPayload,
    ServerPipeline,
    ServerRunspacePool,
    StreamType,
)
from psrpcore.types import ErrorCategoryInfo, ErrorRecord, NETException, PSInvocationState

from msdiag.capture.models import HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts, psrp_pool, soap

#: Output lines that exercise every escaping rule: XML specials, control characters, CLIXML's own
#: _xHHHH_ escapes (which must themselves be escaped), surrogate pairs, and the empty string.
HOSTILE_LINES = [
    '{"msdiag_runner":"start","host":"PC<01>&\\"x\\""}',
    "tab\there\r\nline _x000A_ _X0041_ \x00\x01\x1f\x7f",
    "日本語 😀 \ud83d\ude00 e\u0301",
    "",
    "plain",
]


def _drain(pool: ServerRunspacePool) -> list[bytes]:
    sent = []
    while (payload := pool.data_to_send()) is not None:
        sent.append(payload.data)
    return sent


def _one_host(pool: ServerRunspacePool, reference: ServerRunspacePool) -> tuple[list[bytes], list[bytes]]:
    """One client session fed to both pools: everything each pool sends, in order."""
    client = ClientRunspacePool()
    client.open()
    opening = client.data_to_send()
    assert opening is not None
    for server in (pool, reference):
        server.receive_data(PSRPPayload(opening.data, StreamType.default, None))
        while server.next_event() is not None:
            pass
    ours, theirs = _drain(pool), _drain(reference)
    for data in theirs:  # the client goes on with psrpcore's answers
        client.receive_data(PSRPPayload(data, StreamType.default, None))
        while client.next_event() is not None:
            pass
    ps = ClientPowerShell(client)
    ps.add_script("Write-Output 'x' # " + "a long script line\n" * 2000)
    ps.add_parameter("Checks", "identity,proxy")
    ps.start()
    create = client.data_to_send()
    assert create is not None
    for server in (pool, reference):
        pipe = ServerPipeline(server, ps.pipeline_id)
        server.receive_data(PSRPPayload(create.data, StreamType.default, ps.pipeline_id))
        assert isinstance(server.next_event(), CreatePipelineEvent)
        assert pipe.metadata is not None and pipe.metadata.commands[0].parameters == [
            ("Checks", "identity,proxy")
        ]
        pipe.start()
        for line in HOSTILE_LINES:
            pipe.write_output(line)
        pipe.complete()
    return ours + _drain(pool), theirs + _drain(reference)


def test_lab_pool_sends_psrpcores_bytes_first_host_and_later_hosts() -> None:
    psrp_pool._decoded.clear()
    psrp_pool._encoded.clear()
    for _host in range(3):  # later hosts are served from the shared decodings and encodings
        ours, theirs = _one_host(psrp_pool.LabRunspacePool(), ServerRunspacePool())
        assert len(theirs) >= 2
        assert ours == theirs
    assert len(psrp_pool._decoded) == 3
    assert len(psrp_pool._encoded) >= 4  # capability, private data, pool and pipeline states


def test_error_states_and_non_string_output_are_encoded_per_message() -> None:
    pool = psrp_pool.LabRunspacePool()
    record = ErrorRecord(
        Exception=NETException(Message="boom"),
        CategoryInfo=ErrorCategoryInfo(),
        FullyQualifiedErrorId="boom",
    )
    psrp_pool._encoded.clear()
    pipe = ServerPipeline(pool, uuid.uuid4())
    pipe.start()
    pipe.write_output(42)
    pipe._change_state(PSInvocationState.Failed, record)
    assert psrp_pool._encoded.keys() == [(("PipelineState", int(PSInvocationState.Running)), ANY)]


def test_hosts_sharing_a_capture_keep_their_own_faults() -> None:
    capture = load_lab_hosts()[0].capture
    password = secrets.token_urlsafe(12)
    hosts = [
        LabHost("pc-ok", capture),
        LabHost("pc-broken", capture, Faults(script_error="The term 'Get-CimInstance' is not recognized.")),
        LabHost("pc-ok2", capture),
    ]
    with LabServer(hosts, transport="http", username="helpdesk", password=password) as lab:
        states = []
        for host in hosts:
            target = RemoteTarget(
                host="127.0.0.1", port=lab.port_of(host.name), transport="http", auth="ntlm", timeout=30
            )
            states.append(
                collect_remote(target, Credentials("helpdesk", password), CHECK_NAMES).host_status.state
            )
    assert states[0] is HostState.OK and states[2] is HostState.OK
    assert states[1] is not HostState.OK


@pytest.mark.parametrize(
    "envelope",
    [
        b'<!DOCTYPE s [<!ENTITY a "b">]><s:Envelope/>',
        b'<?xml version="1.0"?>\n<!-- a comment --> <!DOCTYPE s><s:Envelope/>',
        b'\xef\xbb\xbf<!DOCTYPE s SYSTEM "file:///etc/passwd"><s:Envelope/>',
    ],
)
def test_envelopes_with_a_dtd_are_refused(envelope: bytes) -> None:
    with pytest.raises(soap.BadRequest, match="DTD"):
        soap.parse_request(envelope)


def test_a_dtd_after_the_root_element_is_no_xml_at_all() -> None:
    with pytest.raises(soap.BadRequest, match="not XML"):
        soap.parse_request(b"<s:Envelope xmlns:s='urn:x'><!DOCTYPE s><!ENTITY a 'b'></s:Envelope>")


def test_an_answer_that_depends_on_piped_input_is_never_shared() -> None:
    # Ansible's module wrapper sends the module as pipeline input: two different modules on the
    # same pipeline text must not get one cached answer
    from msdiag.lab.responder import Invocation
    from msdiag.lab.wsman import _invocation_key

    commands: list[tuple[str, bool, list[tuple[str | None, object]]]] = [("& $bootstrap", True, [])]
    assert _invocation_key(Invocation(commands=commands, input=("module A",))) is None
    assert _invocation_key(Invocation(commands=commands, input=())) is not None
