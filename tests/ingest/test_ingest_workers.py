"""Decoding in worker processes writes the same results file as decoding in one process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.engine_samples import captures
from support.process_pools import count_pools

from msdiag.capture.models import Capture
from msdiag.ingest import workers
from msdiag.ingest.pipeline import Ingest
from msdiag.ingest.readers.graph import page_rows


def _page(compact: Callable[[Capture], str]) -> dict[str, object]:
    names = sorted(captures())
    states = []
    for n in range(60):
        capture = captures()[names[n % len(names)]]
        line = compact(capture) if n % 9 else compact(capture)[:40]  # some cut off
        states.append({"detectionState": "fail", "lastStateUpdateDateTime": f"2026-11-25T01:{n:02d}:00Z",
                       "preRemediationDetectionScriptOutput": line,
                       "managedDevice": {"id": f"00000000-0000-4000-8000-{n:012d}", "deviceName": f"PC-{n:03d}"}})
    states.append(dict(states[3], lastStateUpdateDateTime="2026-11-20T00:00:00Z"))  # older: never decoded
    states.append(dict(states[4], lastStateUpdateDateTime="2026-11-30T00:00:00Z",
                       preRemediationDetectionScriptOutput=compact(captures()["healthy-ja-jp"])))  # newer
    return {"value": states}


def _ingest(path: Path, page: dict[str, object], workers_: int) -> tuple[bytes, list[str], dict[str, int]]:
    job = Ingest(path, workers=workers_)
    job.add_all(page_rows(json.loads(json.dumps(page)), "page.json"))
    summary = job.finish()
    return path.read_bytes(), summary.problems, dict(summary.by_state)


def test_worker_processes_write_the_same_file(tmp_path: Path, compact: Callable[[Capture], str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "CHUNK", 4)
    monkeypatch.setattr(workers, "POOL_AFTER", 8)
    page = _page(compact)
    started = count_pools(monkeypatch, workers)
    alone = _ingest(tmp_path / "one.jsonl", page, 1)
    assert started == []
    pooled = _ingest(tmp_path / "two.jsonl", page, 2)
    assert started == [2]
    assert pooled == alone
    assert alone[2]["bad_output"] == 7 and sum(alone[2].values()) == 60
