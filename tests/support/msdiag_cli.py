"""Run the real `msdiag` entry point in a subprocess, as a user (or a CI step) does."""

from __future__ import annotations

import os
import subprocess
import sys


def run_msdiag(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m msdiag ARGS``; credentials reach it only through the environment (MSDIAG_*)."""
    return subprocess.run(
        [sys.executable, "-m", "msdiag", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ.copy(),
    )
