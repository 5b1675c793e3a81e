"""Synthetic results files for timing the fleet report (built-in lab captures, many hosts).

Each record carries the diagnosis a fleet scan stores with it (msdiag.fleet.stored_diagnosis.host_diagnosis,
the same engine the report would run), computed here per record as the scan would; building the
file is not part of the timed report. ``stored_diagnosis=False`` writes records as msdiag
versions before it did, which the report diagnoses itself.
"""

from __future__ import annotations

from pathlib import Path

from msdiag.capture.models import HostState, HostStatus
from msdiag.fleet.models import FleetRecord, FleetTarget
from msdiag.fleet.stored_diagnosis import host_diagnosis
from msdiag.lab import load_lab_hosts

FAILED_EVERY = 25  # one host in 25 could not be scanned, as in a real fleet


def make_results(path: Path, hosts: int, *, stored_diagnosis: bool = True) -> Path:
    captures = [h.capture for h in load_lab_hosts()]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(hosts):
            capture = captures[i % len(captures)].model_copy()
            capture.host = f"PC{i:05d}"
            if i % FAILED_EVERY == 0:
                capture = capture.model_copy(
                    update={
                        "host_status": HostStatus(state=HostState.UNREACHABLE, detail="connection refused")
                    }
                )
            record = FleetRecord(
                target=FleetTarget(host=f"pc{i:05d}.corp.example.jp"),
                started_utc="2026-11-25T01:00:00.000Z",
                duration_ms=800 + (i * 37) % 2400,
                capture=capture,
                diagnosis=host_diagnosis(capture) if stored_diagnosis else None,
            )
            out.write(record.model_dump_json() + "\n")
    return path
