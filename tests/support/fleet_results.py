"""A small fleet results file made from the lab hosts: three proxy mismatches, two clock skews,
one healthy host and one that could not be scanned."""

from __future__ import annotations

from pathlib import Path

from msdiag.capture.models import Capture, HostState, HostStatus
from msdiag.fleet.models import FleetRecord, FleetTarget
from msdiag.lab import load_lab_hosts

CAPTURES = {h.name: h.capture for h in load_lab_hosts()}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def record(name: str, capture: Capture, *, state: HostState = HostState.OK, detail: str | None = None) -> str:
    capture = capture.model_copy(deep=True)
    if state != HostState.OK:
        capture.host_status = HostStatus(state=state, detail=detail)
    return (
        FleetRecord(
            target=FleetTarget(host=f"{name}.corp.example.jp"),
            started_utc="2026-11-25T01:00:00.000Z",
            duration_ms=1500,
            capture=capture,
        ).model_dump_json()
        + "\n"
    )


def results_file(tmp_path: Path) -> Path:
    lines = [record(f"proxy{i}", CAPTURES["proxy-mismatch"]) for i in range(3)]
    lines += [record(f"skew{i}", CAPTURES["clock-skew"]) for i in range(2)]
    lines.append(record("ok0", CAPTURES["healthy-ja-jp"]))
    lines.append(record("down0", CAPTURES["healthy-ja-jp"], state=HostState.UNREACHABLE, detail="refused"))
    path = tmp_path / "fleet.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path
