"""`msdiag export-script`: a standalone capture-mode script that parses, never clobbering files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.pstools import lint, syntax_problems


def run(*args: str) -> tuple[int, str, str]:
    # The real entry point, so error handling (message + exit code, no traceback) is what users get.
    proc = subprocess.run(
        [sys.executable, "-m", "msdiag", "export-script", *args], capture_output=True, text=True, timeout=60
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_writes_a_script_that_parses(tmp_path: Path) -> None:
    target = tmp_path / "msdiag-collect.ps1"
    code, _, err = run("--output", str(target))
    assert code == 0, err
    text = target.read_bytes().decode("ascii")  # ASCII: safe for Windows PowerShell 5.1
    assert "\r\n" in text
    assert syntax_problems(text) == []
    assert lint(text) == []
    assert "$msdiagRunnerMode = 'capture'" in text
    assert "msdiag diagnose capture.json" in text


def test_prints_to_stdout_without_output() -> None:
    code, out, _ = run()
    assert code == 0
    assert out.startswith("<#") and "$msdiagChecks['identity'] = {" in out


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "existing.ps1"
    target.write_text("keep me", encoding="utf-8")
    code, _, err = run("--output", str(target))
    assert code == 2
    assert "already exists" in err and "--force" in err
    assert target.read_text(encoding="utf-8") == "keep me"
    code, _, _ = run("--output", str(target), "--force")
    assert code == 0 and "Invoke-MsdiagRunner" not in target.read_text(encoding="utf-8")[:5]
    assert "$msdiagChecks['os']" in target.read_text(encoding="utf-8")


def test_unwritable_path_exits_2_with_a_message(tmp_path: Path) -> None:
    code, _, err = run("--output", str(tmp_path / "no-such-folder" / "x.ps1"))
    assert code == 2
    assert "cannot write" in err
    assert "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_read_only_folder_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, _, err = run("--output", str(folder / "x.ps1"))
    finally:
        folder.chmod(0o700)
    assert code == 2 and "cannot write" in err
