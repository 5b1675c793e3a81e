"""Template envelopes (msdiag/collectors/remote/wsman_envelope.py) are pypsrp's bytes, request by request.

Every request of a lab scan is written by the template and by pypsrp's own ``WSMan.invoke`` (its
bytes caught before they leave) with the same message id, and the two must be identical; so must
odd values (markup in names, line breaks in attributes, a namespace pypsrp does not know).
"""

from __future__ import annotations

import copy
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from pypsrp.wsman import WSMan

from msdiag.capture.models import HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.collectors.remote.wsman_envelope import TemplateWSMan, WSManRequest
from msdiag.lab import LabHost, LabServer, load_lab_hosts

USER, PASSWORD = "LAB\\helpdesk", "Envel0pe-Test!"
MESSAGE_ID = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"


class _Caught(Exception):
    pass


def _pypsrp_bytes(wsman: WSMan, call: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch) -> bytes:
    """What pypsrp's own invoke sends for ``call`` with MESSAGE_ID (caught before the network)."""
    sent: list[bytes] = []

    def catch(xml: bytes, **_kwargs: Any) -> bytes:
        sent.append(xml)
        raise _Caught()

    monkeypatch.setattr(wsman.transport, "send", catch)
    with monkeypatch.context() as patch:
        patch.setattr("pypsrp.wsman.uuid.uuid4", lambda: uuid.UUID(MESSAGE_ID))
        with pytest.raises(_Caught):
            WSMan.invoke(wsman, *call)
    return sent[0]


def _template(**kwargs: Any) -> TemplateWSMan:
    return TemplateWSMan("pc01.corp.example.com", port=5985, username=USER, password=PASSWORD, ssl=False,
                         auth="ntlm", **kwargs)


def test_every_request_of_a_scan_is_the_bytes_pypsrp_would_send(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    invoke = TemplateWSMan.invoke

    def recording(self: TemplateWSMan, action: str, resource_uri: str, resource: Any, option_set: Any = None,
                  selector_set: Any = None, timeout: Any = None, **kwargs: Any) -> Any:
        calls.append((action, resource_uri, copy.deepcopy(resource), option_set, selector_set, timeout))
        return invoke(self, action, resource_uri, resource, option_set, selector_set, timeout, **kwargs)

    monkeypatch.setattr(TemplateWSMan, "invoke", recording)
    capture = {h.name: h for h in load_lab_hosts()}["healthy-ja-jp"].capture
    with LabServer([LabHost("pc1", capture)], transport="http", username=USER, password=PASSWORD) as lab:
        target = RemoteTarget(host="127.0.0.1", port=lab.port_of("pc1"), transport="http", auth="ntlm")
        result = collect_remote(target, Credentials(USER, PASSWORD), CHECK_NAMES)
    assert result.host_status.state is HostState.OK, result.host_status
    actions = [call[0].rsplit("/", 1)[-1] for call in calls]
    assert actions == ["Create", "Receive", "Command", "Receive", "Delete"]
    wsman = _template(operation_timeout=7, max_envelope_size=150_000)
    for call in calls:
        assert wsman.envelope(WSManRequest(*call), MESSAGE_ID) == _pypsrp_bytes(wsman, call, monkeypatch)


def test_odd_values_are_escaped_as_elementtree_escapes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    wsman = _template(locale="ja-JP", data_locale="ja-JP")
    body = ET.Element("{http://schemas.microsoft.com/wbem/wsman/1/windows/shell}Send")
    stream = ET.SubElement(body, "{http://schemas.microsoft.com/wbem/wsman/1/windows/shell}Stream",
                           Name='std"in\t<1>', CommandId="a\r\nb&c")
    stream.text = "<&>\"' 日本語 \udc80"
    ET.SubElement(body, "creationXml", xmlns="http://schemas.microsoft.com/powershell").text = ""
    call = ("http://x/Send?a=1&b=<2>", "http://schemas.microsoft.com/powershell/Microsoft.PowerShell", body,
            None, None, 3)
    assert wsman.envelope(WSManRequest(*call), MESSAGE_ID) == _pypsrp_bytes(wsman, call, monkeypatch)


def test_what_the_template_does_not_know_is_serialized_by_elementtree(monkeypatch: pytest.MonkeyPatch) -> None:
    wsman = _template()
    body = ET.Element("{urn:example:not-registered}Thing")
    ET.SubElement(body, "{http://schemas.microsoft.com/wbem/wsman/1/windows/shell}Child").tail = "tail"
    call = ("http://x/Get", "http://x/resource", body, None, None, None)
    assert wsman.envelope(WSManRequest(*call), MESSAGE_ID) == _pypsrp_bytes(wsman, call, monkeypatch)


@pytest.mark.parametrize("size", [150_000, 153_600, 512_000])
def test_payload_sizes_are_pypsrps_before_and_after_the_pool_raises_them(size: int) -> None:
    for _ in range(2):  # computed, then remembered
        ours, theirs = _template(max_envelope_size=size), WSMan("pc01.corp.example.com", port=5985, username=USER,
                                                                password=PASSWORD, ssl=False, auth="ntlm",
                                                                max_envelope_size=size)
        assert ours.max_payload_size == theirs.max_payload_size
        ours.update_max_payload_size(512_000)
        theirs.update_max_payload_size(512_000)
        assert ours.max_payload_size == theirs.max_payload_size


def test_payload_sizes_follow_the_length_of_the_hosts_address() -> None:
    for host in ("pc1", "pc01.corp.example.com", "pc01.corp.example.com", "a-much-longer-host-name.corp.example.co.jp"):
        ours = TemplateWSMan(host, port=5985, username=USER, password=PASSWORD, ssl=False, auth="ntlm")
        theirs = WSMan(host, port=5985, username=USER, password=PASSWORD, ssl=False, auth="ntlm")
        assert ours.max_payload_size == theirs.max_payload_size
