"""psrpcore's server runspace pool, minus the per-host work that is the same for every host.

A fleet scan sends every lab host the same SessionCapability, InitRunspacePool and CreatePipeline
messages (the last one carries the ~140,000-character runner script), and the lab answers every
host with the same SessionCapability, ApplicationPrivateData and state messages. psrpcore decodes
and encodes each of them in pure Python for every pool, on the lab's single event-loop thread,
which in the benchmark shares the machine's cores with the scanning client. Here:

* an incoming message of those three types is decoded once per distinct bytes (and peer
  serialization capability) and the decoded object is shared, as is the ``PowerShell`` psrpcore
  makes of a CreatePipeline: psrpcore and the lab only read them;
* an outgoing SessionCapability, ApplicationPrivateData or error-free state message is encoded
  once per distinct content, and a plain-string PipelineOutput is written as ``<S>text</S>``
  directly (psrpcore's own string escaping, without building an element tree).

The PSRP message around each payload (its runspace pool and pipeline ids, fragment object id) is
still made per pool by psrpcore, so the bytes on the wire are exactly psrpcore's.
tests/lab/test_lab_psrp_pool.py checks that byte for byte.

Messages holding a SecureString (``<SS>``) are never shared: their plaintext depends on the
session key of the runspace pool that received them. ``_process_message``, ``prepare_message``'s
internals (``create_message``, ``_fragment_counter``, ``_send_buffer``) and ``_serialize_string``
are psrpcore internal API; psrpcore is pinned below 0.4 in pyproject.toml.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from psrpcore import CreatePipelineEvent, PSRPCoreError, PSRPEvent, ServerRunspacePool, StreamType
from psrpcore._payload import PSRPMessage, create_message
from psrpcore.types import (
    ApplicationPrivateData,
    PipelineState,
    PSRPMessageType,
    RunspacePoolStateMsg,
    SessionCapability,
    deserialize,
    serialize,
)
from psrpcore.types import _serializer as psrpcore_serializer

from msdiag.lab.memo import Memo

#: Incoming message types whose decoded form is shared between pools.
SHARED_TYPES = frozenset(
    {PSRPMessageType.SessionCapability, PSRPMessageType.InitRunspacePool, PSRPMessageType.CreatePipeline}
)
#: Distinct decoded messages kept (a few per client kind: msdiag's runner, one-check scripts, ...).
SHARED_MESSAGES = 32
#: Distinct encoded replies kept (capability, private data, a handful of states).
ENCODED_REPLIES = 32


_decoded = Memo(SHARED_MESSAGES)
_encoded = Memo(ENCODED_REPLIES)


def _capability_key(capability: Any) -> tuple[str, ...]:
    names = ("PSVersion", "protocolversion", "SerializationVersion")
    return tuple(str(getattr(capability, name, None)) for name in names)


def _string_output(value: str) -> bytes:
    """What ``ElementTree.tostring(serialize(value))`` gives for a plain str."""
    text = psrpcore_serializer._serialize_string(value)
    return b"<S>" + escape(text).encode("utf-8") + b"</S>" if text else b"<S />"


def _reply_key(message: Any) -> Hashable | None:
    """A key naming everything an outgoing reply's CLIXML depends on (None: encode it as usual)."""
    kind = type(message)
    if kind in (PipelineState, RunspacePoolStateMsg):
        if getattr(message, "ExceptionAsErrorRecord", None) is not None:
            return None  # an error record: encoded per message
        state = message.PipelineState if kind is PipelineState else message.RunspaceState
        return (kind.__name__, int(state))
    if kind is SessionCapability:
        return (kind.__name__, *_capability_key(message))
    if kind is ApplicationPrivateData:
        return (kind.__name__, repr(message.ApplicationPrivateData))
    return None


class _Decoded:
    """A shared decoded message, and the pipeline psrpcore makes of it (a CreatePipeline's)."""

    __slots__ = ("pipeline", "ps_object")

    def __init__(self, ps_object: Any) -> None:
        self.ps_object = ps_object
        self.pipeline: Any = None


class LabRunspacePool(ServerRunspacePool):
    """A ServerRunspacePool that decodes and encodes each distinct common message once."""

    _capability: tuple[Any, tuple[str, ...]] | None = None

    def _their_capability_key(self) -> tuple[str, ...]:
        # PSObject attribute reads are slow in psrpcore: key the peer's capability once per object
        if self._capability is None or self._capability[0] is not self.their_capability:
            self._capability = (self.their_capability, _capability_key(self.their_capability))
        return self._capability[1]

    def _process_message(self, message: PSRPMessage) -> PSRPEvent[Any, Any]:
        if message.message_type not in SHARED_TYPES:
            return super()._process_message(message)
        data = bytes(message.data)
        key = (message.message_type, data, self._their_capability_key())
        shared: _Decoded | None = _decoded.get(key)
        if shared is None:
            if b"<SS" in data:  # (a shared message has none: look only when decoding)
                return super()._process_message(message)
            shared = _Decoded(
                deserialize(
                    ElementTree.fromstring(data),
                    cipher=self._cipher,
                    our_capability=self.our_capability,
                    their_capability=self.their_capability,
                )
            )
            _decoded.put(key, shared)
        event = PSRPEvent.create(
            message.message_type, shared.ps_object, message.runspace_pool_id, message.pipeline_id
        )
        if isinstance(event, CreatePipelineEvent):
            self._create_pipeline(event, shared)
        else:
            getattr(self, f"_process_{message.message_type.name}")(event)
        return event

    def _create_pipeline(self, event: CreatePipelineEvent, shared: _Decoded) -> None:
        """psrpcore's _process_CreatePipeline with the PowerShell made once per shared message (the
        lab only reads it)."""
        pipe = self.pipeline_table.get(event.pipeline_id)
        if pipe is None:
            raise PSRPCoreError(f"Failed to find pipeline for incoming event {event.pipeline_id!s}")
        if shared.pipeline is None:
            shared.pipeline = event.pipeline
        pipe.metadata = shared.pipeline

    def prepare_message(
        self,
        message: Any,
        message_type: PSRPMessageType | None = None,
        pipeline_id: uuid.UUID | None = None,
        stream_type: StreamType = StreamType.default,
    ) -> None:
        if type(message) is str and message_type == PSRPMessageType.PipelineOutput:
            self._queue(message_type, _string_output(message), pipeline_id, stream_type)
            return
        key = _reply_key(message)
        if key is None:
            super().prepare_message(message, message_type, pipeline_id, stream_type)
            return
        key = (key, self._their_capability_key())
        data = _encoded.get(key)
        if data is None:
            element = serialize(
                message,
                self._cipher,
                our_capability=self.our_capability,
                their_capability=self.their_capability,
            )
            data = ElementTree.tostring(element, encoding="utf-8", method="xml")
            _encoded.put(key, data)
        kind = message_type or PSRPMessageType.get_message_id(type(message))
        self._queue(kind, data, pipeline_id, stream_type)

    def _queue(
        self,
        message_type: PSRPMessageType,
        data: bytes,
        pipeline_id: uuid.UUID | None,
        stream_type: StreamType,
    ) -> None:
        """The end of psrpcore's prepare_message: the PSRP message around ``data``, into the send buffer."""
        raw = create_message(self._is_client, message_type, data, self.runspace_pool_id, pipeline_id)
        object_id = self._fragment_counter
        self._send_buffer.append(
            PSRPMessage(
                message_type, bytearray(raw), self.runspace_pool_id, pipeline_id, object_id, stream_type
            )
        )
