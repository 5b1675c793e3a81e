"""The JSON report: the diagnosis result as stable, sorted JSON (documented in docs/report-json.md)."""

from __future__ import annotations

import json

from msdiag.diagnosis.models import DiagnosisResult
from msdiag.formats.interface import HOST_FORMATS, RenderOptions, Stdout
from msdiag.sanitize import escape_unsafe


def render_json(result: DiagnosisResult) -> str:
    """Sorted keys, two-space indent, UTF-8 text (Japanese stays readable), newline-terminated.

    The result holds no clock of its own: the only timestamps are the capture's, so the same capture
    diagnosed twice gives byte-identical output. Strings stay JSON strings with their content as it is
    (after redaction); characters a terminal could act on are written as \\u escapes.
    """
    data = result.model_dump(mode="json", by_alias=True)
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)
    # json.dumps escapes C0 controls; DEL, C1 (0x9b is a one-byte CSI), bidi and invisible format
    # characters are escaped too, so `msdiag ... --format json` shown on a terminal is inert.
    return escape_unsafe(text) + "\n"


@HOST_FORMATS.register("json", extension="json", stdout=Stdout.ALONE, summary="scripts")
def json_report(report: DiagnosisResult, options: RenderOptions) -> str:
    return render_json(report)
