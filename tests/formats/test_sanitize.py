"""The one sanitiser (msdiag/sanitize.py): escapes go as units, controls, bidi and invisible characters go."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest
from support.hostile_text import PAYLOADS, active_characters

from msdiag.sanitize import UNSAFE_CHARS, bound, clean_text, clean_value, clip, escape_unsafe, one_line


@pytest.mark.parametrize(("name", "payload"), PAYLOADS, ids=[n for n, _ in PAYLOADS])
def test_every_payload_is_inert_and_its_visible_text_stays(name: str, payload: str) -> None:
    cleaned = clean_text(payload)
    assert active_characters(cleaned) == []
    visible = {
        "osc-title": "pc01",
        "osc8-link": "click here",
        "csi-clear": "screen cleared",
        "csi-8bit": "eight-bit csi",
        "bidi-override": "invoicegpj.exe",
        "bel": "ringring",
        "nul": "nulbyte",
        "zero-width": "login.live.com",
    }[name]
    assert cleaned == visible  # the whole sequence went, no half of it ("0;you have been pwned")


def test_escape_sequences_go_as_units() -> None:
    assert clean_text("a\x1b[1;31mred\x1b[0mb") == "aredb"
    assert clean_text("\x1bcreset") == "reset"  # RIS, a full terminal reset
    assert clean_text("\x1b(Bcharset") == "charset"
    assert clean_text("\x1bPdevice control\x1b\\after") == "after"  # DCS ... ST
    assert clean_text("\x9d8;;http://x\x9clink") == "link"  # 8-bit OSC ... 8-bit ST
    # an OSC that never ends would swallow the rest on a terminal: it goes to the end here too
    assert clean_text("name\x1b]0;title without end") == "name"


def test_newline_policy() -> None:
    text = "line one\r\nline two\rthree\u2028four\tfive\x0bsix"
    assert clean_text(text) == "line one line two three four five six"
    assert clean_text(text, newlines="keep") == "line one\nline two\nthree\nfour five\nsix"
    assert one_line("  several \n\n  spaces\t here ") == "several spaces here"


def test_printable_text_is_returned_unchanged() -> None:
    for text in ("PC01.corp.example.jp", "鈴木 花子のPC", "日本語\u3000全角スペース", "emoji 🙂"):
        assert clean_text(text) is text


def test_lone_surrogate_becomes_a_replacement_character() -> None:
    cleaned = clean_text("bad\ud800half")
    assert cleaned == "bad\ufffdhalf"
    cleaned.encode("utf-8")  # writable (a raw lone surrogate raises UnicodeEncodeError)


def test_bounds() -> None:
    assert bound("abcdef", 4) == "abc…" and bound("abc", 4) == "abc" and bound("abc", 0) == ""
    assert clip("\x1b[2J" + "x" * 200, 10) == "x" * 9 + "…"  # cleaned first, then bounded
    assert one_line("a\nb" * 100, 8) == "a ba ba…"


def test_clean_value_cleans_keys_and_nested_strings() -> None:
    value = {"na\x07me": ["ok", {"deep": "x\u202ey"}], "n": 3, "t": None}
    assert clean_value(value) == {"name": ["ok", {"deep": "xy"}], "n": 3, "t": None}


def test_json_escaping_keeps_the_data_and_the_text_inert() -> None:
    for _, payload in PAYLOADS:
        for text in (payload, payload + "\U000e0041tag\ud800"):
            encoded = escape_unsafe(json.dumps({"v": text}, ensure_ascii=False))
            assert active_characters(encoded) == [] and "\ud800" not in encoded
            assert json.loads(encoded) == {"v": text}  # decodes back exactly


def test_every_format_and_control_character_of_this_python_is_removed() -> None:
    # The list of format characters in msdiag/sanitize.py is written out (a scan of every code point
    # at import would cost ~0.1 s); this fails when a Unicode update adds one it does not have.
    missing = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf") and not UNSAFE_CHARS.fullmatch(chr(cp))
    ]
    assert missing == [], f"add these to _FORMAT_CHARS in msdiag/sanitize.py: {missing}"
