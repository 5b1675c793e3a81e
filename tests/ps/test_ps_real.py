"""Run the real scripts through a real PowerShell when one is installed (pwsh or powershell.exe).

Skipped on machines without PowerShell (like the development container); meaningful on Windows
and on any machine with PowerShell 7, where the Windows-only probes must report "unavailable".
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from msdiag.capture.models import Capture, CheckStatus
from msdiag.capture.parse import validate_document
from msdiag.capture.schema import check_data_schema
from msdiag.checks import CHECK_NAMES, CHECKS_BY_NAME, scripts_dir
from msdiag.collectors.runner_output import parse_runner_output
from msdiag.collectors.runner_script import (
    build_check_script,
    build_runner,
    helper_files,
    runner_command_arguments,
    runner_parameters,
)

POWERSHELL = shutil.which("pwsh") or shutil.which("powershell.exe") or shutil.which("powershell")

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
    assert POWERSHELL is not None
    proc = subprocess.run(
        [
            POWERSHELL,
            "-NoProfile",
            "-NonInteractive",
            "-ExecutionPolicy",
            "Bypass",
            "-File",
            str(script),
            *args,
        ],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout.decode("utf-8")


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
