"""Worker processes of a fleet scan: no credential in their environment, and none outlives a
killed parent. Real CLI scans with --processes 3 against the lab (pypsrp, NTLM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.lab_fleet import PASSWORD, USER, lab_inventory, serve_pcs

from msdiag.lab import Faults, LabServer


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    yield from serve_pcs(12, Faults(latency_ms=120))


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc, Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def start_scan(lab: LabServer, folder: Path) -> subprocess.Popen[bytes]:
    inventory = lab_inventory(lab, folder)
    return subprocess.Popen(
        [sys.executable, "-m", "msdiag", "scan", "--inventory", str(inventory), "--processes", "3",
         "--concurrency", "3", "--format", "json", "--results", str(folder / "fleet.jsonl")],
        env=dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD, MSDIAG_LAB_PASSWORD=PASSWORD),
        cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for_workers(scan: subprocess.Popen[bytes], count: int) -> set[int]:
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up and scan.poll() is None:
        found = descendants(scan.pid)
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"the scan did not start {count} processes")


def test_no_child_process_has_the_password_in_its_environment(lab: LabServer, tmp_path: Path) -> None:
    scan = start_scan(lab, tmp_path)
    try:
        children = wait_for_workers(scan, 3)  # two workers and multiprocessing's resource tracker
        time.sleep(0.5)  # every child has started (and execed)
        children |= descendants(scan.pid)
        leaked = {}
        for pid in children:
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes()
            except OSError:
                continue
            if PASSWORD.encode() in environ or b"MSDIAG_PASSWORD=" in environ:
                leaked[pid] = Path(f"/proc/{pid}/cmdline").read_bytes()[:120]
        assert leaked == {}
        assert len(children) >= 3
    finally:
        _, err = scan.communicate(timeout=300)
    assert scan.returncode in (0, 1), err.decode(errors="replace")


def test_workers_end_with_a_killed_parent(lab: LabServer, tmp_path: Path) -> None:
    scan = start_scan(lab, tmp_path)
    workers = {
        pid for pid in wait_for_workers(scan, 3) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    }
    assert len(workers) == 2
    scan.send_signal(signal.SIGKILL)
    scan.wait(timeout=30)
    # the kernel's parent-death signal ends them at once; polling for the parent took ~1 s
    gone_by = time.monotonic() + 0.5
    while time.monotonic() < gone_by and descendants_alive(workers):
        time.sleep(0.01)
    assert not descendants_alive(workers), "a worker outlived its killed parent"


def descendants_alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive
