"""A stand-in `pwsh` for local-runner tests: a real executable on PATH, written in Python.

This machine has no PowerShell. The stand-in is started through a real subprocess by the real
LocalCollector, so the process boundary (arguments, pipes, exit codes, stderr) is what msdiag meets.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

HOSTS = Path(__file__).resolve().parents[2] / "msdiag" / "lab" / "hosts"


def install_stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str) -> Path:
    """Write ``template`` (``{python}`` is the interpreter) as ``pwsh`` first on PATH; the
    stand-in reads the healthy ja-JP capture named by FAKE_PWSH_CAPTURE."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "pwsh"
    exe.write_text(template.format(python=sys.executable), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bindir) + os.pathsep + "/usr/bin:/bin")
    monkeypatch.setenv("FAKE_PWSH_CAPTURE", str(HOSTS / "healthy-ja-jp.json"))
    return exe
