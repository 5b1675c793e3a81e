"""The lab's WSMan replies have the structure of replies recorded from real Windows hosts.

Structure = element names with namespaces, attribute names, and the values that carry meaning
(stream names, command states, fault codes); ids, timestamps and base64 payloads are set aside.
The recordings live in ../shared/reference/wsman-recordings (not shipped with the project).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypsrp.exceptions import WinRMTransportError, WSManFaultError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from msdiag.lab import Faults, LabHost, LabServer, WsmanFaultSpec, load_lab_hosts

RECORDINGS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "wsman-recordings"
pytestmark = pytest.mark.skipif(
    not RECORDINGS.is_dir(),
    reason=f"WSMan recordings from Windows not found at {RECORDINGS} (they are not part of the project)",
)
USER, PASSWORD = "vagrant", "Rec0rdings!"
KEEP_ATTR_VALUES = {"Name", "State", "Code"}
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
SOAP = "http://www.w3.org/2003/05/soap-envelope"

Signature = frozenset[tuple[Any, ...]]


def signature(xml_text: str) -> Signature:
    root = ET.fromstring(xml_text)
    items: set[tuple[Any, ...]] = set()

    def walk(element: ET.Element, path: tuple[str, ...]) -> None:
        here = (*path, element.tag)
        attrs = tuple(sorted((k, v if k in KEEP_ATTR_VALUES else None) for k, v in element.attrib.items()))
        text = element.text.strip() if element.tag == f"{{{SOAP}}}Value" and element.text else None
        items.add((here, attrs, text))
        for child in element:
            walk(child, here)

    walk(root, ())
    return frozenset(items)


def _action(xml_text: str) -> str:
    root = ET.fromstring(xml_text)
    action = (
        root.findtext(f"{{{SOAP}}}Header/{{http://schemas.xmlsoap.org/ws/2004/08/addressing}}Action") or ""
    )
    return action.rsplit("/", 1)[-1]


def windows(file: str, action: str, *, nth: int = 0, fault: bool = False, contains: str = "") -> str:
    messages = yaml.safe_load((RECORDINGS / file).read_text(encoding="utf-8"))["messages"]
    matches = [
        m["response"]
        for m in messages
        if _action(m["request"]) == action
        and ("transport_error" in m) == fault
        and m.get("response")
        and contains in m["request"]
    ]
    return str(matches[nth])


class Recorder:
    """Keeps each (action, reply text) a real pypsrp WSMan exchanged with the lab."""

    def __init__(self, conn: WSMan) -> None:
        self.replies: list[tuple[str, str, bool]] = []
        original = conn.transport.send

        def send(message: bytes, **kwargs: Any) -> bytes:
            action = _action(message.decode("utf-8"))
            try:
                reply: bytes = original(message, **kwargs)
            except WinRMTransportError as exc:
                self.replies.append((action, exc.response_text, True))
                raise
            self.replies.append((action, reply.decode("utf-8"), False))
            return reply

        conn.transport.send = send  # type: ignore[method-assign]  # observe only: the real transport still does the work

    def reply(self, action: str, *, fault: bool = False, contains: str = "", nth: int = 0) -> str:
        return [text for a, text, f in self.replies if a == action and f == fault and contains in text][nth]


@pytest.fixture(scope="module")
def recorded() -> Iterator[Recorder]:
    capture = next(h for h in load_lab_hosts() if h.name == "healthy-ja-jp").capture
    hosts = [
        LabHost("win", capture),
        LabHost("envelope", capture, Faults(max_envelope_size_kb=150)),
        LabHost("quota", capture, Faults(wsman_fault=WsmanFaultSpec(code=0x803381A5, message="quota"))),
    ]
    with LabServer(hosts, username=USER, password=PASSWORD) as lab:
        conn = WSMan(
            "127.0.0.1",
            port=lab.port_of("win"),
            username=USER,
            password=PASSWORD,
            ssl=False,
            auth="ntlm",
            operation_timeout=1,
            read_timeout=3,
        )
        recorder = Recorder(conn)
        with conn, RunspacePool(conn) as pool:
            pool.exchange_keys()  # PublicKey goes up in a Send, EncryptedSessionKey comes back
            ps = PowerShell(pool)
            ps.add_script("runner").add_parameter("Checks", ["os"])
            ps.invoke()
            ps.close()  # Signal Terminate
            with pytest.raises(WSManFaultError):
                pool.shell.receive("stdout", timeout=1)  # nothing to send: operation timeout
            with pytest.raises(WSManFaultError):
                pool.shell.receive("stdout", command_id=str(uuid.uuid4()).upper())
        for name in ("envelope", "quota"):
            other = WSMan(
                "127.0.0.1",
                port=lab.port_of(name),
                username=USER,
                password=PASSWORD,
                ssl=False,
                auth="ntlm",
                operation_timeout=1,
                read_timeout=3,
            )
            other_recorder = Recorder(other)
            with other:
                if name == "envelope":
                    other.update_max_payload_size()
                else:
                    with pytest.raises(WSManFaultError), RunspacePool(other):
                        pass
            recorder.replies.extend(other_recorder.replies)
        yield recorder


@pytest.mark.parametrize(
    ("action", "file", "contains"),
    [
        ("Create", "test_psrp_open_runspace.yml", ""),
        ("Command", "test_psrp_run_protocol_version_2.3.yml", ""),
        ("Signal", "test_psrp_multiple_invocations.yml", ""),
        ("Delete", "test_psrp_open_runspace.yml", ""),
    ],
)
def test_reply_structure_matches_windows(recorded: Recorder, action: str, file: str, contains: str) -> None:
    assert signature(recorded.reply(action)) == signature(windows(file, action))


def test_send_reply_matches_windows(recorded: Recorder) -> None:
    expected = windows("test_psrp_run_protocol_version_2.3.yml", "Send")
    assert signature(recorded.reply("Send")) == signature(expected)


def test_receive_of_output_and_done_state_matches_windows(recorded: Recorder) -> None:
    lab = signature(recorded.reply("Receive", contains="CommandState"))
    win = signature(windows("test_psrp_run_protocol_version_2.3.yml", "Receive", contains="CommandId", nth=0))
    assert lab == win
    done = [item for item in lab if item[0][-1] == f"{{{SHELL}}}CommandState"]
    assert ("State", f"{SHELL}/CommandState/Done") in done[0][1]


def test_pool_level_receive_matches_windows(recorded: Recorder) -> None:
    assert signature(recorded.reply("Receive")) == signature(
        windows("test_psrp_open_runspace.yml", "Receive")
    )


def test_operation_timeout_fault_matches_windows(recorded: Recorder) -> None:
    lab = recorded.reply("Receive", fault=True, contains="2150858793")
    win = windows("test_psrp_long_running_cmdlet.yml", "Receive", fault=True)
    assert signature(lab) == signature(win)


def test_unknown_command_fault_matches_windows(recorded: Recorder) -> None:
    lab = recorded.reply("Receive", fault=True, contains="2150858843")
    win = windows("test_psrp_receive_failure.yml", "Receive", fault=True)
    assert signature(lab) == signature(win)


def test_config_get_has_windows_shape_and_the_hosts_envelope_size(recorded: Recorder) -> None:
    lab_text = recorded.reply("Get")
    lab, win = signature(lab_text), signature(windows("test_wsman_update_envelope_size_150.yml", "Get"))
    assert lab <= win  # the lab answers a subset of the config, every element where Windows has it
    assert "<cfg:MaxEnvelopeSizekb>150</cfg:MaxEnvelopeSizekb>" in lab_text


def test_create_fault_has_the_windows_fault_layout(recorded: Recorder) -> None:
    lab = signature(recorded.reply("Create", fault=True))
    win = signature(windows("test_psrp_long_running_cmdlet.yml", "Receive", fault=True))

    def shape(sig: Signature) -> set[tuple[Any, ...]]:  # fault codes differ by design
        return {(path, tuple(k for k, _ in attrs)) for path, attrs, _text in sig}

    assert shape(lab) == shape(win)
    codes = [attrs for path, attrs, _ in lab if path[-1].endswith("}WSManFault")]
    assert ("Code", str(0x803381A5)) in codes[0]
