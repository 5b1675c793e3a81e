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

from diag.capture.models import Capture, CheckStatus
from diag.capture.parse import validate_document
from diag.capture.schema import check_data_schema
from diag.checks import CHECK_NAMES
from diag.collectors.bundle import (
    build_runner,
    parse_runner_output,
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
