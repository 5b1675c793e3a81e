"""psrpcore's server runspace pool, decoding each distinct large CreatePipeline message once.

A fleet scan sends every lab host the same CreatePipeline message: the ~140,000-character runner
script, its parameters and the host info, ~600 CLIXML elements that psrpcore turns into PSObjects
in pure Python (~6 ms of CPU per host on the lab's single event-loop thread, which shares the
machine's cores with the scanning client in the benchmark). The decoded object only depends on
the message bytes and the peer's serialization capability, and the lab only reads it (psrpcore
builds a fresh ``PowerShell`` from it for each pipeline), so one decoded object is shared.

Messages holding a SecureString (``<SS>``) are never shared: their plaintext depends on the
session key of the runspace pool that received them. ``_process_message`` is psrpcore internal
API; psrpcore is pinned below 0.4 in pyproject.toml and tests/test_lab_psrp_pool.py checks the
override still takes effect and decodes what psrpcore decodes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any
from xml.etree import ElementTree

from psrpcore import CreatePipelineEvent, PSRPEvent, ServerRunspacePool
from psrpcore._payload import PSRPMessage
from psrpcore.types import PSRPMessageType, deserialize

#: Smaller messages are decoded as usual: sharing them saves little and costs memory.
SHARE_MIN_BYTES = 16 * 1024
#: Distinct decoded messages kept (one per runner script and parameter set a client sends).
SHARED_MESSAGES = 8

_decoded: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def _capability_key(capability: Any) -> tuple[str, ...]:
    names = ("PSVersion", "protocolversion", "SerializationVersion")
    return tuple(str(getattr(capability, name, None)) for name in names)


class LabRunspacePool(ServerRunspacePool):
    """A ServerRunspacePool that shares the decoded form of identical large CreatePipeline messages."""

    def _process_message(self, message: PSRPMessage) -> PSRPEvent[Any, Any]:
        data = bytes(message.data)
        if (
            message.message_type != PSRPMessageType.CreatePipeline
            or len(data) < SHARE_MIN_BYTES
            or b"<SS" in data
        ):
            return super()._process_message(message)
        key = (data, _capability_key(self.their_capability))
        with _lock:
            ps_object = _decoded.get(key)
        if ps_object is None:
            ps_object = deserialize(
                ElementTree.fromstring(data),
                cipher=self._cipher,
                our_capability=self.our_capability,
                their_capability=self.their_capability,
            )
            with _lock:
                _decoded[key] = ps_object
                while len(_decoded) > SHARED_MESSAGES:
                    _decoded.popitem(last=False)
        event = PSRPEvent.create(
            message.message_type, ps_object, message.runspace_pool_id, message.pipeline_id
        )
        assert isinstance(event, CreatePipelineEvent)
        self._process_CreatePipeline(event)
        return event
