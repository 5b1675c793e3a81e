"""Per-host CPU savings for pypsrp's decoding of what a host sends, with pypsrp's very results.

Every host of a fleet answers with the same handful of PSRP messages besides its output: its
SessionCapability, ApplicationPrivateData (the PSVersionTable), RunspacePoolState "Opened" and
PipelineState "Completed", identical bytes for hosts of one PowerShell version. pypsrp turns each
into objects through ElementTree and its generic CLIXML deserializer for every host (about a
third of its decoding time); :func:`share_message_decoding` remembers the decoded object by the
message's exact text instead, so the next host with the same bytes gets it at once. The output
itself is the runner's JSON lines, each a plain ``<S>...</S>`` string: those skip the XML parser
when the text has nothing XML would change (no ``<``, ``&``, carriage return or character XML
refuses), and CLIXML's ``_xHHHH_`` unescaping is skipped for strings that cannot contain one.

The hooks are instance attributes on the pool's serializer (``RunspacePool._serializer``, as
:mod:`~msdiag.collectors.remote.psrp_tuning` does for escaping): no pypsrp class is changed.
Remembered objects are shared between hosts and threads and must not be changed (pypsrp and
msdiag only read them); a message with a SecureString (``<SS>``, decrypted with the pool's own
session key) or longer than ``MEMO_MAX_CHARS`` is never remembered, and at most
``DECODED_KEPT`` messages are kept. tests/collectors/test_remote_psrp_decoding.py checks the
results equal pypsrp's own for every message a lab scan receives and for hostile strings.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from pypsrp.complex_objects import ObjectMeta
from pypsrp.messages import (
    ApplicationPrivateData,
    PipelineState,
    RunspaceAvailability,
    RunspacePoolInitData,
    RunspacePoolStateMessage,
    SessionCapability,
)
from pypsrp.powershell import RunspacePool

#: The message kinds that are the same for many hosts (state and capability messages).
SHARED_KINDS = (
    SessionCapability,
    ApplicationPrivateData,
    RunspacePoolStateMessage,
    PipelineState,
    RunspaceAvailability,
    RunspacePoolInitData,
)
MEMO_MAX_CHARS = 32 * 1024
DECODED_KEPT = 64

# A plain string whose element text XML passes on unchanged: no markup, no entity, no carriage
# return (XML turns it into a line feed), no character XML 1.0 refuses (pypsrp would then return
# the raw text instead of a string).
_PLAIN_STRING = re.compile(r"<S>([^<&\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]*)</S>")

_decoded: OrderedDict[Hashable, Any] = OrderedDict()
_decoded_lock = threading.Lock()


def _remembered(key: Hashable, decode: Callable[[], Any]) -> Any:
    with _decoded_lock:
        value = _decoded.get(key)
        if value is not None:
            _decoded.move_to_end(key)
            return value
    value = decode()
    with _decoded_lock:
        _decoded[key] = value
        while len(_decoded) > DECODED_KEPT:
            _decoded.popitem(last=False)
    return value


def unescape_clixml_string(original: Callable[[str | None], str]) -> Callable[[str | None], str]:
    """pypsrp's ``_deserialize_string``, skipped for strings it would return unchanged.

    pypsrp searches the UTF-16-BE bytes for ``_xHHHH_``; without ``_x`` in the text there is no
    match, and without U+5F00 there is none at an odd byte offset either (its bytes are ``_``
    then ``\\0``)."""

    def unescape(value: str | None) -> str:
        if value is None:
            return ""
        if "_x" not in value and "\u5f00" not in value:
            return value
        return original(value)

    return unescape


def share_message_decoding(pool: RunspacePool) -> None:
    """Make ``pool`` decode repeated state messages once and plain output strings directly."""
    serializer = pool._serializer
    deserialize: Callable[..., Any] = serializer.deserialize
    unescape = unescape_clixml_string(serializer._deserialize_string)

    def decode(element: Any, metadata: Any = None, clear: bool = True) -> Any:
        if isinstance(element, str) and clear:
            if metadata is None:
                plain = _PLAIN_STRING.fullmatch(element)
                if plain is not None and "]]>" not in element:
                    return unescape(plain.group(1) or None)
            elif (
                type(metadata) is ObjectMeta
                and metadata.object in SHARED_KINDS
                and len(element) <= MEMO_MAX_CHARS
                and "<SS" not in element
            ):
                key = (metadata.object, metadata.tag, metadata.name, metadata.optional, element)
                return _remembered(key, lambda: deserialize(element, metadata, clear))
        return deserialize(element, metadata, clear)

    # Serializer looks these up on the instance for every message and string
    serializer.deserialize = decode  # type: ignore[method-assign]
    serializer._deserialize_string = unescape  # type: ignore[method-assign,assignment]
