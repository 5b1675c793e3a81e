"""The first code a fleet worker process runs: bind its life to its parent, then load the scan.

A spawned worker unpickles its target and arguments before running anything, and the scan
function's module pulls in pydantic, pypsrp and the rest (about a second). If the parent is
killed in that second, a worker that sets its parent-death signal only afterwards outlives it. So
the worker's target is :func:`boot` in this small module, and the scan function arrives pickled
as bytes: the parent-death signal is set before any of that is loaded.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import threading
from typing import Any

#: how often a worker checks that its parent is alive (where the kernel cannot tell it)
POLL_S = 0.25
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process the moment its parent dies (Linux), and poll the
    parent's pid as well (other systems; or the parent died before the signal was set)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # no prctl: the poll still ends it
    if os.getppid() != parent_pid:
        os._exit(70)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    pause = threading.Event()
    while True:
        if os.getppid() != parent_pid:
            os._exit(70)  # no cleanup: the parent (the only writer) is dead
        pause.wait(POLL_S)


def boot(lane: int, job: bytes, *rest: Any) -> None:
    """Entry point of a worker process (multiprocessing target). ``job`` is the pickled
    (worker function, scan function, summary function); ``rest`` ends with the parent's pid."""
    die_with_parent(int(rest[-1]))
    main, scan_one, summarize = pickle.loads(job)  # now the heavy modules load
    main(lane, scan_one, summarize, *rest)
