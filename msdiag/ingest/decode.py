"""An engine's output for one device -> the device's capture and stored diagnosis.

The output is untrusted text: a compact line (Intune, ConfigMgr: msdiag.engines.compact expands
it), a whole capture (the exported script's output, Ansible), or ConfigMgr's ConvertTo-Json of
either. Whatever cannot be read becomes a capture whose host state is ``bad_output`` with the
reason, never a device that looks healthy: every check in it is not_run.

Identical outputs give identical captures and diagnoses (a compact line carries no device name):
short outputs are decoded and diagnosed once (:data:`MEMO_ENTRIES`). Real lines carry their scan
time, so in a fleet they rarely repeat; where they do (a re-sent export), the memo saves the work.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from msdiag.capture.models import Capture, HostState, HostStatus
from msdiag.collectors.capture_file import capture_from_dict, parse_capture_text
from msdiag.collectors.interface import assemble_capture, did_not_run
from msdiag.engines.compact import expand_compact
from msdiag.errors import MsdiagError
from msdiag.fleet.models import HostDiagnosis
from msdiag.fleet.stored_diagnosis import host_diagnosis
from msdiag.ingest.rows import DeviceResult
from msdiag.ingest.times import utc_text

MEMO_ENTRIES = 2048  # a full-size capture is ~75 KB in memory: at most ~150 MB
MEMO_MAX_CHARS = 8192  # outputs longer than this (whole captures) are decoded every time
MAX_OUTPUT_CHARS = 64 * 1024 * 1024
CONFIGMGR_LIMIT_HINT = "ConfigMgr keeps only 4 KB of a script's output"


class BadOutput(Exception):
    """The output cannot be read; the message says why (it becomes the host status detail)."""


@dataclass(frozen=True)
class Decoded:
    """One device's capture, its diagnosis (None when the checks did not run) and, for a
    ``bad_output`` device, why its output could not be read."""

    capture: Capture
    diagnosis: HostDiagnosis | None
    problem: str | None = None
    #: SHA-256 of the output text: the same digest, the same capture but for its host name
    digest: str | None = None


def decode(result: DeviceResult) -> Decoded:
    """The device's capture: from its failure, its parsed capture or its output text."""
    if result.failure is not None:
        capture = _not_run(result, result.failure.state, result.failure.detail)
        return Decoded(capture, None)
    try:
        if result.capture is not None:
            capture = capture_from_dict(result.capture, source=str(result.where))
            return Decoded(capture, host_diagnosis(capture))
        text = (result.output or "").strip()
        if not text:
            raise BadOutput("the device returned no output")
        if len(text) <= MEMO_MAX_CHARS:
            capture, diagnosis, compact = _decoded_text(text)
        else:
            capture, compact = _capture_of_text(text)
            diagnosis = host_diagnosis(capture)
    except (BadOutput, MsdiagError) as exc:
        reason = exc.message if isinstance(exc, MsdiagError) else str(exc)
        return Decoded(_not_run(result, HostState.BAD_OUTPUT, reason), None, reason)
    if compact:  # a compact line names no device: the engine's record does
        capture = capture.model_copy(update={"host": result.device})
    return Decoded(capture, diagnosis, digest=hashlib.sha256(text.encode("utf-8")).hexdigest())


@lru_cache(maxsize=MEMO_ENTRIES)
def _decoded_text(text: str) -> tuple[Capture, HostDiagnosis | None, bool]:
    capture, compact = _capture_of_text(text)
    return capture, host_diagnosis(capture), compact


def _capture_of_text(text: str, depth: int = 0) -> tuple[Capture, bool]:
    """The capture in ``text`` and whether it came from a compact line."""
    if len(text) > MAX_OUTPUT_CHARS:
        raise BadOutput(f"the output is {len(text)} characters; at most {MAX_OUTPUT_CHARS} are read")
    if text.startswith("{"):
        return _full_capture(text), False
    if text[:1] in ('"', "[") and depth == 0:
        return _capture_of_text(_unwrap_json(text), depth + 1)
    line = next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "")
    if not line:  # ConfigMgr's "" for a script that printed nothing
        raise BadOutput("the device returned no output")
    try:
        return expand_compact(line), True
    except (ValueError, MsdiagError) as exc:  # the compact format's own error says what is wrong
        message = exc.message if isinstance(exc, MsdiagError) else str(exc)
        raise BadOutput(f"not a complete compact line: {message}") from None


def _full_capture(text: str) -> Capture:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        hint = f" ({CONFIGMGR_LIMIT_HINT})" if 3500 <= len(text.encode("utf-8")) <= 4200 else ""
        raise BadOutput(
            f"the capture is cut off or not JSON ({exc.msg}; character {exc.pos} of {len(text)}){hint}"
        ) from None
    return parse_capture_text(text, source="the output")


def _unwrap_json(text: str) -> str:
    """ConfigMgr's ConvertTo-Json of the output: a JSON string, or an array of output lines."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadOutput(f"the output looks like JSON but is not ({exc.msg}); cut off?") from None
    if isinstance(data, list):
        data = next((item for item in reversed(data) if isinstance(item, str) and item.strip()), None)
    if data is None or data == "":
        return ""
    if not isinstance(data, str):
        raise BadOutput("the output is JSON but neither a compact line nor a capture")
    return data.strip()


def _not_run(result: DeviceResult, state: HostState, detail: str) -> Capture:
    hints = {
        HostState.BAD_OUTPUT: "run the check again on the device; a cut-off or displaced line is never read in part",
        HostState.SCRIPT_ERROR: "see the engine's error output for the device",
    }
    return assemble_capture(
        host=result.device,
        mode="other",
        collected_utc=utc_text(result.run_time),
        host_status=HostStatus(state=state, detail=detail[:4096], hint=hints.get(state)),
        reported={},
        selected=None,
        missing=did_not_run(state),
    )


def clear_memo() -> None:
    """Forget decoded outputs (tests that swap the compact format between runs)."""
    _decoded_text.cache_clear()
