"""What the reference commands (`msdiag codes`, `msdiag rules`) share: --format, their own words, JSON, width."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import click
from wcwidth import wcswidth, wcwidth

from msdiag.i18n import Lang

#: `--format table|json`, the same for every reference command
FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for scripts (shape above).",
)

#: the widest a reference page gets, whatever the terminal (a helpdesk pastes it into a ticket)
MAX_WIDTH = 80
MIN_WIDTH = 40


class Words:
    """A command's own words in English and Japanese: ``words("steps", lang)``."""

    def __init__(self, table: Mapping[str, tuple[str, str]]) -> None:
        self._table = dict(table)

    @classmethod
    def load(cls, command: str) -> Words:
        """The words of one command, from reference_words.json (kept as data, beside this module)."""
        table = _word_tables()[command]
        return cls({key: (en, ja) for key, (en, ja) in table.items()})

    def __call__(self, key: str, lang: Lang) -> str:
        en, ja = self._table[key]
        return ja if lang == "ja" else en


@cache
def _word_tables() -> dict[str, dict[str, list[str]]]:
    text = resources.files("msdiag.cli").joinpath("reference_words.json").read_text(encoding="utf-8")
    tables: dict[str, dict[str, list[str]]] = json.loads(text)
    tables.pop("_about", None)
    return tables


def dumps(value: Any) -> str:
    """JSON for scripts: keys sorted, UTF-8 kept (Japanese stays readable), indented."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def page_width() -> int:
    """Columns to wrap a reference page to: the terminal's (COLUMNS honoured), at most MAX_WIDTH."""
    columns = shutil.get_terminal_size(fallback=(MAX_WIDTH, 24)).columns
    return max(MIN_WIDTH, min(MAX_WIDTH, columns))


# ---------------------------------------------------------------- wrapping by display width
#: characters a Japanese line may not start with (closing marks, small kana: 行頭禁則) or end with
_NO_LINE_START = frozenset("、。，．・：；？！ー）」』】〕〉》ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々,.:;?!)]")
_NO_LINE_END = frozenset("（「『【〔〈《([")


def cells(text: str) -> int:
    """Terminal columns the text takes (a Japanese character takes two)."""
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def _tokens(paragraph: str) -> Iterator[str]:
    """Runs of spaces, runs of narrow non-space characters (words), and single wide characters."""
    word = ""
    for ch in paragraph:
        if ch == " " or wcwidth(ch) == 2:
            if word:
                yield word
                word = ""
            yield ch
        else:
            word += ch
    if word:
        yield word


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: Latin text breaks at spaces, Japanese between characters,
    never before a closing mark or small kana nor after an opening bracket. A word longer than a line
    (a URL, a registry path) is not cut: it stands alone on a longer line, so that it copies whole."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        for token in _tokens(paragraph):
            if token == " ":
                if line:
                    line.append(token)
                continue
            used = cells("".join(line))
            if used + cells(token) > width and "".join(line).strip():
                carry: list[str] = []
                if token[0] in _NO_LINE_START and len(line) > 1 and cells(line[-1]) == 2:
                    carry.append(line.pop())
                while len(line) > 1 and line[-1][-1] in _NO_LINE_END:
                    carry.insert(0, line.pop())
                lines.append("".join(line).rstrip())
                line = carry
            line.append(token)  # a word longer than a line (a URL, a path) stays whole: it must copy
        lines.append("".join(line).rstrip())
    return lines
