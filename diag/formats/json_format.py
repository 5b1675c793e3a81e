"""The JSON report: the diagnosis result as stable, sorted JSON (documented in docs/report-json.md)."""

from __future__ import annotations

import json
import re

from diag.diagnosis.models import DiagnosisResult

# json.dumps escapes C0 controls itself; DEL, C1 controls (0x9b is a one-byte CSI for some terminals)
# and bidi overrides are escaped here too, so `msdiag ... --format json` piped to a terminal is inert.
_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def render_json(result: DiagnosisResult) -> str:
    """Sorted keys, two-space indent, UTF-8 text (Japanese stays readable), newline-terminated.

    The result holds no clock of its own: the only timestamps are the capture's, so the same capture
    diagnosed twice gives byte-identical output. Strings stay JSON strings with their content as it is
    (after redaction); characters a terminal could act on are written as \\u escapes.
    """
    data = result.model_dump(mode="json", by_alias=True)
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
