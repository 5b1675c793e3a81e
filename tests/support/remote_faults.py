"""Helpers for the remote transport's fault tests: a lab capture, a bounded call, the time bound, msdiag
in a subprocess with the lab's credentials in its environment.

A scan that does not keep to its deadline must fail its test in bounded time, not hang the suite:
:func:`bounded` runs it in a daemon thread and gives up waiting at a limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from msdiag.capture.models import Capture
from msdiag.collectors.remote.cleanup import CLEANUP_MAX_S
from msdiag.lab import load_lab_hosts

T = TypeVar("T")

#: Scheduling slack on top of --timeout and the cleanup budget (2 busy cores, subprocess start-up).
SLACK_S = 2.0


def lab_capture() -> Capture:
    return {h.name: h for h in load_lab_hosts()}["healthy-ja-jp"].capture


def within_bound(timeout: float) -> float:
    """The most a host may take: --timeout, plus the documented cleanup budget, plus slack."""
    return timeout + CLEANUP_MAX_S + SLACK_S


def bounded(call: Callable[[], T], limit: float) -> tuple[T, float]:
    """``call()`` and its duration; fails (without waiting longer) if it runs past ``limit`` s."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    elapsed = time.monotonic() - started
    if thread.is_alive():
        raise AssertionError(f"still running after {elapsed:.1f} s (the bound was {limit:.1f} s)")
    if "error" in box:
        raise box["error"]
    return box["value"], elapsed


def start_msdiag(*args: str, cwd: Path, user: str, password: str) -> subprocess.Popen[str]:
    """``msdiag ARGS`` as a real process (stdout and stderr piped, no stdin: never a prompt)."""
    return subprocess.Popen(
        [sys.executable, "-m", "msdiag", *args],
        env=dict(os.environ, MSDIAG_USERNAME=user, MSDIAG_PASSWORD=password),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_msdiag(
    *args: str, cwd: Path, user: str, password: str, limit: float = 120
) -> subprocess.CompletedProcess[str]:
    """``msdiag ARGS`` to its end (at most ``limit`` s), with what it printed."""
    proc = start_msdiag(*args, cwd=cwd, user=user, password=password)
    out, err = proc.communicate(timeout=limit)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
