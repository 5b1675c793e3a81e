"""One check for the short texts a user gives msdiag (a user name, a URL): present, bounded, printable."""

from __future__ import annotations

from msdiag.errors import InputError


def checked_text(value: object, what: str, limit: int, *, if_empty: str = "", spaces: bool = True) -> str:
    """``value`` without surrounding blanks; an InputError naming ``what`` when it is empty, longer
    than ``limit`` characters, or holds control characters (or spaces, unless ``spaces``).

    ``if_empty`` is added to the empty message (where the value comes from)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InputError(f"the {what} is empty{'; ' + if_empty if if_empty else ''}.")
    if len(text) > limit:
        raise InputError(f"the {what} is longer than {limit} characters.")
    lowest = 0x20 if spaces else 0x21
    if any(ord(ch) < lowest or ord(ch) == 0x7F for ch in text):
        raise InputError(f"the {what} contains {'' if spaces else 'spaces or '}control characters.")
    return text
