"""The runner script for remote scans, composed once per check selection instead of once per host.

``build_runner`` reads a dozen .ps1 files and composes ~140,000 characters (about 2 ms, plus
file-system calls under the interpreter lock that every scan thread shares). A fleet scan sends
the same text to every host, so it is cached; the cache key includes each script file's size and
modification time, so an edited ps_scripts/ is picked up by the next host, never served stale.
Returning the very same string object for every host also lets the memoized CLIXML escaping in
psrp_tuning hit on identity instead of comparing 140,000 characters.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

from diag.checks import scripts_dir
from diag.collectors.bundle import build_runner

Fingerprint = tuple[str, tuple[tuple[str, int, int], ...]]


def _fingerprint() -> Fingerprint:
    directory = scripts_dir()
    files = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.lower().endswith(".ps1"):
                stat = entry.stat()
                files.append((entry.name, stat.st_mtime_ns, stat.st_size))
    return str(directory), tuple(sorted(files))


@functools.lru_cache(maxsize=8)
def _composed(checks: tuple[str, ...], fingerprint: Fingerprint) -> str:
    return build_runner(list(checks))


def runner_script(checks: Sequence[str]) -> str:
    """``build_runner(checks)`` (lines mode), shared by every host scanned with these checks."""
    return _composed(tuple(checks), _fingerprint())
