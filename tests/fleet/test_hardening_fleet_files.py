"""The results file has one writer; resuming is refused for another inventory unless asked;
--insecure fleets say so; nothing is overwritten silently. Real CLI runs against the lab."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.lab_fleet import PASSWORD, USER, lab_inventory, run_msdiag, serve_pcs

from msdiag.errors import InputError
from msdiag.fleet.results import ResultsWriter, iter_records
from msdiag.lab import Faults, LabServer


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    yield from serve_pcs(6)


@pytest.fixture(scope="module")
def slow_lab() -> Iterator[LabServer]:
    yield from serve_pcs(6, Faults(latency_ms=150))


@pytest.fixture(scope="module")
def tls_lab() -> Iterator[LabServer]:
    yield from serve_pcs(1, transport="https")


def inventory(lab: LabServer, folder: Path, names: set[str] | None = None, name: str = "hosts.csv") -> Path:
    return lab_inventory(lab, folder, names=names, file_name=name)


def msdiag(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_msdiag(folder, *args, user=USER, password=PASSWORD)


def test_a_second_writer_is_refused_naming_the_first(tmp_path: Path) -> None:
    results = tmp_path / "fleet.jsonl"
    results.write_bytes(b"")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from msdiag.fleet.results import ResultsWriter
            with ResultsWriter(Path({str(results)!r}), resume=True):
                print("locked", flush=True)
                sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(InputError) as caught:
            ResultsWriter(results, resume=True)
        assert f"pid {holder.pid} on " in caught.value.message and "started 20" in caught.value.message
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)
    with ResultsWriter(results, resume=True):  # the first one ended: the lock is free again
        pass
    assert not (tmp_path / "fleet.jsonl.lock").exists()


def test_a_new_results_file_is_never_appended_to(tmp_path: Path) -> None:
    results = tmp_path / "fleet.jsonl"
    results.write_text("someone else's file\n", encoding="utf-8")
    with pytest.raises(InputError, match="already exists"):
        ResultsWriter(results)
    assert results.read_text(encoding="utf-8") == "someone else's file\n"


def test_two_resumes_of_one_file_record_each_host_once(slow_lab: LabServer, tmp_path: Path) -> None:
    hosts = inventory(slow_lab, tmp_path)
    results = tmp_path / "fleet.jsonl"
    results.write_bytes(b"")
    slow = subprocess.Popen(  # holds the file while it scans (one host at a time)
        [sys.executable, "-m", "msdiag", "scan", "--inventory", str(hosts), "--resume", str(results),
         "--concurrency", "1", "--format", "json"],
        env=dict(os.environ, MSDIAG_USERNAME=USER, MSDIAG_PASSWORD=PASSWORD), cwd=tmp_path,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = tmp_path / "fleet.jsonl.lock"
    give_up = time.monotonic() + 60
    while not lock.exists() and slow.poll() is None and time.monotonic() < give_up:
        time.sleep(0.01)
    second = msdiag(tmp_path, "scan", "--inventory", str(hosts), "--resume", str(results), "--format", "json")
    _, err = slow.communicate(timeout=300)
    assert slow.returncode in (0, 1), err
    assert second.returncode == 2, second.stderr
    assert "is being written by another msdiag scan (pid" in second.stderr
    lines = results.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and len({r.target.key for r in iter_records(results)}) == 6


def test_resume_with_another_inventory_is_refused_unless_asked(lab: LabServer, tmp_path: Path) -> None:
    first = inventory(lab, tmp_path, {"pc00", "pc01", "pc02"}, "first.csv")
    other = inventory(lab, tmp_path, {"pc03", "pc04"}, "other.csv")
    results = tmp_path / "fleet.jsonl"
    proc = msdiag(tmp_path, "scan", "--inventory", str(first), "--results", str(results), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    refused = msdiag(
        tmp_path, "scan", "--inventory", str(other), "--resume", str(results), "--format", "json"
    )
    assert refused.returncode == 2
    assert "holds 3 host(s) that are not in this inventory" in refused.stderr
    assert "--resume-anyway" in refused.stderr
    assert len(results.read_text(encoding="utf-8").splitlines()) == 3  # nothing was scanned
    anyway = msdiag(
        tmp_path,
        "scan",
        "--inventory",
        str(other),
        "--resume",
        str(results),
        "--resume-anyway",
        "--format",
        "json",
    )
    assert anyway.returncode in (0, 1), anyway.stderr
    assert len(list(iter_records(results))) == 5


def test_an_insecure_fleet_warns_and_its_records_say_so(tls_lab: LabServer, tmp_path: Path) -> None:
    hosts = inventory(tls_lab, tmp_path)
    results = tmp_path / "fleet.jsonl"
    proc = msdiag(
        tmp_path,
        "scan",
        "--inventory",
        str(hosts),
        "--insecure",
        "--results",
        str(results),
        "--format",
        "json",
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "WARNING: --insecure" in proc.stderr
    records = list(iter_records(results))
    assert records and all(r.insecure for r in records)


def test_a_second_save_capture_is_refused_before_scanning_unless_forced(
    lab: LabServer, tmp_path: Path
) -> None:
    port = str(lab.port_of("pc00"))
    args = [
        "scan",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--transport",
        "http",
        "--auth",
        "ntlm",
        "--format",
        "json",
    ]
    saved = tmp_path / "pc00.json"
    assert msdiag(tmp_path, *args, "--save-capture", str(saved)).returncode in (0, 1)
    saved.write_text("the first capture, edited by hand", encoding="utf-8")
    again = msdiag(tmp_path, *args, "--save-capture", str(saved))
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr
    assert again.stdout == ""  # refused before the host was scanned
    assert saved.read_text(encoding="utf-8") == "the first capture, edited by hand"
    forced = msdiag(tmp_path, *args, "--save-capture", str(saved), "--force")
    assert forced.returncode in (0, 1), forced.stderr
    assert '"format": "msdiag-capture"' in saved.read_text(encoding="utf-8")
