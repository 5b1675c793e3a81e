"""Make untrusted text safe to show: no control characters, no ANSI escapes, no bidi overrides."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# A full ANSI/VT escape (CSI ... final byte, OSC ... BEL/ST, or a two-byte ESC x) is removed as a unit,
# so no half of it is left to be interpreted by the terminal.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (title, hyperlinks)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x1b[@-_]"  # other two-byte escapes
)
# Bidirectional overrides and isolates can make a host name read backwards ("Trojan Source").
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def strip_control(text: str, *, keep_newlines: bool = False) -> str:
    """Remove escapes and control characters; tabs and (unless kept) newlines become spaces."""
    text = _ANSI.sub("", text)
    out: list[str] = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch in "\t\n\r\v\f":
            out.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return "".join(out)


def clean_value(value: Any, *, keep_newlines: bool = False) -> Any:
    """Deep copy of a JSON-like value with every string (and key) passed through strip_control."""
    if isinstance(value, str):
        return strip_control(value, keep_newlines=keep_newlines)
    if isinstance(value, dict):
        return {strip_control(str(k)): clean_value(v, keep_newlines=keep_newlines) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(v, keep_newlines=keep_newlines) for v in value]
    return value
