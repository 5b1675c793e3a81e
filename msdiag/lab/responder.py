"""What a lab pipeline returns: runner-protocol lines built from the host's capture.

The lab never runs PowerShell. It recognises the msdiag runner by its ``Checks`` parameter and
answers with the lines the runner would print on the captured machine; pypsrp's naive
``Client.execute_ps`` of one check script gets that check's document; Ansible's module wrapper
gets what win_powershell returns running msdiag's exported collector
(:mod:`msdiag.lab.ansible_module`); anything else gets no output.

A locked-down or defended host (:class:`~msdiag.lab.config.Faults`) answers as PowerShell would:

* ``constrained_language``: the runner reports its language mode and runs nothing; a plain check
  script fails on its first non-core type ("Cannot invoke method. Method invocation is supported
  only on core types in this language mode.");
* ``amsi_blocks``: AMSI scans every script text PowerShell compiles. A submitted script (or an
  ``Invoke-Expression`` command) that contains a blocked check's or helper file's text fails as a
  whole with the ParseError "This script contains malicious content and has been blocked by your
  antivirus software."; the runner, which compiles each ``-Sources`` unit on its own, reports just
  the checks whose unit (or a helper they need) is blocked;
* ``stop_during``: the runner stops with a terminating error while that check runs, after the
  earlier checks reported.

``unrecognised_output`` (not a fault) gives any other pipeline that one output line instead of
nothing, e.g. a module result so that Ansible's psrp connection completes its tasks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from msdiag.capture.models import Capture, CheckStatus
from msdiag.checks import CHECK_NAMES, helper_script_text, script_text
from msdiag.collectors.runner_script import (
    PROTOCOL_VERSION,
    SOURCES_PARAMETER,
    identify_check_script,
)
from msdiag.collectors.wire_script import strip_comments
from msdiag.lab.ansible_module import answer_module, is_module_wrapper
from msdiag.lab.config import Faults, LabHost

#: Bound on requested check names taken from a client's parameters.
MAX_REQUESTED = 64
#: Bound on the -Sources text the lab reads (msdiag sends about 100,000 characters).
MAX_SOURCES_CHARS = 4 * 1024 * 1024

#: What PowerShell says for a script block AMSI refuses (ParseError ScriptContainedMaliciousContent).
AMSI_MESSAGE = "This script contains malicious content and has been blocked by your antivirus software."
#: What a check script meets first in ConstrainedLanguage (a static method of a non-core type).
CLM_MESSAGE = "Cannot invoke method. Method invocation is supported only on core types in this language mode."
#: The error of a runner stopped by stop_during when the host has no script_error text.
STOPPED_MESSAGE = "The pipeline has been stopped."


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
    #: the objects the client piped into the pipeline (as strings), for a pipeline that took input
    input: tuple[str, ...] = ()

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


def _start_line(capture: Capture, protocol: int, language_mode: str = "FullLanguage") -> str:
    powershell = capture.powershell
    start: dict[str, Any] = {
        "msdiag_runner": "start",
        "protocol": protocol,
        "host": capture.host,
        "ps_edition": powershell.edition if powershell else None,
        "ps_version": powershell.version if powershell else None,
        "utc": capture.collected_utc,
    }
    if protocol >= 2:
        start["language_mode"] = language_mode
    return _compact(start)


def _end_line(capture: Capture) -> str:
    return _compact({"msdiag_runner": "end", "elapsed_ms": capture.duration_ms or 0})


def _reported_lines(capture: Capture, name: str, malformed: bool, protocol: int = PROTOCOL_VERSION) -> list[str]:
    """(protocol 2: check_start and) the check's outcome lines; nothing for a check the capture did
    not run."""
    body = _check_lines(capture, [name], malformed)
    if protocol < 2 or not body:
        return body
    return [_compact({"msdiag_runner": "check_start", "check": name}), *body]


def runner_lines(
    capture: Capture, checks: Sequence[str], *, malformed: bool = False, protocol: int = PROTOCOL_VERSION
) -> list[str]:
    """The runner protocol output the captured machine would have produced for ``checks``.

    ``protocol`` 1 is what runners before check_start printed (and what the lab answers a client
    that sends a stand-in script with a ``Checks`` parameter instead of msdiag's runner)."""
    body = [line for name in checks for line in _reported_lines(capture, name, malformed, protocol)]
    return [_start_line(capture, protocol), *body, _end_line(capture)]


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


# ---------------------------------------------------------------- locked-down and defended hosts
def _blocked_texts(faults: Faults) -> dict[str, tuple[str, ...]]:
    """The blocked units' own script texts (what an antivirus signature would match), by name:
    as in the file and as scans send it, without comments (a signature matches code)."""
    texts: dict[str, tuple[str, ...]] = {}
    for name in faults.amsi_blocks:
        text = (script_text(name) if name in CHECK_NAMES else helper_script_text(name)).lstrip("\ufeff")
        texts[name] = (text.strip(), strip_comments(text).strip())
    return texts


def _blocked_in(text: str, blocked: dict[str, tuple[str, ...]]) -> str | None:
    return next((name for name, forms in blocked.items() if any(f and f in text for f in forms)), None)


#: A line only msdiag's protocol-2 runner script holds (ps_scripts/Invoke-MsdiagRunner.ps1).
_PROTOCOL_2_RUNNER = f"$msdiagProtocol = {PROTOCOL_VERSION}"


def _protocol(invocation: Invocation) -> int:
    """The protocol of the runner the client sent: msdiag's own (2), or any other script (1)."""
    if any(is_script and _PROTOCOL_2_RUNNER in text for text, is_script, _params in invocation.commands):
        return PROTOCOL_VERSION
    return 1


def _sources(invocation: Invocation) -> dict[str, dict[str, Any]] | None:
    """The runner's -Sources units by name (None: not given, or not the JSON msdiag sends)."""
    text = invocation.parameter(SOURCES_PARAMETER)
    if not isinstance(text, str) or len(text) > MAX_SOURCES_CHARS:
        return None
    try:
        units = json.loads(text).get("units")
    except (ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(units, list):
        return None
    found: dict[str, dict[str, Any]] = {}
    for unit in units[:MAX_REQUESTED]:
        if isinstance(unit, dict) and isinstance(unit.get("name"), str) and isinstance(unit.get("text"), str):
            found[unit["name"]] = unit
    return found


def _blocked_line(name: str, why: str) -> str:
    return _compact(
        {"msdiag_runner": "check_blocked", "check": name, "by": "antimalware", "message": why, "elapsed_ms": 0}
    )


def _unit_outcome(
    host: LabHost,
    name: str,
    sources: dict[str, dict[str, Any]] | None,
    blocked: dict[str, tuple[str, ...]],
    protocol: int,
) -> list[str]:
    """What the runner prints for one check given as a -Sources unit (or embedded, sources None)."""
    malformed = host.faults.malformed_output
    if sources is None:
        return _reported_lines(host.capture, name, malformed, protocol)
    start = _compact({"msdiag_runner": "check_start", "check": name})
    unit = sources.get(name)
    if unit is None or unit.get("kind") != "check":
        message = f"this runner does not contain a check named '{name}'"
        failed = {"msdiag_runner": "check_failed", "check": name, "message": message, "elapsed_ms": 0}
        return [start, _compact(failed)]
    for need in unit.get("needs") or []:
        helper = sources.get(need) if isinstance(need, str) else None
        if helper is not None and _blocked_in(str(helper.get("text")), blocked):
            return [start, _blocked_line(name, f"the helper file {need} it needs was blocked: {AMSI_MESSAGE}")]
    if _blocked_in(str(unit.get("text")), blocked):
        return [start, _blocked_line(name, AMSI_MESSAGE)]
    return _reported_lines(host.capture, name, malformed)


def _runner_answer(host: LabHost, invocation: Invocation, requested: list[str]) -> PipelineAnswer:
    faults = host.faults
    capture = host.capture
    protocol = _protocol(invocation)
    if faults.constrained_language and protocol >= 2:
        stopped = _compact({"msdiag_runner": "end", "elapsed_ms": 0, "stopped": "language_mode"})
        return PipelineAnswer([_start_line(capture, protocol, "ConstrainedLanguage"), stopped])
    if faults.constrained_language:
        return PipelineAnswer(error=CLM_MESSAGE)  # an older runner fails on its first non-core type
    sources = _sources(invocation)
    blocked = _blocked_texts(faults)
    lines = [_start_line(capture, protocol)]
    for name in requested:
        outcome = _unit_outcome(host, name, sources, blocked, protocol)
        if faults.stop_during == name:
            # stopped while this check ran: its check_start went out, its outcome never does
            lines.extend(outcome[:1] or [_compact({"msdiag_runner": "check_start", "check": name})])
            return PipelineAnswer(lines, error=faults.script_error or STOPPED_MESSAGE)
        lines.extend(outcome)
    lines.append(_end_line(capture))
    return PipelineAnswer(lines)


def respond(host: LabHost, invocation: Invocation) -> PipelineAnswer:
    """The whole answer of a lab host to one pipeline, its faults applied."""
    faults = host.faults
    if is_module_wrapper(invocation.commands) and invocation.input:
        # Ansible's module wrapper: the module decides the answer, faults included (ansible_module.py)
        return PipelineAnswer(answer_module(host, invocation.input, AMSI_MESSAGE))
    if faults.script_error is not None and faults.stop_during is None:
        return PipelineAnswer(error=faults.script_error)
    blocked = _blocked_texts(faults)
    if blocked:
        # AMSI scans each script text PowerShell compiles, the submitted script first
        compiled = [text for text, is_script, _params in invocation.commands if is_script]
        command = invocation.parameter("Command")
        if isinstance(command, str):
            compiled.append(command)
        if any(_blocked_in(text, blocked) for text in compiled):
            return PipelineAnswer(error=AMSI_MESSAGE)
    checks = invocation.parameter("Checks")
    if checks is not None:
        return _runner_answer(host, invocation, [c for c in _string_list(checks) if c in CHECK_NAMES])
    if faults.constrained_language and _check_for_script(str(invocation.parameter("Command") or "")):
        return PipelineAnswer(error=CLM_MESSAGE)
    if faults.unrecognised_output is not None:
        command = invocation.parameter("Command")
        if not isinstance(command, str) or _check_for_script(command) is None:
            return PipelineAnswer([faults.unrecognised_output])  # neither the runner nor a check script
    return answer(host.capture, invocation, malformed=faults.malformed_output)
