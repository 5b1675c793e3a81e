"""Wrapping text for a terminal by display width, with the Japanese line-breaking rule (kinsoku).

A Japanese character takes two terminal cells (wcwidth), so wrapping by ``len`` overflows a line
by half. Latin words break at spaces only; between two Japanese characters (or a Japanese
character and a Latin word) any point is a break, except that closing punctuation (。、」) ...)
never starts a line and opening brackets (「（ ...) never end one: such a character stays with
its neighbour (the "push out" form of kinsoku shori, JIS X 4051), so no line is wider than asked.
"""

from __future__ import annotations

from wcwidth import wcswidth, wcwidth

#: never at the start of a line: closing punctuation and brackets, the prolonged sound mark,
#: iteration marks, small kana (JIS X 4051 classes 2-6 and 8, and the ASCII counterparts)
NO_LINE_START = frozenset(
    "、。，．・：；？！ー～…‥」』）〕］｝〉》】〙〗〟’”｠»゛゜ヽヾゝゞ々〻"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    ",.:;!?)]}%"
)
#: never at the end of a line: opening brackets and quotes
NO_LINE_END = frozenset("「『（〔［｛〈《【〘〖〝‘“｟«([{")


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes (a wide character counts two; control characters as one)."""
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def _char_width(ch: str) -> int:
    return max(wcwidth(ch), 0)


def _units(paragraph: str) -> list[tuple[str, bool]]:
    """Unbreakable pieces of ``paragraph`` and whether a space comes before each.

    A Latin word is one piece; each wide character is its own; kinsoku glues a no-line-start
    character to the piece before it and a no-line-end character to the piece after it."""
    units: list[tuple[str, bool]] = []
    current, space = "", False
    for ch in paragraph:
        if ch == " ":
            if current:
                units.append((current, space))
                current = ""
            space = True
            continue
        wide = _char_width(ch) == 2
        if current and (wide or _char_width(current[-1]) == 2):
            units.append((current, space))
            current, space = "", False
        current += ch
    if current:
        units.append((current, space))
    glued: list[tuple[str, bool]] = []
    for text, spaced in units:
        if glued and not spaced and (text[0] in NO_LINE_START or glued[-1][0][-1] in NO_LINE_END):
            glued[-1] = (glued[-1][0] + text, glued[-1][1])
        else:
            glued.append((text, spaced))
    return glued


def _split_long(text: str, width: int) -> list[str]:
    """A piece wider than a line (a long URL, a run of Japanese punctuation): cut by cells."""
    parts, part, used = [], "", 0
    for ch in text:
        w = _char_width(ch)
        if part and used + w > width:
            carried = ""
            if (ch in NO_LINE_START or part[-1] in NO_LINE_END) and len(part) > 1:
                part, carried = part[:-1], part[-1]  # kinsoku: the neighbour comes along
            parts.append(part)
            part, used = carried, cell_width(carried)
        part += ch
        used += w
    parts.append(part)
    return parts


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` cells (each ``\\n`` starts a new paragraph).

    Runs of spaces collapse to one; lines carry no leading or trailing spaces."""
    width = max(width, 2)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for unit, spaced in _units(paragraph):
            w = cell_width(unit)
            gap = 1 if spaced and line else 0
            if line and used + gap + w > width:
                lines.append(line)
                line, used, gap = "", 0, 0
            if w > width:  # wider than a line: on lines of its own, cut by cells
                if line:
                    lines.append(line)
                *full, unit = _split_long(unit, width)
                lines.extend(full)
                line, used, gap, w = "", 0, 0, cell_width(unit)
            line += " " * gap + unit
            used += gap + w
        lines.append(line)
    return lines
