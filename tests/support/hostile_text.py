"""Text that acts on a terminal instead of showing: the payloads every format and message is tested with.

A plain module (not a test module): test modules import it as ``support.hostile_text``.
"""

from __future__ import annotations

import unicodedata

#: (name, payload): each would change what a helpdesk sees if it reached a terminal or a report raw
PAYLOADS: tuple[tuple[str, str], ...] = (
    ("osc-title", "pc01\x1b]0;you have been pwned\x07"),
    ("osc8-link", "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\"),
    ("csi-clear", "\x1b[2J\x1b[Hscreen cleared"),
    ("csi-8bit", "\x9b2Jeight-bit csi"),
    ("bidi-override", "invoice\u202egpj.exe"),
    ("bel", "ring\x07ring"),
    ("nul", "nul\x00byte"),
    ("zero-width", "log\u200bin.live.com"),
)

#: characters none of which may appear in text shown to a user (the payloads' active parts)
FORBIDDEN = ("\x1b", "\x9b", "\u202e", "\x07", "\x00", "\u200b")


def active_characters(text: str) -> list[str]:
    """Characters in ``text`` a terminal acts on or that hide text (newlines aside)."""
    return [
        ch
        for ch in text
        if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Cf") or ch in FORBIDDEN)
    ]
