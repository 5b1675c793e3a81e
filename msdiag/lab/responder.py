"""What a lab pipeline returns: runner-protocol lines built from the host's capture.

The lab never runs PowerShell. It recognises the msdiag runner by its ``Checks`` parameter and
answers with the lines the runner would print on the captured machine; pypsrp's naive
``Client.execute_ps`` of one check script gets that check's document; anything else gets no
output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from msdiag.capture.models import Capture, CheckStatus
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.runner_script import identify_check_script

#: Bound on requested check names taken from a client's parameters.
MAX_REQUESTED = 64


@dataclass
class PipelineAnswer:
    """The output strings of a pipeline, or the message of the terminating error it fails with."""

    output: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Invocation:
    """The parts of a client's pipeline the lab looks at."""

    #: (command text, is_script, [(parameter name or None, value)])
    commands: list[tuple[str, bool, list[tuple[str | None, Any]]]]

    def parameter(self, name: str) -> Any:
        for _text, _is_script, params in self.commands:
            for key, value in params:
                if key is not None and key.lower() == name.lower():
                    return value
        return None


def _compact(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _string_list(value: Any) -> list[str]:
    """A [string[]] parameter as PowerShell binds it: items may themselves be comma-separated."""
    if value is None:
        return []
    items: Iterable[Any] = (
        [value] if isinstance(value, str) else value if isinstance(value, list) else [value]
    )
    names: list[str] = []
    for item in items:
        for part in str(item).split(","):
            if part.strip():
                names.append(part.strip().lower())
            if len(names) >= MAX_REQUESTED:
                return names
    return names


def _check_lines(capture: Capture, checks: Sequence[str], malformed: bool) -> list[str]:
    lines: list[str] = []
    for name in checks:
        result = capture.checks.get(name)
        if result is None or result.status == CheckStatus.NOT_RUN:
            continue  # the runner never reported it: the collector says the scan ended early
        if result.status == CheckStatus.OK and result.document is not None:
            text = _compact(result.document)
            # a host whose output got cut off: half a document, not JSON any more
            lines.append(text[: max(1, len(text) // 2)] if malformed else text)
        elif result.raw is not None:
            lines.append(result.raw)
        else:
            lines.append(
                _compact(
                    {
                        "msdiag_runner": "check_failed",
                        "check": name,
                        "message": result.reason or "the check failed",
                        "elapsed_ms": 0,
                    }
                )
            )
    return lines


def runner_lines(capture: Capture, checks: Sequence[str], *, malformed: bool = False) -> list[str]:
    """The runner protocol output the captured machine would have produced for ``checks``."""
    powershell = capture.powershell
    start = {
        "msdiag_runner": "start",
        "protocol": 1,
        "host": capture.host,
        "ps_edition": powershell.edition if powershell else None,
        "ps_version": powershell.version if powershell else None,
        "utc": capture.collected_utc,
    }
    body = _check_lines(capture, checks, malformed)
    end = {"msdiag_runner": "end", "elapsed_ms": capture.duration_ms or 0}
    return [_compact(start), *body, _compact(end)]


def _check_for_script(script: str) -> str | None:
    """Which check a one-check script runs, if any (the naive one-shell-per-check client): a bundled
    check script file as it is, or msdiag.collectors.runner_script.build_check_script's standalone text."""
    return identify_check_script(script)


def answer(capture: Capture, invocation: Invocation, *, malformed: bool = False) -> PipelineAnswer:
    """Decide a pipeline's output from the capture and what the client asked for."""
    checks = invocation.parameter("Checks")
    if checks is not None:
        requested = [c for c in _string_list(checks) if c in CHECK_NAMES]
        return PipelineAnswer(runner_lines(capture, requested, malformed=malformed))
    script = invocation.parameter("Command")
    if isinstance(script, str):
        name = _check_for_script(script)
        if name is not None:
            return PipelineAnswer(_check_lines(capture, [name], malformed))
    return PipelineAnswer()
