"""The fleet report made in shares by worker processes is the report one process makes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.engine_samples import captures
from support.process_pools import count_pools

from msdiag.capture.models import Capture
from msdiag.fleet import report_pool
from msdiag.fleet.report import build_fleet_report
from msdiag.ingest.pipeline import ingest_files


def _results(tmp_path: Path, compact: Callable[[Capture], str]) -> list[Path]:
    names = sorted(captures())
    files = []
    for part in range(2):
        states = []
        for n in range(40):
            line = compact(captures()[names[(n + part) % len(names)]])
            states.append({"detectionState": "fail", "lastStateUpdateDateTime": f"2026-11-2{part}T01:{n:02d}:00Z",
                           "preRemediationDetectionScriptOutput": line if n % 7 else line[:30],
                           "managedDevice": {"id": f"00000000-0000-4000-8000-{n % 30:012d}",
                                             "deviceName": "hanako@contoso.co.jp" if n == 5 else f"PC-{n:03d}"}})
        page = tmp_path / f"page-{part}.json"
        page.write_text(json.dumps({"value": states}), encoding="utf-8")
        files.append(ingest_files([page], tmp_path / f"results-{part}.jsonl").results)
    with open(files[0], "ab") as handle:  # a bad line and a torn last line, reported by both
        handle.write(b'{"record_version": 1, "target": {"host": "x"}}\n{"record_version": 1, "tar')
    return [f for f in files if f is not None]


@pytest.mark.parametrize("level", ["none", "standard", "strict"])
def test_shares_in_worker_processes_make_the_same_report(
    level: str, tmp_path: Path, compact: Callable[[Capture], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _results(tmp_path, compact)
    alone = build_fleet_report(files, level)
    monkeypatch.setattr(report_pool, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(report_pool.os, "sched_getaffinity", lambda _: {0, 1, 2})
    assert report_pool.workers_for(files) == 3
    started = count_pools(monkeypatch, report_pool)
    pooled = build_fleet_report(files, level)
    assert started == [2]  # two shares in worker processes, the first here
    assert [vars(r) for r in pooled.hosts] == [vars(r) for r in alone.hosts]
    assert (pooled.by_finding, pooled.signatures, pooled.problems, pooled.merged) == (
        alone.by_finding, alone.signatures, alone.problems, alone.merged)
    assert alone.merged is not None and alone.merged.repeated > 0 and len(alone.problems) >= 2
