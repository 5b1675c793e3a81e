"""Ways a lab host breaks the rules of HTTP and WinRM, for the transport's fault tests and bench/faults.py.

These are not Windows faults (those are :class:`msdiag.lab.config.Faults`): a host that trickles
its replies one byte at a time, or never answers one kind of request, is what a hostile or broken
endpoint does to a client's deadline and cleanup. ``LabServer(..., misbehaviour={name: ...})``
gives a lab host one; the lab never offers them in ``msdiag lab serve``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

#: WSMan actions a misbehaviour can name ("Receive" is a pipeline's Receive, never the pool's).
ACTIONS = frozenset({"Create", "Command", "Send", "Receive", "Signal", "Delete", "Get"})
#: In ``trickle_replies``: the replies that carry no WSMan action (the authentication handshake)
HANDSHAKE = "handshake"


@dataclass(frozen=True)
class Misbehaviour:
    """What one lab host does wrong; all off by default."""

    #: send the head (status line and headers) of these replies one byte every ``trickle_s``
    trickle_head: frozenset[str] = field(default_factory=frozenset)
    #: send the head at once, then the body of these replies one byte every ``trickle_s``
    trickle_body: frozenset[str] = field(default_factory=frozenset)
    trickle_s: float = 2.0
    #: never answer these requests and do not carry them out (the connection stays open)
    stall: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        known = ACTIONS | {HANDSHAKE}
        unknown = (self.trickle_head | self.trickle_body | self.stall) - known
        if unknown:
            raise ValueError(f"unknown WSMan action(s) {sorted(unknown)}: use {sorted(known)}")
        if not 0 < self.trickle_s <= 60:
            raise ValueError("trickle_s must be more than 0 and at most 60 seconds")

    def stalls(self, action: str, command_id: str | None) -> bool:
        """Whether the request is never answered (a pool's Receive is not a pipeline's)."""
        if action == "Receive" and command_id is None:
            return False
        return action in self.stall


async def write_reply(
    writer: asyncio.StreamWriter, data: bytes, action: str | None, how: Misbehaviour
) -> None:
    """Write one encoded HTTP reply, trickled when ``how`` says so for this reply's action."""
    name = action or HANDSHAKE
    head, sep, body = data.partition(b"\r\n\r\n")
    if name in how.trickle_head:
        await _trickle(writer, head + sep, how.trickle_s)
        writer.write(body)
    elif name in how.trickle_body:
        writer.write(head + sep)
        await writer.drain()
        await _trickle(writer, body, how.trickle_s)
    else:
        writer.write(data)
    await writer.drain()


async def _trickle(writer: asyncio.StreamWriter, data: bytes, interval: float) -> None:
    for index in range(len(data)):
        writer.write(data[index : index + 1])
        await writer.drain()
        await asyncio.sleep(interval)
