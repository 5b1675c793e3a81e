"""Which strings of a dumped diagnosis result are host text (redaction learns names from them and
replaces them) and which are msdiag's own (left alone): :func:`text_kind`, and :func:`host_strings`,
the host text of a whole result.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Redaction replaces what came from the host (and what the user typed), never msdiag's own words:
# a rule's advice "Check the user name (DOMAIN\\user or user@domain)" is no account. A path into
# the dumped result (keys and list indexes) says which a string is. Host text: the whole capture
# except the collector's own hint, each finding's detail (a product sentence quoting host values,
# so names found elsewhere are replaced in it but none is learned from it), evidence values, the
# region signals' values, the error and phone number as typed. Everything else (titles, steps,
# notes, the knowledge base's texts, do-this-first) is product text: only phone numbers are
# masked there (a phone finding's step quotes the number).
Path = tuple[str | int, ...]
_PHONE_INPUTS = frozenset({"input", "e164", "national_format", "corrected_input"})


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

    The strings of :func:`walk_strings` whose :func:`text_kind` is "host", in its order, found a
    subtree at a time where the path already decides (the whole capture is host text, a finding's
    title never is): the fleet report calls this once per host, 100,000 times."""
    out: list[str] = []
    _host_strings(data, (), out)
    return out


def _host_strings(value: Any, path: Path, out: list[str]) -> None:
    decided = _decided(path)
    if decided is not None:
        if decided:
            _all_strings(value, out)
        return
    if isinstance(value, str):
        if text_kind(path) == "host":
            out.append(value)
    elif isinstance(value, dict):
        keys_are_host = text_kind(path) == "host"  # a dict's keys are met at its own path
        for key, item in value.items():
            if keys_are_host:
                out.append(str(key))
            _host_strings(item, (*path, str(key)), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _host_strings(item, (*path, i), out)


def _decided(path: Path) -> bool | None:
    """True when every string at or below ``path`` is host text, False when none is, None when
    :func:`text_kind` still depends on what follows (kept in step with it: a test compares)."""
    if not path:
        return None
    top = path[0]
    if top == "capture":
        if len(path) >= 3:
            return path[1:3] != ("host_status", "hint")
        return None if len(path) == 1 or path[1] == "host_status" else True
    if top == "findings":
        return _decided_finding(path[2:]) if len(path) >= 2 else None
    if top == "phone":
        if len(path) >= 2 and path[1] == "findings":
            return _decided_finding(path[3:]) if len(path) >= 3 else None
        return False if len(path) >= 3 else None
    if top == "region":
        if len(path) >= 4:
            return path[1] == "signals" and path[3] == "value"
        return False if len(path) >= 2 and path[1] != "signals" else None
    if top == "errors":
        return path[2] == "input" if len(path) >= 3 else None
    return False


def _decided_finding(rest: Path) -> bool | None:
    if not rest:
        return None
    if rest[0] != "evidence":
        return False  # the detail is quoted (redacted, never learned from); the rest is product text
    return rest[2] == "value" if len(rest) >= 3 else None


def _all_strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            out.append(str(key))
            _all_strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _all_strings(item, out)


