"""Run the bundled checks on this machine: one PowerShell process for all of them.

The process boundary is untrusted and fallible: PowerShell may be missing, hang, exit non-zero,
write to stderr, print in the OEM code page instead of UTF-8, or print far too much. Each of those
ends as a capture with a host status that says what happened, keeping every document that did
arrive; only "no PowerShell at all" is raised, as there is nothing to capture.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from msdiag.capture.models import (
    Capture,
    CheckResult,
    CheckStatus,
    HostState,
    HostStatus,
    PowerShellInfo,
)
from msdiag.capture.parse import parse_check_output
from msdiag.collectors.interface import assemble_capture, not_reported, utc_now
from msdiag.collectors.runner_output import RunnerOutput, parse_runner_output
from msdiag.collectors.runner_script import build_runner, runner_parameters
from msdiag.errors import CollectionError, InputError

#: Bounds on what one local scan may print: far above a real scan (tens of KB), far below harm.
MAX_STDOUT_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_STDERR_BYTES = 64 * 1024
DEFAULT_TIMEOUT_S = 60.0

POWERSHELL_CANDIDATES = ("pwsh", "powershell.exe", "powershell")

NO_POWERSHELL_MESSAGE = (
    "no PowerShell found: msdiag looked for {names} on PATH{explicit}. The checks are PowerShell "
    "scripts and need Windows PowerShell 5.1 (built into Windows) or PowerShell 7 (pwsh). Run "
    "msdiag on the Windows machine itself, install PowerShell 7 "
    "(https://learn.microsoft.com/powershell/scripting/install/installing-powershell), point "
    "--powershell at the executable, or scan the Windows host remotely: msdiag scan --host PC01. "
    "To try msdiag without Windows, run: msdiag demo."
)

ResultCallback = Callable[[str, CheckResult], None]


def find_powershell(explicit: str | None = None, path: str | None = None) -> Path:
    """The PowerShell to run: --powershell if given, else pwsh, else Windows PowerShell."""
    if explicit:
        candidate = Path(explicit)
        resolved = shutil.which(explicit, path=path) if not candidate.is_file() else str(candidate)
        if resolved is None or not os.access(resolved, os.X_OK):
            raise CollectionError(
                NO_POWERSHELL_MESSAGE.format(
                    names=", ".join(POWERSHELL_CANDIDATES), explicit=f" and --powershell {explicit!r}"
                )
            )
        return Path(resolved)
    for name in POWERSHELL_CANDIDATES:
        found = shutil.which(name, path=path)
        if found:
            return Path(found)
    raise CollectionError(NO_POWERSHELL_MESSAGE.format(names=", ".join(POWERSHELL_CANDIDATES), explicit=""))


@dataclass
class _Stream:
    """Bounded reader of one pipe, in its own thread so neither pipe can block the other."""

    limit: int
    data: bytearray = field(default_factory=bytearray)
    truncated: bool = False

    def add(self, chunk: bytes) -> None:
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        if len(chunk) > room:
            self.truncated = True


def _decode_line(raw: bytes) -> tuple[str, bool]:
    """Decode one output line. The runner asks for UTF-8; a Japanese console may still use cp932."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp932"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Stop PowerShell and anything it started (dsregcmd, netsh) so nothing outlives the deadline."""
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.kill()
    except OSError:
        pass


class LocalCollector:
    """Collect a capture from this machine through one PowerShell process (a Collector)."""

    def __init__(
        self,
        powershell: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        endpoint_hosts: Sequence[str] | None = None,
        endpoint_timeout_ms: int | None = None,
        on_result: ResultCallback | None = None,
    ) -> None:
        if timeout <= 0:
            raise InputError("--timeout must be a positive number of seconds")
        self.powershell = powershell
        self.timeout = timeout
        self.endpoint_hosts = endpoint_hosts
        self.endpoint_timeout_ms = endpoint_timeout_ms
        self.on_result = on_result

    @property
    def description(self) -> str:
        return f"this machine ({self.powershell})"

    def command(self, script: Path, checks: Sequence[str]) -> list[str]:
        params = runner_parameters(checks, self.endpoint_hosts, self.endpoint_timeout_ms)
        argv = [
            str(self.powershell),
            "-NoProfile",
            "-NonInteractive",
            "-ExecutionPolicy",
            "Bypass",
            "-File",
            str(script),
        ]
        for name, value in params.items():
            argv.append(f"-{name}")
            argv.append(",".join(value) if isinstance(value, list) else str(value))
        return argv

    def collect(self, checks: Sequence[str]) -> Capture:
        started = time.monotonic()
        collected_utc = utc_now()
        script_text = build_runner(checks, mode="lines")
        with tempfile.TemporaryDirectory(prefix="msdiag-") as tmp:
            script = Path(tmp) / "Invoke-MsdiagScan.ps1"
            # UTF-8 with BOM: Windows PowerShell 5.1 reads a BOM-less .ps1 in the ANSI code page.
            script.write_text(script_text, encoding="utf-8-sig")
            lines, stderr, exit_code, timed_out, overflow, recoded = self._run(
                self.command(script, checks), checks
            )
        output = parse_runner_output(lines, checks)
        duration_ms = int((time.monotonic() - started) * 1000)
        return self._capture(
            checks, output, collected_utc, duration_ms, stderr, exit_code, timed_out, overflow, recoded
        )

    def _run(
        self, argv: list[str], checks: Sequence[str]
    ) -> tuple[list[str], str, int | None, bool, bool, bool]:
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=(sys.platform != "win32"),
            )
        except OSError as exc:
            raise CollectionError(f"could not start {self.powershell}: {exc.strerror or exc}") from None
        assert proc.stdout is not None and proc.stderr is not None
        lines: list[str] = []
        recoded = False
        overflow = False
        stderr = _Stream(MAX_STDERR_BYTES)
        total = 0

        def read_stdout() -> None:
            nonlocal total, overflow, recoded
            assert proc.stdout is not None
            for raw in iter(lambda: proc.stdout.readline(MAX_LINE_BYTES), b""):  # type: ignore[union-attr]
                total += len(raw)
                if total > MAX_STDOUT_BYTES:
                    overflow = True
                    _kill(proc)
                    break
                text, was_recoded = _decode_line(raw.rstrip(b"\r\n"))
                recoded = recoded or was_recoded
                lines.append(text)
                self._announce(text, checks)

        def read_stderr() -> None:
            assert proc.stderr is not None
            for chunk in iter(lambda: proc.stderr.read(8192), b""):  # type: ignore[union-attr]
                stderr.add(chunk)

        readers = [
            threading.Thread(target=read_stdout, daemon=True),
            threading.Thread(target=read_stderr, daemon=True),
        ]
        for reader in readers:
            reader.start()
        timed_out = False
        try:
            proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill(proc)
            proc.wait()
        except KeyboardInterrupt:
            _kill(proc)
            proc.wait()
            raise
        for reader in readers:
            reader.join(timeout=5)
        err_text = stderr.data.decode("utf-8", errors="replace")
        if stderr.truncated:
            err_text += "\n[stderr truncated]"
        return lines, err_text, proc.returncode, timed_out, overflow, recoded

    def _announce(self, line: str, checks: Sequence[str]) -> None:
        """Stream each check's outcome to the caller as soon as its line arrives."""
        if self.on_result is None or not line.startswith("{"):
            return
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):  # the line itself is parsed within bounds later
            return
        if not isinstance(item, dict):
            return
        if item.get("msdiag_runner") == "check_failed" and item.get("check") in checks:
            self.on_result(
                str(item["check"]),
                CheckResult(status=CheckStatus.ERROR, reason=str(item.get("message"))[:500]),
            )
        elif item.get("check") in checks:
            name, result = parse_check_output(line, str(item["check"]))
            self.on_result(str(name), result)

    def _capture(
        self,
        checks: Sequence[str],
        output: RunnerOutput,
        collected_utc: str,
        duration_ms: int,
        stderr: str,
        exit_code: int | None,
        timed_out: bool,
        overflow: bool,
        recoded: bool,
    ) -> Capture:
        start = output.start or {}
        host = start.get("host") if isinstance(start.get("host"), str) else None
        warnings: list[str] = []
        if recoded:
            warnings.append(
                "PowerShell's output was not UTF-8; it was decoded as cp932 (the Japanese OEM code page)."
            )
        if output.stray:
            warnings.append(
                f"PowerShell printed {len(output.stray)} line(s) that are not check output (kept out of the report)."
            )
        status = _local_status(
            output.ended, output.results, checks, stderr, exit_code, timed_out, overflow, self.timeout
        )
        return assemble_capture(
            host=(host or socket.gethostname() or "localhost")[:255],
            mode="local",
            collected_utc=collected_utc,
            duration_ms=duration_ms,
            powershell=PowerShellInfo(
                edition=_str_or_none(start.get("ps_edition")),
                version=_str_or_none(start.get("ps_version")),
                path=str(self.powershell),
            ),
            host_status=status,
            reported=output.results,
            selected=checks,
            missing=not_reported(),
            warnings=warnings,
        )


def _str_or_none(value: object) -> str | None:
    return value[:512] if isinstance(value, str) else None


def _local_status(
    ended: bool,
    results: dict[str, CheckResult],
    checks: Sequence[str],
    stderr: str,
    exit_code: int | None,
    timed_out: bool,
    overflow: bool,
    timeout: float,
) -> HostStatus:
    ok = [n for n in checks if results[n].status is CheckStatus.OK]
    bad = [n for n in checks if results[n].status is CheckStatus.ERROR]
    stderr_tail = stderr.strip()[-1500:]
    if timed_out:
        return HostStatus(
            state=HostState.TIMEOUT,
            detail=f"PowerShell did not finish within {timeout:g} s; {len(ok)} of {len(checks)} checks had reported.",
            hint="Run again with a larger --timeout, or select fewer checks with --checks; "
            "a stalled endpoint probe or dsregcmd is the usual cause.",
        )
    if overflow:
        return HostStatus(
            state=HostState.BAD_OUTPUT,
            detail=f"PowerShell printed more than {MAX_STDOUT_BYTES // (1024 * 1024)} MiB; the scan was stopped.",
            hint="Something in the PowerShell profile or environment is printing output; msdiag runs with "
            "-NoProfile, so check for a system-wide transcript or module autoload.",
        )
    if exit_code not in (0, None) and not ok:
        return HostStatus(
            state=HostState.SCRIPT_ERROR,
            detail=f"PowerShell exited with code {exit_code} before any check reported. {stderr_tail}".strip(),
            hint="Run the exported script (msdiag export-script) by hand in the same PowerShell to see the error; "
            "an execution policy set by Group Policy (AllSigned) can block it.",
        )
    if not ended or exit_code not in (0, None):
        return HostStatus(
            state=HostState.SCRIPT_ERROR,
            detail=(
                f"PowerShell stopped early (exit code {exit_code}); {len(ok)} of {len(checks)} checks reported. "
                f"{stderr_tail}"
            ).strip(),
            hint="The checks that reported are in the report; run msdiag export-script in the same PowerShell to see the error.",
        )
    if bad:
        return HostStatus(
            state=HostState.BAD_OUTPUT,
            detail=f"{len(bad)} check(s) produced output that failed validation or failed: {', '.join(bad)}.",
            hint="The raw output is kept in the capture (--save-capture); the other checks' data is used.",
        )
    return HostStatus(state=HostState.OK, detail=None, hint=None)
