"""Compose the one-process runner script and its parameters (the runner protocol's sending side).

All selected checks run in ONE PowerShell invocation of ps_scripts/Invoke-MsdiagRunner.ps1, in one
of two forms (the runner's comment-based help says why):

* scans (local and remote) send the runner without any check in its text, and the check and
  shared helper scripts (ps_scripts/MsdiagCommon.ps1, MsdiagWinInet.ps1) as data: the JSON of
  :func:`runner_sources`, in the runner's ``-Sources`` parameter (remote, :func:`cached_sources`)
  or a file named by ``-SourcePath`` (local). The runner makes each one a script block of its own,
  so antivirus software (AMSI) that blocks one check blocks only that check;
* ``msdiag export-script`` (:func:`build_runner` with ``embed=True``, the default) embeds the
  helpers once and each check as a script block: one self-contained file an organisation can sign.

What the runner prints is read by :mod:`msdiag.collectors.runner_output`. :func:`build_check_script`
makes one check standalone (its helpers inlined), for a client that runs one script per check.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Sequence
from typing import Literal
from urllib.parse import urlsplit

from msdiag import __version__
from msdiag.checks import (
    CHECK_NAMES,
    CHECKS_BY_NAME,
    HELPER_SCRIPTS,
    helper_script_text,
    script_text,
    scripts_dir,
)
from msdiag.collectors.wire_script import strip_comments
from msdiag.errors import InputError

RUNNER_SCRIPT = "Invoke-MsdiagRunner.ps1"
PROTOCOL_VERSION = 2
#: The runner's parameters that carry the check scripts as data (see runner_sources).
SOURCES_PARAMETER = "Sources"
SOURCE_PATH_PARAMETER = "SourcePath"

HELPERS_MARKER = "# @@MSDIAG_HELPERS@@"
CHECKS_MARKER = "# @@MSDIAG_CHECKS@@"
MODE_LINE = "$msdiagRunnerMode = 'lines'  # @@MSDIAG_MODE@@"
VERSION_LINE = "$msdiagVersion = ''  # @@MSDIAG_VERSION@@"
USAGE_MARKER = "@@MSDIAG_USAGE@@"

#: The endpoints check clamps its timeout to this range; msdiag refuses values outside it.
MIN_ENDPOINT_TIMEOUT_MS = 200
MAX_ENDPOINT_TIMEOUT_MS = 10000
MAX_ENDPOINT_HOSTS = 64
MAX_PAC_URL_CHARS = 2048
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
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


def validate_check_names(checks: Sequence[str]) -> list[str]:
    """Known check names (case and spaces ignored), in the spec's order, without duplicates."""
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


def build_runner(
    checks: Sequence[str],
    *,
    mode: Literal["lines", "capture"] = "lines",
    embed: bool = True,
    comments: bool = True,
) -> str:
    """The runner script for one PowerShell invocation: with the given checks embedded, or with
    ``embed=False`` none (they are passed as :func:`runner_sources`); ``comments=False`` gives the
    text scans send (:func:`~msdiag.collectors.wire_script.strip_comments`)."""
    if mode not in ("lines", "capture"):
        raise InputError(f"unknown runner mode {mode!r} (lines or capture)")
    names = validate_check_names(checks) if embed else []
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
    runner = "".join(composed)
    return runner if comments else strip_comments(runner)


def runner_sources(checks: Sequence[str], *, comments: bool = True) -> str:
    """The check scripts and the helper files they need, as the runner's ``-Sources`` JSON.

    ``{"units": [{"name", "kind", "needs", "text"}]}``: helpers first (``kind`` "helper", named by
    file), then each check (``kind`` "check", ``needs`` its helper files), each script's own text
    (``comments=False``: without its comments, as scans send it).
    """
    names = validate_check_names(checks)
    needs = {name: helper_files(name) for name in names}
    needed = {file_name for files in needs.values() for file_name in files}
    form = (lambda text: text) if comments else strip_comments
    units: list[dict[str, object]] = [
        {
            "name": file_name,
            "kind": "helper",
            "needs": [],
            "text": form(helper_script_text(file_name).lstrip("\ufeff")),
        }
        for file_name in HELPER_SCRIPTS
        if file_name in needed
    ]
    units.extend(
        {"name": name, "kind": "check", "needs": needs[name], "text": form(script_text(name).lstrip("\ufeff"))}
        for name in names
    )
    # ASCII JSON: safe in a file Windows PowerShell 5.1 reads and in any console code page.
    return json.dumps({"units": units}, ensure_ascii=True, separators=(",", ":"))


def build_check_script(check: str) -> str:
    """One check as a standalone script: its own text with each helper loader replaced by the
    helper file's text, so it runs with no file beside it (``Client.execute_ps``, a pasted session).
    """
    (name,) = validate_check_names([check])
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
    params: dict[str, list[str] | int | str] = {"Checks": validate_check_names(checks)}
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


# ---------------------------------------------------------------- composed once per selection
# The runner and its sources come from a dozen .ps1 files, ~100,000 characters (about 2 ms, plus
# file-system calls under the interpreter lock that every scan thread shares). A fleet scan sends
# the same text to every host, so it is cached; the key includes each script file's size and
# modification time, so an edited ps_scripts/ is picked up by the next host, never served stale.
# The very same string object for every host also lets the memoized CLIXML escaping in
# psrp_tuning hit on identity instead of comparing 140,000 characters.
Fingerprint = tuple[str, tuple[tuple[str, int, int], ...]]


def _fingerprint() -> Fingerprint:
    directory = scripts_dir()
    files = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.lower().endswith(".ps1"):
                stat = entry.stat()
                files.append((entry.name, stat.st_mtime_ns, stat.st_size))
    return str(directory), tuple(sorted(files))


@functools.lru_cache(maxsize=8)
def _composed(checks: tuple[str, ...], fingerprint: Fingerprint) -> str:
    validate_check_names(list(checks))
    return build_runner(list(checks), embed=False, comments=False)


@functools.lru_cache(maxsize=8)
def _sources(checks: tuple[str, ...], fingerprint: Fingerprint) -> str:
    return runner_sources(list(checks), comments=False)


def cached_runner(checks: Sequence[str]) -> str:
    """The scan runner for ``checks`` (lines mode, no check embedded, no comments), one string for
    every host."""
    return _composed(tuple(checks), _fingerprint())


def cached_sources(checks: Sequence[str]) -> str:
    """``runner_sources(checks, comments=False)``, the same string for every host scanned with
    these checks."""
    return _sources(tuple(checks), _fingerprint())
