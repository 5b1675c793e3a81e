"""Run the real scripts through a real PowerShell when one is installed (pwsh or powershell.exe).

Skipped on machines without PowerShell (like the development container); meaningful on Windows
(.github/workflows/windows.yml runs them with Windows PowerShell 5.1 and PowerShell 7, chosen with
MSDIAG_TEST_POWERSHELL) and on any machine with PowerShell 7, where the Windows-only probes must
report "unavailable". The runner sets Set-StrictMode -Version Latest before anything else, so
every run below runs the whole runner, helpers and checks under it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from support.msdiag_cli import run_msdiag

from msdiag.capture.models import Capture, CheckStatus, HostState
from msdiag.capture.parse import validate_document
from msdiag.capture.schema import check_data_schema
from msdiag.checks import CHECK_NAMES, CHECKS_BY_NAME, scripts_dir
from msdiag.collectors.local import LocalCollector, find_powershell
from msdiag.collectors.runner_output import UNFINISHED, parse_runner_output
from msdiag.collectors.runner_script import (
    build_check_script,
    build_runner,
    helper_files,
    runner_command_arguments,
    runner_parameters,
    runner_sources,
)

POWERSHELL = (
    os.environ.get("MSDIAG_TEST_POWERSHELL")
    or shutil.which("pwsh")
    or shutil.which("powershell.exe")
    or shutil.which("powershell")
)

pytestmark = [
    pytest.mark.pwsh,
    pytest.mark.slow,
    pytest.mark.skipif(
        POWERSHELL is None, reason="no PowerShell (pwsh / powershell.exe) on PATH on this machine"
    ),
]


def run_runner(tmp_path: Path, mode: str, *args: str) -> str:
    script = tmp_path / f"runner-{mode}.ps1"
    # BOM: Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page.
    script.write_text(build_runner(CHECK_NAMES, mode=mode), encoding="utf-8-sig")  # type: ignore[arg-type]
    return run_file(script, *args)


def run_file(script: Path, *args: str) -> str:
    return run_powershell("-File", str(script), *args)


def run_powershell(*args: str) -> str:
    assert POWERSHELL is not None
    proc = subprocess.run(
        [POWERSHELL, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", *args],
        capture_output=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout.decode("utf-8")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def scan_files(tmp_path: Path, checks: list[str], sources: str | None = None) -> tuple[Path, Path]:
    """The scan runner and its -SourcePath file, as msdiag's local scan writes them."""
    runner = tmp_path / "Invoke-MsdiagScan.ps1"
    runner.write_text(build_runner(checks, embed=False), encoding="utf-8-sig")
    source_path = tmp_path / "msdiag-sources.json"
    source_path.write_text(sources if sources is not None else runner_sources(checks), encoding="utf-8")
    return runner, source_path


def assert_schema_valid(name: str, document: object) -> None:
    jsonschema.Draft202012Validator(check_data_schema(name)).validate(document)


def test_every_check_document_validates(tmp_path: Path) -> None:
    # Unreachable-but-valid host names and a short timeout keep this bounded without network.
    params = runner_parameters(CHECK_NAMES, ["login.live.com"], 500)
    stdout = run_runner(tmp_path, "lines", *runner_command_arguments(params))
    out = parse_runner_output(stdout.splitlines(), CHECK_NAMES)
    assert out.ended and out.start is not None
    for name, result in out.results.items():
        assert result.status is CheckStatus.OK, f"{name}: {result.reason}\n{(result.raw or '')[:2000]}"
        assert result.document is not None
        jsonschema.Draft202012Validator(check_data_schema(name)).validate(result.document)


def test_capture_mode_prints_a_valid_capture(tmp_path: Path) -> None:
    stdout = run_runner(tmp_path, "capture", "-EndpointTimeoutMs", "500")
    capture = Capture.model_validate(json.loads(stdout))
    assert capture.mode == "exported-script"
    for name in CHECK_NAMES:
        result = capture.checks[name]
        assert result.status is CheckStatus.OK, f"{name}: {result.reason}"
        assert validate_document(result.document, name).status is CheckStatus.OK


def assert_valid_document(check: str, stdout: str) -> None:
    result = validate_document(json.loads(stdout), check)
    assert result.status is CheckStatus.OK, f"{check}: {result.reason}"
    assert result.document is not None
    jsonschema.Draft202012Validator(check_data_schema(check)).validate(result.document)


@pytest.mark.parametrize("check", ["os", "proxy"])
def test_check_script_runs_on_its_own_with_its_helper_files_beside_it(tmp_path: Path, check: str) -> None:
    # As an admin or another tool runs it: powershell.exe -File Get-MsdiagOs.ps1, loading
    # MsdiagCommon.ps1 (and MsdiagWinInet.ps1 for proxy) from its own folder.
    folder = tmp_path / "scripts"
    folder.mkdir()
    for name in [CHECKS_BY_NAME[check].script, *helper_files(check)]:
        shutil.copyfile(scripts_dir() / name, folder / name)
    assert_valid_document(check, run_file(folder / CHECKS_BY_NAME[check].script))


@pytest.mark.parametrize("check", ["os", "endpoints"])
def test_standalone_check_script_runs_with_no_file_beside_it(tmp_path: Path, check: str) -> None:
    script = tmp_path / f"{check}.ps1"
    script.write_text(build_check_script(check), encoding="utf-8-sig")
    args = ["-TimeoutMs", "500", "-Hosts", "login.live.com"] if check == "endpoints" else []
    assert_valid_document(check, run_file(script, *args))


# ---------------------------------------------------------------- the scan form, as msdiag runs it
def test_msdiag_local_scan_collects_every_check_with_the_real_powershell() -> None:
    assert POWERSHELL is not None
    collector = LocalCollector(
        find_powershell(POWERSHELL), timeout=150, endpoint_hosts=["login.live.com"], endpoint_timeout_ms=500
    )
    capture = collector.collect(CHECK_NAMES)
    assert capture.host_status.state is HostState.OK, capture.host_status
    for name in CHECK_NAMES:
        result = capture.checks[name]
        assert result.status is CheckStatus.OK, f"{name}: {result.reason}\n{(result.raw or '')[:2000]}"
        assert_schema_valid(name, result.document)


def test_msdiag_scan_command_on_this_machine_saves_a_valid_capture(tmp_path: Path) -> None:
    assert POWERSHELL is not None
    saved = tmp_path / "local-capture.json"
    local = ["--powershell", POWERSHELL, "--timeout", "150", "--endpoint-host", "login.live.com"]
    proc = run_msdiag("scan", *local, "--redact", "none", "--save-capture", str(saved))
    assert proc.returncode in (0, 1), proc.stderr  # 1: a finding failed on this machine; still a scan
    capture = Capture.model_validate_json(saved.read_text(encoding="utf-8"))
    assert capture.mode == "local" and capture.host_status.state is HostState.OK, capture.host_status
    assert all(r.status is CheckStatus.OK for r in capture.checks.values())


def test_runner_in_constrained_language_mode_reports_it_and_runs_nothing(tmp_path: Path) -> None:
    # A session switched to ConstrainedLanguage stands in for a WDAC/AppLocker policy: without a
    # system policy, a script started from it runs in the session's language mode.
    runner, sources = scan_files(tmp_path, ["os", "time"])
    command = (
        "$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'; "
        f"& {_quoted(runner)} -Checks os,time -SourcePath {_quoted(sources)}"
    )
    out = parse_runner_output(run_powershell("-Command", command).splitlines(), ["os", "time"])
    assert out.start is not None and out.start.get("language_mode") == "ConstrainedLanguage"
    assert out.ended and not out.stray
    for name in ("os", "time"):
        assert out.results[name].status is CheckStatus.NOT_RUN
        assert "ConstrainedLanguage mode" in (out.results[name].reason or "")


def test_exported_script_in_constrained_language_mode_prints_a_capture_saying_so(tmp_path: Path) -> None:
    script = tmp_path / "msdiag-collect.ps1"
    script.write_text(build_runner(CHECK_NAMES, mode="capture"), encoding="utf-8-sig")
    command = f"$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'; & {_quoted(script)}"
    capture = Capture.model_validate(json.loads(run_powershell("-Command", command)))
    assert capture.host_status.state is HostState.CONSTRAINED_LANGUAGE
    assert all(r.status is CheckStatus.NOT_RUN for r in capture.checks.values())


# The AMSI test sample (facts.md section 7), in two parts so that this file never holds it whole.
AMSI_TEST_SAMPLE = "AMSI Test Sample: " + "7e72c3ce-861b-4339-8740-0ac1484c1386"


def _amsi_blocks_the_test_sample() -> bool:
    probe = (
        "$t = 'AMSI Test Sample: ' + '7e72c3ce-861b-4339-8740-0ac1484c1386'; "
        "try { $null = & ([ScriptBlock]::Create(\"'\" + $t + \"'\")); 'clean' } "
        "catch { [string]$_.FullyQualifiedErrorId }"
    )
    return "ScriptContainedMaliciousContent" in run_powershell("-Command", probe)


def test_a_check_antivirus_blocks_is_reported_blocked_and_the_others_still_run(tmp_path: Path) -> None:
    if not _amsi_blocks_the_test_sample():
        pytest.skip("no antivirus here blocks the AMSI test sample (AMSI off, or no provider)")
    checks = ["os", "services", "time"]
    units = json.loads(runner_sources(checks))
    for unit in units["units"]:
        if unit["name"] == "services":
            unit["text"] = f"'{AMSI_TEST_SAMPLE}'"
    # \u escapes keep the sample out of the file on disk; the runner's ConvertFrom-Json restores it
    text = json.dumps(units, ensure_ascii=True).replace("AMSI Test", "\\u0041MSI Test")
    runner, sources = scan_files(tmp_path, checks, sources=text)
    stdout = run_file(runner, "-Checks", ",".join(checks), "-SourcePath", str(sources))
    out = parse_runner_output(stdout.splitlines(), checks)
    assert out.ended
    assert out.results["services"].status is CheckStatus.BLOCKED
    assert out.results["os"].status is CheckStatus.OK and out.results["time"].status is CheckStatus.OK


def test_a_check_that_exits_the_runner_is_never_shown_as_run(tmp_path: Path) -> None:
    checks = ["os", "time", "services"]
    units = json.loads(runner_sources(checks))
    for unit in units["units"]:
        if unit["name"] == "time":
            unit["text"] = "exit 0"
    runner, sources = scan_files(tmp_path, checks, sources=json.dumps(units))
    out = parse_runner_output(
        run_file(runner, "-Checks", ",".join(checks), "-SourcePath", str(sources)).splitlines(), checks
    )
    assert out.results["os"].status is CheckStatus.OK
    assert out.results["time"].status is not CheckStatus.OK
    if not out.ended:  # exit left the runner: the check it was in is unfinished, never a pass
        assert out.results["time"].reason == UNFINISHED
