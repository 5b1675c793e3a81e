"""Make untrusted text safe to show: the one sanitiser for terminals and reports.

Everything that came from a scanned host (a capture, an error message, a results file) can carry
characters that act instead of showing: ANSI/VT escapes (set the window title, write an OSC 8
hyperlink, clear the screen), C0/C1 controls (BEL, NUL, the one-byte CSI U+009B), bidirectional
overrides and isolates that make a name read backwards ("Trojan Source"), and invisible format
characters (zero-width space, tag characters) that hide text. :func:`clean_text` removes them;
an escape sequence goes as a unit, so no half of it is left for a terminal to interpret.

Text formats (the terminal table, HTML, CSV) show the cleaned text. JSON keeps strings exactly as
they are and writes the same characters as ``\\uXXXX`` escapes instead (:func:`escape_unsafe`), so
the data round-trips and the output is still inert on a terminal.
"""

from __future__ import annotations

import re
from typing import Any, Literal

#: ``space``: every line break and tab becomes one space (a table cell, a one-line message);
#: ``keep``: line breaks become ``\n`` (a block of raw output), tabs still become spaces.
Newlines = Literal["space", "keep"]

# An escape sequence, removed as a unit. The string commands (OSC, DCS, SOS, PM, APC) run to BEL or
# ST; one that is never terminated would swallow the rest of the line on a terminal, so it is
# removed to the end of the text here too.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI (7-bit and 8-bit): colours, cursor, clear screen
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC/DCS/SOS/PM/APC
    r"|\x1b[ -/]*[0-~]?"  # any other ESC sequence (charset designation, two-byte ESC x), or a lone ESC
)

# Unicode format characters (category Cf; tests/formats/test_sanitize.py checks this list against
# the running Python's Unicode tables): soft hyphen, Arabic/Syriac marks, zero-width space/joiners,
# bidi embeddings, overrides and isolates, invisible operators, BOM, interlinear annotations, tags.
_FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")  # a lone surrogate cannot even be written as UTF-8
#: every character :func:`clean_text` removes (after line breaks and tabs are handled)
UNSAFE_CHARS = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT_CHARS}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_FORMAT_CHARS}]")
# What JSON output escapes: json.dumps already escapes C0 controls; the rest of the unsafe set,
# line/paragraph separators and lone surrogates are escaped here.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_FORMAT_CHARS}\u2028\u2029\ud800-\udfff]")

ELLIPSIS = "…"


def clean_text(text: str, *, newlines: Newlines = "space") -> str:
    """``text`` with escape sequences, control and format characters removed.

    Line breaks and tabs follow ``newlines``; a lone surrogate becomes U+FFFD. Printable text is
    returned as it is (the common case costs one ``str.isprintable`` call)."""
    if text.isprintable():  # no Cc, Cf, Cs, Zl or Zp character: nothing to remove
        return text
    text = _ESCAPE_SEQUENCES.sub("", text)
    text = _LINE_BREAKS.sub(" " if newlines == "space" else "\n", text).replace("\t", " ")
    text = _SURROGATES.sub("\ufffd", text)
    return (UNSAFE_CHARS if newlines == "space" else _UNSAFE_BUT_NEWLINE).sub("", text)


def bound(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the cut marked with an ellipsis."""
    if limit < 1:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def clip(value: object, limit: int, *, newlines: Newlines = "space") -> str:
    """An untrusted value for a sentence or a cell: cleaned, then bounded to ``limit`` characters."""
    return bound(clean_text(str(value), newlines=newlines), limit)


def one_line(text: str, limit: int | None = None) -> str:
    """Cleaned text on one line with runs of whitespace collapsed (an error message, a status)."""
    line = " ".join(clean_text(text).split())
    return line if limit is None else bound(line, limit)


def clean_value(value: Any, *, newlines: Newlines = "space") -> Any:
    """A deep copy of a JSON-like value with every string (and every key) cleaned."""
    if isinstance(value, str):
        return clean_text(value, newlines=newlines)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_value(v, newlines=newlines) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(v, newlines=newlines) for v in value]
    return value


def escape_unsafe(json_text: str) -> str:
    """JSON text with every character a terminal could act on written as a ``\\uXXXX`` escape.

    For the output of ``json.dumps(..., ensure_ascii=False)``: strings keep their exact content
    (they decode back to the same value), but the text itself holds no escape, C1 control, bidi
    override or invisible format character."""
    return _JSON_UNSAFE.sub(_json_escape, json_text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON escapes name UTF-16 units: a tag character is a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def clean_template_value(value: Any) -> Any:
    """Jinja ``finalize`` hook: every ``{{ }}`` string is cleaned (newlines kept) before escaping.

    Escaped markup (a ``|join`` of host names is already Markup) is cleaned too and stays markup:
    removing control characters from it cannot create a tag. Non-strings are left alone."""
    if not isinstance(value, str):
        return value
    cleaned = clean_text(value, newlines="keep")
    if cleaned is value:
        return value
    return type(value)(cleaned) if hasattr(value, "__html__") else cleaned
