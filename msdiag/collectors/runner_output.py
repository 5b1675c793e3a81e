"""Parse what the runner script prints (the runner protocol's reading side).

The runner (see :mod:`msdiag.collectors.runner_script`) prints one JSON line per check between a
"start" and an "end" line. The local runner, the remote collector and runner transcripts read it
with :func:`parse_runner_output`. That output comes from a scanned host and is untrusted: every
line and count is bounded, each line is decoded within the documented bounds (msdiag.json_bounds:
size, members, nesting, number length; lone surrogates replaced), and nothing in it can raise here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from msdiag.capture.models import CheckResult, CheckStatus
from msdiag.capture.parse import MAX_DOCUMENT_CHARS, RAW_LIMIT, parse_check_output, validate_document
from msdiag.checks import CHECKS_BY_NAME
from msdiag.collectors.interface import NOT_REPORTED, not_reported
from msdiag.errors import InputError
from msdiag.json_bounds import JsonBoundsError, decode, inspect, replace_surrogates

#: Bounds on untrusted runner output.
MAX_LINES = 5000
MAX_LINE_CHARS = MAX_DOCUMENT_CHARS
MAX_STRAY = 50
STRAY_CHARS = 500

# The start of a check document, to attribute a line that is not valid JSON (truncated output).
_DOCUMENT_PREFIX = re.compile(r'^\{\s*"check"\s*:\s*"([a-z]{1,32})"')

__all__ = ["MAX_LINES", "MAX_LINE_CHARS", "MAX_STRAY", "NOT_REPORTED", "STRAY_CHARS", "RunnerOutput", "parse_runner_output"]


@dataclass
class RunnerOutput:
    """What one runner invocation reported."""

    #: the start line's fields (host, ps_edition, ps_version, utc, protocol), or None if absent
    start: dict[str, Any] | None = None
    #: one result for every requested check (error when it failed or never reported)
    results: dict[str, CheckResult] = field(default_factory=dict)
    #: the end line was seen (False: the run was cut short)
    ended: bool = False
    #: lines that were none of the protocol's (bounded count and length)
    stray: list[str] = field(default_factory=list)
    #: checks whose check_start line was seen (protocol 2), in order
    started: list[str] = field(default_factory=list)


def _clean_start(line: dict[str, Any]) -> dict[str, Any]:
    # Keep only the known fields, as bounded primitives.
    start: dict[str, Any] = {}
    for key in ("protocol", "host", "ps_edition", "ps_version", "utc", "language_mode"):
        value = line.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            start[key] = value
        elif isinstance(value, str):
            start[key] = value[:512]
    return start


def _refused(reason: str, text: str) -> CheckResult:
    return CheckResult(status=CheckStatus.ERROR, reason=reason[:4096], raw=text[:RAW_LIMIT])


class _Reader:
    def __init__(self, requested: list[str]) -> None:
        self.requested = requested
        self.out = RunnerOutput()
        self.lines_seen = 0

    def stray(self, text: str) -> None:
        if len(self.out.stray) < MAX_STRAY:
            self.out.stray.append(text[:STRAY_CHARS])

    def record(self, check: str, result: CheckResult, line: str) -> None:
        if check not in self.requested:
            self.stray(line)
        elif check in self.out.results:
            self.stray(f"[{check} reported again] {line}")
        else:
            self.out.results[check] = result

    def feed(self, line: str) -> None:
        text = replace_surrogates(line.strip().lstrip("\ufeff").strip())
        if not text:
            return
        if self.out.ended:
            self.stray(text)
            return
        if len(text) > MAX_LINE_CHARS:
            self._unparsed(text)
            return
        try:
            value, problem = inspect(decode(text, max_chars=MAX_LINE_CHARS))
        except json.JSONDecodeError:
            self._unparsed(text)
            return
        except JsonBoundsError as exc:
            self._unparsed(text, f"refused: {exc}")
            return
        if not isinstance(value, dict):
            self.stray(text)
            return
        marker = value.get("msdiag_runner")
        if marker is not None:
            self._runner_line(marker, value, text)
            return
        check = value.get("check")
        if isinstance(check, str) and check in self.requested:
            result = (
                _refused(f"refused: {problem}", text)
                if problem is not None
                else validate_document(value, expected_check=check, raw=text)
            )
            self.record(check, result, text)
        else:
            self.stray(text)

    def _unparsed(self, text: str, refused: str | None = None) -> None:
        # Not JSON (truncated, garbled, too long) or over a bound (``refused``, the reason):
        # attribute it to its check when the prefix says.
        match = _DOCUMENT_PREFIX.match(text[:200])
        if match and match.group(1) in self.requested:
            check = match.group(1)
            if refused is not None:
                result = _refused(refused, text)
            else:
                _, result = parse_check_output(text, expected_check=check)
            self.record(check, result, text)
        else:
            self.stray(text)

    def _runner_line(self, marker: Any, value: dict[str, Any], text: str) -> None:
        if marker == "start" and self.out.start is None:
            self.out.start = _clean_start(value)
        elif marker == "end":
            self.out.ended = True
        elif marker == "check_failed" and isinstance(value.get("check"), str):
            check = value["check"]
            message = value.get("message")
            reason = f"the check failed: {message if isinstance(message, str) else 'no message'}"
            result = CheckResult(status=CheckStatus.ERROR, reason=reason[:4096], raw=text[:RAW_LIMIT])
            self.record(check, result, text)
        elif not protocol2_line(self, marker, value, text):
            self.stray(text)


def parse_runner_output(texts: Iterable[str], requested: Sequence[str]) -> RunnerOutput:
    """Read "lines" output (stdout lines, or one string per PSRP output object) into results.

    Never raises for anything in ``texts``: a requested check that printed invalid, truncated or
    hostile output, or nothing at all, gets an error result with the raw text kept.
    """
    if isinstance(requested, str):
        requested = [requested]
    unknown = [name for name in requested if name not in CHECKS_BY_NAME]
    if unknown:
        raise InputError(f"unknown check name(s): {', '.join(unknown)}")
    reader = _Reader(list(dict.fromkeys(requested)))
    for chunk in texts:
        if not isinstance(chunk, str):
            reader.stray(f"[non-text output: {type(chunk).__name__}]")
            continue
        for line in chunk.splitlines():
            reader.lines_seen += 1
            if reader.lines_seen > MAX_LINES:
                reader.stray(f"[output stopped being read after {MAX_LINES} lines]")
                break
            reader.feed(line)
        if reader.lines_seen > MAX_LINES:
            break
    out = reader.out
    settle_unfinished(out, reader.requested)
    for name in reader.requested:
        if name not in out.results:
            out.results[name] = not_reported()
    # requested order, so reports list checks the way they were asked for
    out.results = {name: out.results[name] for name in reader.requested}
    return out


# ---------------------------------------------------------------- protocol 2: started, blocked, language mode
#: The language mode the checks need; the runner reports any other and runs nothing.
FULL_LANGUAGE = "FullLanguage"
LANGUAGE_MODES = frozenset({FULL_LANGUAGE, "ConstrainedLanguage", "RestrictedLanguage", "NoLanguage"})
#: Reason of a check that started and was cut short (the runner stopped during it).
UNFINISHED = "the check started but did not finish: the scan stopped while it ran"
BLOCKED_PREFIX = "blocked by antivirus software (AMSI) before it ran"


def restricted_language_mode(out: RunnerOutput) -> str | None:
    """The language mode the runner reported when it is not FullLanguage (then it ran no check)."""
    mode = (out.start or {}).get("language_mode")
    if not isinstance(mode, str) or mode == FULL_LANGUAGE:
        return None
    return mode if mode in LANGUAGE_MODES else "an unknown language"


def protocol2_line(reader: _Reader, marker: Any, value: dict[str, Any], text: str) -> bool:
    """check_start and check_blocked lines; False for anything else (stray)."""
    check = value.get("check")
    if not isinstance(check, str) or check not in reader.requested:
        return False
    if marker == "check_start":
        if check not in reader.out.started:
            reader.out.started.append(check)
        return True
    if marker == "check_blocked":
        message = value.get("message")
        reason = f"{BLOCKED_PREFIX}: {message if isinstance(message, str) else 'no message'}"
        reader.record(check, CheckResult(status=CheckStatus.BLOCKED, reason=reason[:4096]), text)
        return True
    return False


def settle_unfinished(out: RunnerOutput, requested: Sequence[str]) -> None:
    """Checks without an outcome that the runner did start, or did not run for its language mode:
    not run (never a pass), each with its reason. The others are left to the caller's fill-in."""
    mode = restricted_language_mode(out)
    for name in requested:
        if name in out.results:
            continue
        if name in out.started:
            out.results[name] = CheckResult(status=CheckStatus.NOT_RUN, reason=UNFINISHED)
        elif mode is not None:
            out.results[name] = CheckResult(
                status=CheckStatus.NOT_RUN, reason=f"not run: PowerShell on this host runs in {mode} mode"
            )


def line_outcome(line: str, requested: Sequence[str]) -> tuple[str, CheckResult] | None:
    """The check outcome one runner line reports, read exactly as :func:`parse_runner_output` reads
    it (progress while the runner still runs); None for any other line."""
    reader = _Reader(list(dict.fromkeys(requested)))
    reader.feed(line)
    return next(iter(reader.out.results.items()), None)
