"""Host text and product text in a dumped diagnosis result: which strings redaction learns from.

Redaction replaces what came from the host (and what the user typed), never msdiag's own words:
a rule's advice "Check the user name (DOMAIN\\user or user@domain)" is no account. A path into
the dumped result (keys and list indexes) says which a string is. Host text: the whole capture
except the collector's own hint, each finding's detail (a product sentence quoting host values,
so names found elsewhere are replaced in it but none is learned from it), evidence values, the
region signals' values, the error and phone number as typed. Everything else (titles, steps,
notes, the knowledge base's texts, do-this-first) is product text: only phone numbers are
masked there (a phone finding's step quotes the number).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Path = tuple[str | int, ...]
_PHONE_INPUTS = frozenset({"input", "e164", "national_format", "corrected_input"})
#: The top-level parts of a dumped result that text_kind finds host text in (besides capture and findings).
_HOST_TOPS = frozenset({"phone", "region", "errors"})


def _finding_part(rest: Path) -> str:
    if rest[:1] == ("detail",):
        return "quoted"
    if rest[:1] == ("evidence",) and rest[2:3] == ("value",):
        return "host"
    return "product"


def text_kind(path: Path) -> str:
    """"host" (learned from and redacted), "quoted" (redacted only) or "product" (left alone)."""
    top = path[0] if path else ""
    if top == "capture":
        return "quoted" if path[1:3] == ("host_status", "hint") else "host"
    if top == "findings":
        return _finding_part(path[2:])
    if top == "phone":
        if path[1:2] == ("findings",):
            return _finding_part(path[3:])
        return "host" if len(path) == 2 and path[1] in _PHONE_INPUTS else "product"
    if top == "region":
        return "host" if path[1:2] == ("signals",) and path[3:4] == ("value",) else "product"
    if top == "errors":
        return "host" if path[2:3] == ("input",) else "product"
    return "product"


def walk_strings(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string of a dumped result (dict keys too) with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path, str(key)
            yield from walk_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk_strings(item, (*path, i))


def host_strings(data: Any) -> list[str]:
    """The strings redaction learns names from: host text only.

    The same strings, in the same order, as ``walk_strings`` filtered by ``text_kind``; the
    capture (nearly every string) is walked without building a path for each string."""
    if not isinstance(data, dict):
        return [text for path, text in walk_strings(data) if text_kind(path) == "host"]
    found: list[str] = []
    for key, item in data.items():
        if key == "capture":
            _capture_strings(item, found)
        elif key == "findings" and _plain_findings(item):
            for finding in item:  # of a finding only its evidence's values are host text
                for entry in finding.get("evidence") or ():
                    if "value" in entry:
                        _all_strings(entry["value"], found)
        elif key in _HOST_TOPS:
            found.extend(text for path, text in walk_strings(item, (str(key),)) if text_kind(path) == "host")
    return found


def _plain_findings(findings: Any) -> bool:
    """Findings as a dumped result holds them: dicts whose evidence is a list of dicts (or none)."""
    return isinstance(findings, list) and all(
        isinstance(f, dict)
        and (f.get("evidence") is None or (isinstance(f["evidence"], list) and all(isinstance(e, dict) for e in f["evidence"])))
        for f in findings
    )


def _capture_strings(capture: Any, found: list[str]) -> None:
    # under "capture" every string is host text but the host status's hint (msdiag's own advice)
    if not isinstance(capture, dict):
        _all_strings(capture, found)
        return
    for key, item in capture.items():
        found.append(str(key))
        if key == "host_status" and isinstance(item, dict):
            for status_key, value in item.items():
                found.append(str(status_key))
                if status_key != "hint":
                    _all_strings(value, found)
        else:
            _all_strings(item, found)


def _all_strings(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            found.append(str(key))
            _all_strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _all_strings(item, found)
