"""Fleet scans through the real CLI against lab hosts: an inventory of the lab, msdiag in a subprocess.

Not a test module: the tests/fleet/test_hardening_* modules share it.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Literal

from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts

HEALTHY = next(h for h in load_lab_hosts() if h.name == "healthy-ja-jp").capture
#: the lab's account in these tests (the password is given to msdiag through MSDIAG_PASSWORD)
USER = "helpdesk"
PASSWORD = "Lab!hardening-4d2a"


def serve_pcs(
    count: int, faults: Faults | None = None, transport: Literal["http", "https"] = "http"
) -> Iterator[LabServer]:
    """For a module fixture: ``count`` healthy lab hosts pc00, pc01 ... with ``faults``."""
    hosts = [LabHost(f"pc{i:02d}", HEALTHY, faults or Faults()) for i in range(count)]
    with LabServer(hosts, transport=transport, username=USER, password=PASSWORD) as server:
        yield server


def lab_inventory(
    lab: LabServer,
    folder: Path,
    *,
    names: Collection[str] | None = None,
    users: Mapping[str, str] | None = None,
    file_name: str = "hosts.csv",
) -> Path:
    """A CSV inventory of the lab's hosts (or of ``names``), by name, with per-host ``users``."""
    path = folder / file_name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["host", "port", "transport", "auth", "username", "name"])
        for endpoint in sorted(lab.endpoints(), key=lambda e: e.name):
            if names is None or endpoint.name in names:
                user = (users or {}).get(endpoint.name, "")
                writer.writerow(
                    [endpoint.host, endpoint.port, endpoint.transport, "ntlm", user, endpoint.name]
                )
    return path


def run_msdiag(
    folder: Path, *args: str, user: str, password: str, umask: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``msdiag ARGS`` in ``folder`` with the lab account in the environment, no terminal."""
    return subprocess.run(
        [sys.executable, "-m", "msdiag", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, MSDIAG_USERNAME=user, MSDIAG_PASSWORD=password),
        cwd=folder,
        timeout=300,
        stdin=subprocess.DEVNULL,
        preexec_fn=None if umask is None else (lambda: os.umask(umask)),
    )
