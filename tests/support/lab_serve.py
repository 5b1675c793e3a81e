"""`msdiag lab serve` as a child process, read until it says it is ready ("Press Ctrl-C ...")."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path


def start_lab_serve(
    folder: Path, *args: str, env: Mapping[str, str], wait_s: float = 60
) -> tuple[subprocess.Popen[str], str]:
    """The running `msdiag lab serve ARGS` (in ``folder``) and what it printed up to its Ctrl-C line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "msdiag", "lab", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=dict(env),
        text=True,
        cwd=folder,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C" in line:
            break
    return proc, "".join(lines)
