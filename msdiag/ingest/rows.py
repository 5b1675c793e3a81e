"""What every reader yields: one device's result as the engine returned it, or a row it could not use.

Everything here came from an engine's export and is untrusted: readers bound what they copy
(:func:`bounded`), and the decoder (msdiag.ingest.decode) validates the output before anything
else reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from msdiag.capture.models import HostState

MAX_NAME = 255  # a device name (Intune allows 15 for NetBIOS, 255 for the record; FleetTarget's bound)
MAX_FIELD = 64 * 1024  # any other copied cell; an Intune output is at most 2,048 characters


def bounded(value: object, limit: int = MAX_FIELD) -> str | None:
    """A cell as text, or None when it is empty; longer text is cut to ``limit``."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    return text[:limit] if text else None


@dataclass(frozen=True)
class Where:
    """A row of an input file, for messages: ``exports/run.csv:17``."""

    file: str
    row: int

    def __str__(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass(frozen=True)
class Failure:
    """The engine says the checks did not run on the device (unreachable, script error)."""

    state: HostState
    detail: str


@dataclass
class DeviceResult:
    """One device's result in an engine's export.

    ``output`` is the text the checks printed (a compact line, a capture, ConfigMgr's JSON of it);
    ``capture`` a capture the engine already parsed (Ansible's module result); ``failure`` set when
    the engine ran nothing; ``pending`` when the device has no result yet (not written)."""

    kind: str
    where: Where
    device: str
    device_id: str | None = None
    run_time: datetime | None = None
    state: str | None = None
    output: str | None = None
    capture: dict[str, Any] | None = None
    failure: Failure | None = None
    pending: bool = False

    @property
    def key(self) -> str:
        """Who the result is about: the engine's device id when it has one (device names repeat)."""
        return (self.device_id or self.device).lower()


@dataclass(frozen=True)
class BadRow:
    """A row no device record can come from (no device name, not an object ...): reported as
    ``file:row: reason``."""

    where: Where
    reason: str


Row = DeviceResult | BadRow
