"""Microsoft Graph pages of a remediation's device run states, as saved files or straight from
`msdiag intune pull` (msdiag.ingest.graph_pull feeds pages to :func:`page_rows`).

``GET /beta/deviceManagement/deviceHealthScripts/{id}/deviceRunStates?$expand=managedDevice``
answers ``{"value": [deviceHealthScriptDeviceState ...], "@odata.nextLink": ...}``
(https://learn.microsoft.com/graph/api/intune-devices-devicehealthscriptdevicestate-list?view=graph-rest-beta).
Read from each run state: ``preRemediationDetectionScriptOutput`` (the detection script's output),
``preRemediationDetectionScriptError``, ``detectionState`` (unknown, success, fail, scriptError,
pending, notApplicable), ``lastStateUpdateDateTime`` (the run time) and, from the expanded
managedDevice, ``deviceName`` and ``id``. A file may hold one page, or a JSON array of pages or of
run states.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from msdiag.errors import InputError
from msdiag.ingest.readers.base import ColumnMap, Reader, Sniff, load_json_document, row_of
from msdiag.ingest.rows import BadRow, Row, Where

KIND = "intune-graph"
MAX_RECORDS = 2_000_000


class GraphPages(Reader):
    kind = KIND
    summary = "Graph deviceRunStates pages ($expand=managedDevice), one page or an array per file"

    @classmethod
    def recognises(cls, sniff: Sniff) -> bool:
        head = sniff.head
        return (
            not sniff.is_dir
            and sniff.first_char in ("{", "[")
            and ("preRemediationDetectionScriptOutput" in head or "deviceRunStates" in head or "detectionState" in head)
        )

    def rows(self, path: Path, name: str, columns: ColumnMap) -> Iterator[Row]:
        data = load_json_document(path, name)
        pages = data if isinstance(data, list) and all(_is_page(p) for p in data) else [data]
        number = 0
        for page in pages:
            for row in page_rows(page, name, start=number):
                number = row.where.row
                yield row


def _is_page(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("value"), list)


def page_states(page: Any, name: str) -> list[Any]:
    """The run states of one page (or of a bare array of them); input error for anything else."""
    if isinstance(page, list):
        states = page
    elif _is_page(page):
        states = page["value"]
    elif isinstance(page, dict) and "error" in page:
        raise InputError(f"{name} is a Graph error answer, not a page of run states: {str(page['error'])[:300]}")
    else:
        raise InputError(f'{name}: not a Graph page (a JSON object with a "value" array)')
    if len(states) > MAX_RECORDS:
        raise InputError(f"{name}: more than {MAX_RECORDS} run states in one document")
    return states


def page_rows(page: Any, name: str, start: int = 0) -> Iterator[Row]:
    """The rows of one page; records are numbered on from ``start`` (``name:N`` = the Nth record)."""
    for offset, state in enumerate(page_states(page, name), start=1):
        where = Where(name, start + offset)
        if not isinstance(state, dict):
            yield BadRow(where, "a run state that is not a JSON object")
            continue
        device = state.get("managedDevice")
        if not isinstance(device, dict):
            yield BadRow(where, "no managedDevice in the run state (was the page fetched with $expand=managedDevice?)")
            continue
        yield row_of(
            KIND,
            where,
            device=device.get("deviceName"),
            device_id=device.get("id"),
            time=state.get("lastStateUpdateDateTime"),
            status=state.get("detectionState"),
            output=state.get("preRemediationDetectionScriptOutput"),
            error=state.get("preRemediationDetectionScriptError"),
            device_field="managedDevice.deviceName",
        )
