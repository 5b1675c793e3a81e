"""Exit codes as documented, whatever happens to stdout or the disk: never 70, never a lie.

Real subprocesses: a closed stdout (`msdiag scan | head -2`), a scan cut short by a terminating
error, an invalid phone number, a results file msdiag may not write, a disk that fills up
mid-scan (a file size limit: the same OSError on write as ENOSPC).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.check_documents import EN_US
from support.lab_fleet import PASSWORD, USER, lab_inventory, run_msdiag, serve_pcs

from msdiag.fleet.results import iter_records
from msdiag.lab import LabServer

ROOT = Path(__file__).resolve().parents[2]
PROXY_MISMATCH = ROOT / "msdiag" / "lab" / "hosts" / "proxy-mismatch.json"
START = {"msdiag_runner": "start", "protocol": 1, "host": "PC01", "ps_edition": "Desktop", "ps_version": "5.1"}


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    yield from serve_pcs(4)


def with_closed_stdout(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``msdiag ARGS | true``: the reader is gone before msdiag writes a byte."""
    read, write = os.pipe()
    os.close(read)
    env = dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD)
    try:
        return subprocess.run(
            [sys.executable, "-m", "msdiag", *args],
            stdout=write, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env, cwd=cwd, timeout=120,
        )  # fmt: skip
    finally:
        os.close(write)


def test_a_closed_stdout_keeps_the_commands_exit_code(tmp_path: Path) -> None:
    unreachable = with_closed_stdout(
        "scan", "--host", "127.0.0.1", "--port", "1", "--transport", "http", "--auth", "ntlm", "--timeout", "5",
        cwd=tmp_path,
    )  # fmt: skip
    assert unreachable.returncode == 3, unreachable.stderr  # collection failed (it was 1)
    assert "no check produced data" in unreachable.stderr  # the rest of the command still ran
    failing = with_closed_stdout("diagnose", str(PROXY_MISMATCH), cwd=tmp_path)
    assert failing.returncode == 1, failing.stderr
    assert "Traceback" not in failing.stderr and "Exception ignored" not in failing.stderr


def test_a_scan_cut_short_by_a_terminating_error_is_not_a_pass(tmp_path: Path) -> None:
    # the runner printed its start line and one check, then a terminating error ended it
    transcript = tmp_path / "pc01-output.txt"
    transcript.write_text(json.dumps(START) + "\n" + json.dumps(EN_US["os"]) + "\n", encoding="utf-8")
    proc = run_msdiag(tmp_path, "diagnose", str(transcript), user=USER, password=PASSWORD)
    assert proc.returncode == 3, proc.stdout[-500:]
    assert "did not finish" in proc.stderr


def test_an_invalid_phone_number_is_a_failing_finding(tmp_path: Path) -> None:
    proc = run_msdiag(tmp_path, "phone", "hello", user=USER, password=PASSWORD)
    assert proc.returncode == 1 and "phone.invalid" in proc.stdout


#: run a command as root without the right to ignore file permissions (as any other user is)
WITHOUT_OVERRIDE = ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv")
def test_results_files_msdiag_may_not_write_are_clear_input_errors(lab: LabServer, tmp_path: Path) -> None:
    hosts = lab_inventory(lab, tmp_path)
    results = tmp_path / "fleet.jsonl"
    done = run_msdiag(tmp_path, "scan", "--inventory", str(hosts), "--results", str(results), "--format", "json",
                      user=USER, password=PASSWORD)  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    results.chmod(0o444)  # a read-only results file
    locked = tmp_path / "read-only-folder"
    locked.mkdir(mode=0o555)  # stands in for a read-only file system
    before = results.read_bytes()
    env = dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD)
    for args, message in (
        (["--resume", str(results)], "cannot append to the results file"),
        (["--results", str(locked / "fleet.jsonl")], "cannot create the results file"),
    ):
        proc = subprocess.run(
            [*WITHOUT_OVERRIDE, sys.executable, "-m", "msdiag", "scan", "--inventory", str(hosts), "--format", "json", *args],
            capture_output=True, text=True, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and "Permission denied" in proc.stderr
        assert "internal error" not in proc.stderr
    assert results.read_bytes() == before


def test_a_disk_that_fills_up_mid_scan_keeps_what_was_written(lab: LabServer, tmp_path: Path) -> None:
    hosts = lab_inventory(lab, tmp_path)
    first = tmp_path / "first.jsonl"
    run_msdiag(tmp_path, "scan", "--inventory", str(hosts), "--results", str(first), "--format", "json",
               user=USER, password=PASSWORD)  # fmt: skip
    record_size = max(len(line) for line in first.read_bytes().splitlines(keepends=True))
    limit = int(record_size * 2.5)  # room for two records of four

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    results = tmp_path / "fleet.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "msdiag", "scan", "--inventory", str(hosts), "--results", str(results),
         "--concurrency", "1", "--format", "json"],
        capture_output=True, text=True, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=120, preexec_fn=small_disk,
        env=dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD),
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "cannot write the results file" in proc.stderr and f"--resume {results}" in proc.stderr
    assert "internal error" not in proc.stderr
    assert len(list(iter_records(results))) == 2  # complete records kept; a torn tail is cut on resume
    resumed = run_msdiag(tmp_path, "scan", "--inventory", str(hosts), "--resume", str(results), "--format", "json",
                         user=USER, password=PASSWORD)  # fmt: skip
    assert resumed.returncode in (0, 1), resumed.stderr
    assert len(list(iter_records(results))) == 4
