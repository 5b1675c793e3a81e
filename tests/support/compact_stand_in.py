"""A stand-in for E1's compact format (msdiag.engines.compact) until it lands: tests only.

``expand_compact(line) -> Capture`` is the agreed seam; this stand-in carries a whole capture
(zlib + base64url, a CRC-32 end field, so a cut-off line is detected) instead of E1's few
fields: what ingest does with a line (decode once, a bad line is bad_output with the reason)
does not depend on the fields inside. When the real module is importable, :func:`compact_codec`
returns its functions instead (msdiag.engines.compact_encode.compact_line and expand_compact) and
the tests run against it.
"""

from __future__ import annotations

import base64
import importlib
import json
import sys
import types
import zlib
from collections.abc import Callable

from msdiag.capture.models import Capture
from msdiag.collectors.capture_file import capture_from_dict

PREFIX = "MSDIAGT1"
MODULE = "msdiag.engines.compact"


class CompactLineError(ValueError):
    """A line that is not a whole stand-in compact line."""


def compact_line(capture: Capture) -> str:
    """The stand-in's one line for ``capture`` (no device name: the engine's record carries it)."""
    payload = capture.model_copy(update={"host": "compact"}).model_dump_json().encode("utf-8")
    body = base64.urlsafe_b64encode(zlib.compress(payload, 9)).decode("ascii")
    return f"{PREFIX} {body} {zlib.crc32(body.encode('ascii')):08x}"


def expand_compact(line: str) -> Capture:
    parts = line.strip().split(" ")
    if not parts or parts[0] != PREFIX:
        raise CompactLineError(f"the line does not start with {PREFIX} (displaced by other output?)")
    if len(parts) != 3 or f"{zlib.crc32(parts[1].encode('ascii')):08x}" != parts[2]:
        raise CompactLineError("the line is cut off (its check field does not match)")
    data = zlib.decompress(base64.urlsafe_b64decode(parts[1]))
    return capture_from_dict(json.loads(data), source="compact line")


def real_codec() -> tuple[Callable[[Capture], str], Callable[[str], Capture]] | None:
    """(encode, expand) of the real compact format, None until it lands."""
    try:
        real = importlib.import_module(MODULE)
    except ImportError:
        return None
    if getattr(real, "STAND_IN", False):
        return None
    try:  # E1's encoder lives beside the expansion
        encode = importlib.import_module("msdiag.engines.compact_encode").compact_line
    except (ImportError, AttributeError):
        raise RuntimeError(f"{MODULE} has expand_compact but no encoder these tests know: wire it here") from None
    return encode, real.expand_compact


def stand_in_module() -> types.ModuleType:
    """This stand-in as a module to put in sys.modules under msdiag.engines.compact."""
    module = types.ModuleType(MODULE)
    module.expand_compact = expand_compact  # type: ignore[attr-defined]
    module.STAND_IN = True  # type: ignore[attr-defined]
    return module


def install_stand_in() -> Callable[[Capture], str]:
    """The encoder to use; installs the stand-in for good when the real format is absent (bench)."""
    real = real_codec()
    if real is not None:
        return real[0]
    sys.modules[MODULE] = stand_in_module()
    return compact_line
