"""Decode untrusted JSON within bounds: size, members, nesting, number length, lone surrogates.

``json.loads`` alone lets a hostile host (or capture file) crash or exhaust msdiag: a number of
more than 4,300 digits raises ValueError (Python's int conversion limit), ~1,000 levels of nesting
raise RecursionError, a few million keys take gigabytes, and a ``"\\ud800"`` escape gives a string
that cannot be written as UTF-8. :func:`decode` refuses what breaks a bound with
:class:`JsonBoundsError` (its message is the reason for the user) before the value is built where it
can (size, members: while parsing; number length: each number as it is read), and
:func:`inspect` finds the rest (nesting, an over-long number) in a decoded value, replacing lone
surrogates with U+FFFD (decision: one undecodable character does not make a check an error; it is
shown as the replacement character, as an undecodable byte is).

A too-long number does not stop the parse: it becomes a :class:`LongNumber` marker, so a caller can
make only the part holding it an error (one check of a capture file, not the whole file).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: digits (with sign, point and exponent) of one JSON number; a 64-bit integer has 20, a double ~25
MAX_NUMBER_CHARS = 100
#: nesting of objects and arrays in one check document (real documents: 8)
MAX_DEPTH = 32
#: object members in one check document (real documents: about 200; arrays are bounded by size)
MAX_MEMBERS = 100_000

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonBoundsError(ValueError):
    """The JSON text breaks a bound; ``str()`` is the reason, for the user."""


@dataclass(frozen=True)
class LongNumber:
    """Stands in for a JSON number longer than :data:`MAX_NUMBER_CHARS` (never converted)."""

    chars: int

    def reason(self) -> str:
        return f"a JSON number of {self.chars} characters (at most {MAX_NUMBER_CHARS})"


def _number(convert: type[int] | type[float]) -> Any:
    def parse(text: str) -> Any:
        return LongNumber(len(text)) if len(text) > MAX_NUMBER_CHARS else convert(text)

    return parse


class _MemberCounter:
    """object_pairs_hook: counts members while parsing and stops the parse past the bound."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        self.count += len(pairs)
        if self.count > self.limit:
            raise JsonBoundsError(f"more than {self.limit:,} object members")
        return dict(pairs)


def decode(text: str, *, max_chars: int, max_members: int = MAX_MEMBERS) -> Any:
    """``json.loads`` within bounds. Raises JsonBoundsError (too long, too many members, nested
    deeper than the parser's stack) or json.JSONDecodeError (not JSON); never anything else.

    Too-long numbers become :class:`LongNumber` and lone surrogates stay: run :func:`inspect`."""
    if len(text) > max_chars:
        raise JsonBoundsError(f"{len(text):,} characters (at most {max_chars:,})")
    try:
        return json.loads(
            text,
            parse_int=_number(int),
            parse_float=_number(float),
            object_pairs_hook=_MemberCounter(max_members),
        )
    except RecursionError:
        raise JsonBoundsError("nested too deeply for the JSON parser") from None


def inspect(value: Any, *, max_depth: int = MAX_DEPTH) -> tuple[Any, str | None]:
    """(``value`` with lone surrogates replaced, the first bound it breaks or None).

    Iterative (no recursion however deep ``value`` is); strings are replaced in their container."""
    if isinstance(value, str):
        return replace_surrogates(value), None
    if isinstance(value, LongNumber):
        return value, value.reason()
    problem: str | None = None
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        container, depth = stack.pop()
        if depth > max_depth:
            return value, f"nested deeper than {max_depth} levels"
        if isinstance(container, dict):
            for key in list(container):
                item = container[key]
                if not key.isprintable() and _LONE_SURROGATE.search(key):
                    del container[key]
                    key = _LONE_SURROGATE.sub("\ufffd", key)
                    container[key] = item
                problem = problem or _visit(container, key, item, depth, stack)
        else:
            for index, item in enumerate(container):
                problem = problem or _visit(container, index, item, depth, stack)
    return value, problem


def _visit(container: Any, slot: Any, item: Any, depth: int, stack: list[tuple[Any, int]]) -> str | None:
    if isinstance(item, str):
        if not item.isprintable() and _LONE_SURROGATE.search(item):
            container[slot] = _LONE_SURROGATE.sub("\ufffd", item)
    elif isinstance(item, dict | list):
        stack.append((item, depth + 1))
    elif isinstance(item, LongNumber):
        return item.reason()
    return None


def replace_surrogates(text: str) -> str:
    """``text`` with lone surrogates (from a lenient decoder or a hostile peer) replaced by U+FFFD."""
    return (
        text
        if text.isprintable() or not _LONE_SURROGATE.search(text)
        else _LONE_SURROGATE.sub("\ufffd", text)
    )


def load_bounded(
    text: str, *, max_chars: int, max_members: int = MAX_MEMBERS, max_depth: int = MAX_DEPTH
) -> Any:
    """:func:`decode` then :func:`inspect`: the value, or JsonBoundsError / JSONDecodeError."""
    value, problem = inspect(decode(text, max_chars=max_chars, max_members=max_members), max_depth=max_depth)
    if problem is not None:
        raise JsonBoundsError(problem)
    return value
