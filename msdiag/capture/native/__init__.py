"""Parsers of the text native Windows programs print: pure functions from text to typed facts.

The check scripts run ``dsregcmd /status``, ``netsh winhttp show proxy`` and ``w32tm /query
/status`` and return what they printed, bounded and decoded (a :class:`NativeOutput`); msdiag
reads it here, where it can be tested on real outputs (tests/data/native/, each sample with the
public page it came from). Keeping the parsing out of PowerShell keeps the scripts thin and lets
an unrecognised layout be an error that keeps the text, not a silently empty field.

Every parser takes untrusted text and never raises: what it cannot read stays None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from pydantic import StringConstraints

from msdiag.capture.bounds import Model, ShortText

#: the most characters of one program's output a script returns (dsregcmd /status is about 6 KB)
NATIVE_TEXT_LIMIT = 65536
NativeText = Annotated[str, StringConstraints(max_length=NATIVE_TEXT_LIMIT)]


class NativeOutput(Model):
    """What one native program printed, as the check script captured it (raw, bounded)."""

    command: ShortText  #: the program and its arguments, e.g. `dsregcmd /status`
    text: NativeText = ""  #: standard output, decoded (see `encoding`), at most 65,536 characters
    exit_code: int | None = None  #: the program's exit code; null when it was stopped
    timed_out: bool = False  #: the program did not finish within its bound and was stopped
    truncated: bool = False  #: the output was longer than the bound and was cut
    #: how the bytes were decoded: `utf-8`, `utf-16le` or `oem-<code page>` (e.g. `oem-932`)
    encoding: ShortText | None = None


#: ``Label : value`` (dsregcmd, netsh) or ``Label: value`` (w32tm): the label has no colon
_LABEL_LINE = re.compile(r"^\s*(?P<label>[^:\r\n]{1,64}?)\s*[:：]\s?(?P<value>.*?)\s*$")


def label_lines(text: str) -> Iterator[tuple[str, str]]:
    """(label, value) of every ``label : value`` line, labels and values stripped."""
    for line in text.splitlines():
        match = _LABEL_LINE.match(line.replace("**", ""))
        if match:
            yield match.group("label").strip(), match.group("value").strip()


def squash(label: str) -> str:
    """A label without spaces, lower case: ``Azure Ad Prt`` and ``AzureAdPrt`` read the same."""
    return re.sub(r"\s+", "", label).lower()

