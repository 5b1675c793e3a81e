"""The scripts as scans send them: msdiag's PowerShell without its comments.

A remote scan sends the runner and the check scripts to every host (about 118,000 characters);
about a quarter of that is comments and comment-based help, which the host only parses and
throws away. Every byte of it is sealed (NTLM/Kerberos message encryption), base64-encoded and
sent, and it pushed the CreatePipeline past one WSMan envelope (one more round trip per host).
:func:`strip_comments` removes them, and nothing else:

* code, strings and here-strings are kept byte for byte, indentation included, so the text stays
  readable where a defender sees it (script block logging, AMSI);
* every line stays where it was (a removed comment leaves its line breaks), so a parse error a
  host reports ("At line:57 char:9") points at that line of the file in ps_scripts/;
* only comments PowerShell itself would see are removed: a ``#`` at the start of a line or after
  whitespace or ``( { ; , |``, outside strings; a ``<# ... #>`` block only when it spans whole
  lines (or stays within one), so that removing it can never join two tokens or drop a line
  break that ended a statement. ``#requires`` lines are kept (they are directives).

This is plain text, not an encoded or compressed script block (security tools flag those). The
readable source stays in ps_scripts/ and ``msdiag export-script`` embeds it with its comments.
tests/collectors/test_wire_script.py proves, with tree-sitter-powershell, that every script msdiag
sends has the syntax tree of its source minus the comments, on the same lines.
"""

from __future__ import annotations

import re

#: Characters after which a ``#`` starts a comment (besides whitespace and the start of a line).
_TOKEN_ENDS = frozenset("({;,|")
#: PowerShell accepts typographic quotes as string delimiters too (about_Quoting_Rules).
_SINGLE_QUOTES = frozenset("'\u2018\u2019\u201a\u201b")
_DOUBLE_QUOTES = frozenset('"\u201c\u201d\u201e')
_REQUIRES = re.compile(r"#requires\b", re.IGNORECASE)
_LINE_REST = re.compile(r"[^\r\n]*")


class _Scanner:
    """Finds the comments of one PowerShell text (positions), skipping strings and variables."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.comments: list[tuple[int, int]] = []
        self._nested = 0  # inside a string's $( ... ): comments there are left alone

    def _starts_token(self, index: int) -> bool:
        if index == 0:
            return True
        before = self.text[index - 1]
        if before in _TOKEN_ENDS:
            return True
        if not before.isspace():
            return False
        # a backtick before the whitespace escapes it: the token is still going on
        back = index - 1
        while back > 0 and self.text[back - 1] in " \t":
            back -= 1
        return back == 0 or self.text[back - 1] != "`"

    def code(self, index: int, closing: str | None = None) -> int:
        """Scan code from ``index`` to the end, or past the bracket ``closing`` that ends it."""
        text, length = self.text, len(self.text)
        depth = 0
        while index < length:
            char = text[index]
            if char == "`":
                index += 2  # an escaped character, or a line continuation
            elif char in _SINGLE_QUOTES:
                index = self._single_quoted(index + 1)
            elif char in _DOUBLE_QUOTES:
                index = self._double_quoted(index + 1)
            elif char == "@" and text.startswith(("@'", '@"'), index) and self._here_string_opens(index):
                index = self._here_string(index)
            elif char == "<" and text.startswith("<#", index):
                index = self._block_comment(index)
            elif char == "#" and self._starts_token(index):
                end = _LINE_REST.match(text, index).end()  # type: ignore[union-attr]
                if not self._nested and not _REQUIRES.match(text, index):
                    self.comments.append((index, end))
                index = end
            elif char == "$" and text.startswith("${", index):
                end = text.find("}", index)  # a braced variable name: anything up to the brace
                index = length if end < 0 else end + 1
            elif closing is not None and char in "({[":
                depth += 1
                index += 1
            elif closing is not None and char in ")}]":
                if depth == 0:
                    return index + 1
                depth -= 1
                index += 1
            else:
                index += 1
        return length

    def _single_quoted(self, index: int) -> int:
        text, length = self.text, len(self.text)
        while index < length:
            if text[index] in _SINGLE_QUOTES:
                if index + 1 < length and text[index + 1] in _SINGLE_QUOTES:
                    index += 2  # '' is one quote inside the string
                    continue
                return index + 1
            index += 1
        return length

    def _double_quoted(self, index: int) -> int:
        text, length = self.text, len(self.text)
        while index < length:
            char = text[index]
            if char == "`":
                index += 2
            elif char == "$" and text.startswith("$(", index):
                self._nested += 1  # a subexpression: code, with its own strings
                index = self.code(index + 2, ")")
                self._nested -= 1
            elif char in _DOUBLE_QUOTES:
                if index + 1 < length and text[index + 1] in _DOUBLE_QUOTES:
                    index += 2
                    continue
                return index + 1
            else:
                index += 1
        return length

    def _here_string_opens(self, index: int) -> bool:
        # @' and @" open a here-string only when nothing but whitespace follows on their line
        end = self.text.find("\n", index + 2)
        rest = self.text[index + 2 : len(self.text) if end < 0 else end]
        return not rest.strip()

    def _here_string(self, index: int) -> int:
        quote = self.text[index + 1]
        closing = re.compile("^" + re.escape(quote) + "@", re.MULTILINE)
        found = closing.search(self.text, index + 2)
        return len(self.text) if found is None else found.end()

    def _block_comment(self, index: int) -> int:
        text = self.text
        close = text.find("#>", index + 2)
        end = len(text) if close < 0 else close + 2
        line_start = text.rfind("\n", 0, index) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        alone = not text[line_start:index].strip() and not text[end:line_end].strip()
        one_line = "\n" not in text[index:end]
        # removing a block in the middle of code on several lines could drop a statement's end
        if not self._nested and (alone or (one_line and self._starts_token(index))):
            self.comments.append((index, end))
        return end


def strip_comments(text: str) -> str:
    """``text`` without its comments, every line kept where it was (see the module text)."""
    scanner = _Scanner(text)
    scanner.code(0)
    if not scanner.comments:
        return text
    parts: list[str] = []
    kept = 0
    for start, end in scanner.comments:
        before = text[kept:start]
        if text.startswith(("\n", "\r\n"), end) or end == len(text):
            # the spaces that only led up to the comment go with it (never an escaped one)
            trimmed = before.rstrip(" \t")
            before = before if trimmed.endswith("`") else trimmed
        parts.append(before)
        parts.append("\n" * text.count("\n", start, end))
        kept = end
    parts.append(text[kept:])
    return "".join(parts)
