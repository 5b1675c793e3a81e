"""Compose the one-process runner script and parse what it prints (the runner protocol).

All selected checks run in ONE PowerShell invocation: ps_scripts/Invoke-MsdiagRunner.ps1 with the
shared helper files (ps_scripts/MsdiagCommon.ps1, MsdiagWinInet.ps1) defined once and each check
script embedded as a script block. The local runner, the remote collector, the lab and
``msdiag export-script`` all use :func:`build_runner`; the first three read the "lines" output
with :func:`parse_runner_output`. :func:`build_check_script` makes one check standalone (its
helpers inlined), for a client that runs one script per check. That output comes from a scanned host and is untrusted: every
line and count is bounded, and nothing in it can raise here.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from diag import __version__
from diag.capture.models import CheckResult, CheckStatus
from diag.capture.parse import MAX_DOCUMENT_CHARS, RAW_LIMIT, parse_check_output, validate_document
from diag.checks import (
    CHECK_NAMES,
    CHECKS_BY_NAME,
    HELPER_SCRIPTS,
    helper_script_text,
    script_text,
    scripts_dir,
)
from diag.errors import InputError

RUNNER_SCRIPT = "Invoke-MsdiagRunner.ps1"
PROTOCOL_VERSION = 1

HELPERS_MARKER = "# @@MSDIAG_HELPERS@@"
CHECKS_MARKER = "# @@MSDIAG_CHECKS@@"
MODE_LINE = "$msdiagRunnerMode = 'lines'  # @@MSDIAG_MODE@@"
VERSION_LINE = "$msdiagVersion = ''  # @@MSDIAG_VERSION@@"
USAGE_MARKER = "@@MSDIAG_USAGE@@"

#: Bounds on untrusted runner output.
MAX_LINES = 5000
MAX_LINE_CHARS = MAX_DOCUMENT_CHARS
MAX_STRAY = 50
STRAY_CHARS = 500

#: The endpoints check clamps its timeout to this range; msdiag refuses values outside it.
MIN_ENDPOINT_TIMEOUT_MS = 200
MAX_ENDPOINT_TIMEOUT_MS = 10000
MAX_ENDPOINT_HOSTS = 64
MAX_PAC_URL_CHARS = 2048
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
# The start of a check document, to attribute a line that is not valid JSON (truncated output).
_DOCUMENT_PREFIX = re.compile(r'^\{\s*"check"\s*:\s*"([a-z]{1,32})"')

NOT_REPORTED = "the scan ended before this check reported"

# How a check script loads a helper file when it runs on its own (see ps_scripts/MsdiagCommon.ps1):
#   if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
#       . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
#   }
HELPER_LOADER = re.compile(
    r"^if \(-not \(Get-Command -Name '(?P<function>[A-Za-z]+-[A-Za-z]+)' -CommandType Function "
    r"-ErrorAction SilentlyContinue\)\) \{\r?\n"
    r"[ \t]+\. \(\[System\.IO\.Path\]::Combine\(\$PSScriptRoot, '(?P<file>[A-Za-z]+\.ps1)'\)\)\r?\n"
    r"\}[ \t]*(?:\r?\n|$)",
    re.MULTILINE,
)

_USAGE = {
    "lines": """.EXAMPLE
    pwsh -NoProfile -NonInteractive -ExecutionPolicy Bypass -File runner.ps1 -Checks os,locale
    Prints one JSON line per check (the msdiag runner protocol); msdiag itself runs it this way.""",
    "capture": """.EXAMPLE
    powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\\msdiag-collect.ps1 > capture.json
    Run from cmd.exe (or an Intune / ConfigMgr / RMM script step) on the Windows machine to check.
    The output is UTF-8 JSON: one msdiag capture of every check. Copy capture.json to a machine
    with msdiag and run:  msdiag diagnose capture.json
.EXAMPLE
    .\\msdiag-collect.ps1 -EndpointTimeoutMs 5000 | Set-Content -Encoding UTF8 capture.json
    From a PowerShell prompt (Windows PowerShell 5.1 redirection with > would write UTF-16;
    msdiag reads UTF-8). Nothing on the machine is changed; no administrator rights are needed,
    although an elevated session can read a few more settings.""",
}


def _validate_names(checks: Sequence[str]) -> list[str]:
    if isinstance(checks, str):
        raise InputError("checks must be a list of check names, not one string")
    names = [str(name).strip().lower() for name in checks]
    unknown = [name for name in names if name not in CHECKS_BY_NAME]
    if unknown:
        raise InputError(
            f"unknown check name(s): {', '.join(unknown)}. Known checks: {', '.join(CHECK_NAMES)}."
        )
    if not names:
        raise InputError("no check selected")
    # canonical order, no duplicates: the runner reports in the order it is given
    return [name for name in CHECK_NAMES if name in names]


def helper_files(check: str) -> list[str]:
    """The helper files ``check``'s script loads (its guarded dot-sources), in load order."""
    files = [match.group("file") for match in HELPER_LOADER.finditer(script_text(check))]
    unknown = [name for name in files if name not in HELPER_SCRIPTS]
    if unknown:
        raise RuntimeError(
            f"{CHECKS_BY_NAME[check].script} loads unknown helper file(s): {', '.join(unknown)}"
        )
    return files


def _inlined_helper(file_name: str) -> str:
    # Dot-sourcing the file's own text as a script block defines its functions in the enclosing
    # scope, with its help and param block left as they are.
    body = helper_script_text(file_name).lstrip("\ufeff").rstrip()
    return f"# {file_name}, inlined by msdiag\n. {{\n{body}\n}}\n"


def _embedded_check(name: str) -> str:
    body = script_text(name).lstrip("\ufeff").rstrip()
    # The script's own text becomes a script block literal: its param block and help still work.
    return f"$msdiagChecks['{name}'] = {{\n{body}\n}}\n"


def build_runner(checks: Sequence[str], *, mode: Literal["lines", "capture"] = "lines") -> str:
    """The runner script with the given checks embedded, for one PowerShell invocation."""
    if mode not in ("lines", "capture"):
        raise InputError(f"unknown runner mode {mode!r} (lines or capture)")
    names = _validate_names(checks)
    needed = {file_name for name in names for file_name in helper_files(name)}
    template = (scripts_dir() / RUNNER_SCRIPT).read_text(encoding="utf-8-sig")
    for marker in (HELPERS_MARKER, CHECKS_MARKER, MODE_LINE, VERSION_LINE, USAGE_MARKER):
        if template.count(marker) != 1:
            raise RuntimeError(f"{RUNNER_SCRIPT} must contain {marker!r} exactly once")
    text = template.replace(USAGE_MARKER, _USAGE[mode])
    text = text.replace(MODE_LINE, f"$msdiagRunnerMode = '{mode}'")
    text = text.replace(VERSION_LINE, f"$msdiagVersion = '{__version__}'")
    lines = text.splitlines(keepends=True)
    composed: list[str] = []
    for line in lines:
        if line.strip() == HELPERS_MARKER:
            # once each, before the checks: the checks' own loaders then find them and load nothing
            composed.extend(_inlined_helper(file_name) for file_name in HELPER_SCRIPTS if file_name in needed)
        elif line.strip() == CHECKS_MARKER:
            composed.extend(_embedded_check(name) for name in names)
        else:
            composed.append(line)
    return "".join(composed)


def build_check_script(check: str) -> str:
    """One check as a standalone script: its own text with each helper loader replaced by the
    helper file's text, so it runs with no file beside it (``Client.execute_ps``, a pasted session).
    """
    (name,) = _validate_names([check])
    return HELPER_LOADER.sub(
        lambda match: _inlined_helper(match.group("file")), script_text(name).lstrip("\ufeff")
    )


@functools.cache
def _one_check_scripts() -> tuple[tuple[str, str, str], ...]:
    # (check, its script file's text, build_check_script's text), stripped, read once per process
    return tuple((name, script_text(name).strip(), build_check_script(name).strip()) for name in CHECK_NAMES)


def identify_check_script(script: str) -> str | None:
    """Which check a one-check script runs: a bundled check script file as it is, or
    :func:`build_check_script`'s output (the lab answers those with that check's document)."""
    try:
        forms = _one_check_scripts()
    except OSError:  # scripts missing from the installation: nothing to recognise
        return None
    for name, file_text, standalone in forms:
        if standalone in script or file_text in script:
            return name
    return None


def validate_pac_url(url: str) -> str:
    """A PAC URL msdiag may hand to the endpoints check: http(s), a host, no user name or password."""
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise InputError("the PAC URL is empty")
    if len(text) > MAX_PAC_URL_CHARS:
        raise InputError(f"the PAC URL is longer than {MAX_PAC_URL_CHARS} characters")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in text):
        raise InputError("the PAC URL contains spaces or control characters")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise InputError(f"not a valid PAC URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(
            "the PAC URL must start with http:// or https:// (Windows ignores file:// PAC addresses)"
        )
    if not host:
        raise InputError("the PAC URL has no host name")
    if parts.username is not None or parts.password is not None:
        # it would travel on a command line and into the capture
        raise InputError("the PAC URL must not contain a user name or password")
    return text


def runner_parameters(
    checks: Sequence[str],
    endpoint_hosts: Sequence[str] | None = None,
    endpoint_timeout_ms: int | None = None,
    pac_url: str | None = None,
) -> dict[str, list[str] | int | str]:
    """The runner's parameters (PowerShell names), validated: for add_parameter or the command line.

    ``pac_url`` makes the endpoints check probe that PAC file instead of the user's AutoConfigURL.
    """
    params: dict[str, list[str] | int | str] = {"Checks": _validate_names(checks)}
    if endpoint_hosts is not None:
        hosts = [h.strip() for h in endpoint_hosts if h.strip()]
        bad = [h for h in hosts if not _HOST_NAME.match(h)]
        if bad:
            raise InputError(f"not a valid host name: {', '.join(repr(h[:80]) for h in bad[:5])}")
        if not hosts:
            raise InputError("the endpoint host list is empty")
        if len(hosts) > MAX_ENDPOINT_HOSTS:
            raise InputError(f"at most {MAX_ENDPOINT_HOSTS} endpoint hosts can be probed")
        params["EndpointHosts"] = list(dict.fromkeys(hosts))
    if endpoint_timeout_ms is not None:
        if isinstance(endpoint_timeout_ms, bool) or not isinstance(endpoint_timeout_ms, int):
            raise InputError("the endpoint timeout must be a whole number of milliseconds")
        if not MIN_ENDPOINT_TIMEOUT_MS <= endpoint_timeout_ms <= MAX_ENDPOINT_TIMEOUT_MS:
            raise InputError(
                f"the endpoint timeout must be between {MIN_ENDPOINT_TIMEOUT_MS} and "
                f"{MAX_ENDPOINT_TIMEOUT_MS} ms (got {endpoint_timeout_ms})"
            )
        params["EndpointTimeoutMs"] = endpoint_timeout_ms
    if pac_url is not None:
        params["PacUrl"] = validate_pac_url(pac_url)
    return params


def runner_command_arguments(params: dict[str, list[str] | int | str]) -> list[str]:
    """``pwsh -File runner.ps1`` arguments for :func:`runner_parameters` output (lists comma-joined)."""
    args: list[str] = []
    for name, value in params.items():
        args.append(f"-{name}")
        args.append(",".join(value) if isinstance(value, list) else str(value))
    return args


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


def _clean_start(line: dict[str, Any]) -> dict[str, Any]:
    # Keep only the known fields, as bounded primitives.
    start: dict[str, Any] = {}
    for key in ("protocol", "host", "ps_edition", "ps_version", "utc"):
        value = line.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            start[key] = value
        elif isinstance(value, str):
            start[key] = value[:512]
    return start


class _Collector:
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
        text = line.strip().lstrip("\ufeff").strip()
        if not text:
            return
        if self.out.ended:
            self.stray(text)
            return
        if len(text) > MAX_LINE_CHARS:
            self._unparsed(text)
            return
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            self._unparsed(text)
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
            self.record(check, validate_document(value, expected_check=check, raw=text), text)
        else:
            self.stray(text)

    def _unparsed(self, text: str) -> None:
        # Not JSON (truncated, garbled, too long): attribute it to its check when the prefix says.
        match = _DOCUMENT_PREFIX.match(text[:200])
        if match and match.group(1) in self.requested:
            check = match.group(1)
            try:
                _, result = parse_check_output(text, expected_check=check)
            except RecursionError:  # json nesting deeper than Python's stack
                result = CheckResult(
                    status=CheckStatus.ERROR,
                    reason="not valid JSON (nested too deeply)",
                    raw=text[:RAW_LIMIT],
                )
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
        else:
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
    collector = _Collector(list(dict.fromkeys(requested)))
    for chunk in texts:
        if not isinstance(chunk, str):
            collector.stray(f"[non-text output: {type(chunk).__name__}]")
            continue
        for line in chunk.splitlines():
            collector.lines_seen += 1
            if collector.lines_seen > MAX_LINES:
                collector.stray(f"[output stopped being read after {MAX_LINES} lines]")
                break
            collector.feed(line)
        if collector.lines_seen > MAX_LINES:
            break
    out = collector.out
    for name in collector.requested:
        if name not in out.results:
            out.results[name] = CheckResult(status=CheckStatus.ERROR, reason=NOT_REPORTED)
    # requested order, so reports list checks the way they were asked for
    out.results = {name: out.results[name] for name in collector.requested}
    return out
