"""WinRM's HTTP message encryption: the MIME framing around each sealed message, by slicing.

Over HTTP with NTLM or Kerberos, WinRM sends every SOAP message sealed (encrypted and signed by
the authentication's security context) inside a small ``multipart/encrypted`` body. pypsrp's
``WinRMEncryption`` frames it by concatenating the whole message three times and unframes a reply
with a regular-expression split, a substitution and a replace over the whole body; for the
~125,000-byte Command that carries the runner those copies cost more than the framing is worth.
:func:`seal` builds the very bytes ``WinRMEncryption.wrap_message`` builds, in one join;
:func:`unseal` takes a reply of the usual one-part layout apart by slicing and hands anything
else (several parts, an Exchange-style ``-- boundary``) to pypsrp's own ``unwrap_message``.
Both use the context's ``wrap_winrm`` / ``unwrap_winrm`` (pyspnego's public interface) as
pypsrp does.
"""

from __future__ import annotations

import struct
from typing import Any

from pypsrp.encryption import WinRMEncryption
from pypsrp.exceptions import WinRMError

_OCTET_STREAM = b"\tContent-Type: application/octet-stream\r\n"
_LENGTH = b"Length="


def seal(encryption: WinRMEncryption, message: bytes) -> tuple[str, bytes]:
    """``encryption.wrap_message(message)`` for SPNEGO/Kerberos sealing: (content type, body)."""
    if encryption.protocol == WinRMEncryption.CREDSSP:
        wrapped: tuple[str, bytes] = encryption.wrap_message(message)  # 16 KB chunks: pypsrp's way
        return wrapped
    header, data, padding = encryption.context.wrap_winrm(message)
    boundary = WinRMEncryption.MIME_BOUNDARY.encode("ascii")
    body = b"".join(
        (
            boundary,
            b"\r\n\tContent-Type: ",
            encryption.protocol.encode("ascii"),
            b"\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=",
            str(len(message) + padding).encode("ascii"),
            b"\r\n",
            boundary,
            b"\r\n",
            _OCTET_STREAM,
            struct.pack("<i", len(header)),
            header,
            data,
            boundary,
            b"--\r\n",
        )
    )
    return "multipart/encrypted", body


def _one_part(message: bytes, boundary: bytes) -> tuple[int, bytes, bytes] | None:
    """(expected length, header, sealed data) of a one-part reply, or None for any other layout."""
    opening = b"--" + boundary + b"\r\n"
    trailer = b"--" + boundary + b"--\r\n"
    if not message.startswith(opening) or not message.endswith(trailer):
        return None
    second = message.find(opening, len(opening))
    if second < 0:
        return None
    head = message[len(opening) : second]
    at = head.rfind(_LENGTH)
    if at < 0:
        return None
    try:
        expected = int(head[at + len(_LENGTH) :].strip())
    except ValueError:
        return None
    start = second + len(opening)
    if not message.startswith(_OCTET_STREAM, start):
        return None
    start += len(_OCTET_STREAM)
    end = len(message) - len(trailer)
    if end - start < 4 or message.find(opening, start, end) >= 0:
        return None  # too short for the header's length, or more parts follow
    (header_length,) = struct.unpack_from("<i", message, start)
    if not 0 <= header_length <= end - start - 4:
        return None
    header = message[start + 4 : start + 4 + header_length]
    return expected, header, message[start + 4 + header_length : end]


def unseal(encryption: WinRMEncryption, message: bytes, boundary: str) -> bytes:
    """``encryption.unwrap_message(message, boundary)``: the reply's SOAP message, decrypted."""
    part = _one_part(message, boundary.encode("ascii", "replace"))
    if part is None:
        content: bytes = encryption.unwrap_message(message, boundary)
        return content
    expected, header, data = part
    context: Any = encryption.context
    unwrapped: bytes = context.unwrap_winrm(header, data)
    if len(unwrapped) != expected:
        raise WinRMError(
            "The encrypted length from the server does not match the expected length, decryption "
            f"failed, actual: {len(unwrapped)} != expected: {expected}"
        )
    return unwrapped
