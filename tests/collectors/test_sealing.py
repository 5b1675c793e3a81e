"""WinRM message encryption framing (msdiag/collectors/remote/sealing.py): pypsrp's bytes, by slicing.

A real NTLM client and server (pyspnego, both ends on this machine) seal and unseal across msdiag's
framing and pypsrp's ``WinRMEncryption`` in both directions; odd layouts go to pypsrp's parser.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
import spnego
from pypsrp.encryption import WinRMEncryption
from pypsrp.exceptions import WinRMError

from msdiag.collectors.remote.sealing import seal, unseal

MESSAGE = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    + "ログオン _x000A_ ".encode() * 2000
    + b"</s:Body></s:Envelope>"
)
BOUNDARY = "Encrypted Boundary"


def _ntlm_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    users = tmp_path / "ntlm-users"
    users.write_text("LAB:helpdesk:Se4ling-Test!\n", encoding="utf-8")
    monkeypatch.setenv("NTLM_USER_FILE", str(users))  # the acceptor's account list
    client = spnego.client("LAB\\helpdesk", "Se4ling-Test!", hostname="pc01", service="WSMAN", protocol="ntlm")
    server = spnego.server(protocol="ntlm")
    token = client.step()
    while not client.complete:
        token = client.step(server.step(token))
    server.step(token)
    assert server.complete
    return client, server


class Reversing:
    """A stand-in security context whose "sealing" is reversing the bytes (deterministic)."""

    def wrap_winrm(self, data: bytes) -> tuple[bytes, bytes, int]:
        return b"S" * 16, data[::-1], 0

    def unwrap_winrm(self, header: bytes, data: bytes) -> bytes:
        assert header == b"S" * 16
        return data[::-1]


def test_sealed_body_is_byte_for_byte_what_pypsrp_builds() -> None:
    encryption = WinRMEncryption(Reversing(), WinRMEncryption.SPNEGO)
    assert seal(encryption, MESSAGE) == encryption.wrap_message(MESSAGE)


def test_messages_sealed_by_either_side_open_on_the_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, server = _ntlm_pair(tmp_path, monkeypatch)
    ours = WinRMEncryption(client, WinRMEncryption.SPNEGO)
    theirs = WinRMEncryption(server, WinRMEncryption.SPNEGO)
    _type, body = seal(ours, MESSAGE)
    assert theirs.unwrap_message(body, BOUNDARY) == MESSAGE
    for _ in range(3):  # the sequence numbers move on with every message
        _type, reply = theirs.wrap_message(MESSAGE[::-1])
        assert unseal(ours, reply, BOUNDARY) == MESSAGE[::-1]


def test_a_tampered_reply_fails_to_unseal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, server = _ntlm_pair(tmp_path, monkeypatch)
    _type, reply = WinRMEncryption(server, WinRMEncryption.SPNEGO).wrap_message(MESSAGE)
    at = reply.index(b"application/octet-stream\r\n") + 40
    tampered = reply[:at] + bytes([reply[at] ^ 1]) + reply[at + 1 :]
    with pytest.raises(spnego.exceptions.SpnegoError):
        unseal(WinRMEncryption(client, WinRMEncryption.SPNEGO), tampered, BOUNDARY)


def test_a_wrong_original_length_is_refused_like_pypsrp_does() -> None:
    encryption = WinRMEncryption(Reversing(), WinRMEncryption.SPNEGO)
    _type, body = encryption.wrap_message(MESSAGE)
    lying = body.replace(f"Length={len(MESSAGE)}".encode(), f"Length={len(MESSAGE) + 1}".encode())
    with pytest.raises(WinRMError, match="does not match the expected length"):
        unseal(encryption, lying, BOUNDARY)


def test_other_layouts_are_read_by_pypsrp() -> None:
    encryption = WinRMEncryption(Reversing(), WinRMEncryption.SPNEGO)
    _type, body = encryption.wrap_message(MESSAGE)
    # Exchange writes "-- Encrypted Boundary"; two parts in one body
    exchange = body.replace(b"--Encrypted Boundary\r\n", b"-- Encrypted Boundary\r\n")
    assert unseal(encryption, exchange, BOUNDARY) == MESSAGE
    first, second = encryption.wrap_message(b"<a/>")[1], encryption.wrap_message(b"<b/>")[1]
    two_parts = first[: -len(b"--Encrypted Boundary--\r\n")] + second
    assert unseal(encryption, two_parts, BOUNDARY) == b"<a/><b/>"


def test_a_header_length_past_the_body_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, server = _ntlm_pair(tmp_path, monkeypatch)
    _type, body = WinRMEncryption(server, WinRMEncryption.SPNEGO).wrap_message(MESSAGE)
    at = body.index(b"application/octet-stream\r\n") + len(b"application/octet-stream\r\n")
    huge = body[:at] + struct.pack("<i", 1 << 30) + body[at + 4 :]
    with pytest.raises((WinRMError, spnego.exceptions.SpnegoError)):
        unseal(WinRMEncryption(client, WinRMEncryption.SPNEGO), huge, BOUNDARY)
