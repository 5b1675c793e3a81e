"""A fleet scan in a process of its own, for the tests that kill or interrupt it (SIGKILL, Ctrl-C).

Not a test module: tests/fleet/test_fleet_lab.py and test_fleet_processes.py share it.
"""

from __future__ import annotations

from pathlib import Path

#: the lab's account for fleet tests (a non-ASCII password: it must survive every hop)
USER = "lab-admin"
PASSWORD = "Fleet-Test-パスワード-42"

# A scanning process to kill: argv = results file, comma-separated lab ports, [worker processes].
# It resumes the results file when it exists, so running it again after a kill continues the scan.
CHILD = """
import os, sys
from pathlib import Path
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.scan import scan_fleet

results = Path(sys.argv[1])
ports = [int(p) for p in sys.argv[2].split(",")]
targets = [FleetTarget(host="127.0.0.1", port=p, name=f"pc{i:02d}") for i, p in enumerate(ports)]
scan_fleet(
    targets,
    defaults=RemoteTarget(host="127.0.0.1", transport="http", auth="ntlm", timeout=10.0),
    credentials=Credentials(os.environ["MSDIAG_USERNAME"], os.environ["MSDIAG_PASSWORD"]),
    checks=CHECK_NAMES, endpoint_hosts=None, concurrency=4,
    processes=int(sys.argv[3]) if len(sys.argv) > 3 else 1,
    results=None if results.exists() else results, resume=results if results.exists() else None,
    reports_dir=results.parent, progress=False,
)
"""


def records_written(results: Path) -> int:
    """Complete lines in the results file so far (0 before it exists)."""
    try:
        return results.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0
