"""The fleet report reduces each engine output once: the rows are the same as reducing every
record by itself, at every redaction level."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.engine_samples import captures

from msdiag.capture.models import Capture
from msdiag.fleet import report as fleet_report
from msdiag.fleet.report import build_fleet_report
from msdiag.ingest.pipeline import ingest_files


def _page(tmp_path: Path, compact: Callable[[Capture], str]) -> Path:
    states = []
    names = ["proxy-mismatch", "clock-skew", "pii", "healthy-ja-jp"]
    hosts = ["PC-001", "PC-002", "hanako.yamada@contoso.co.jp", "CONTOSO\\hanako", "PC-005", "PC-006", "pc-007", "PC-008"]
    for n, host in enumerate(hosts):
        line = compact(captures()[names[n % len(names)]])
        states.append({"detectionState": "fail", "lastStateUpdateDateTime": f"2026-11-25T0{n}:00:00Z",
                       "preRemediationDetectionScriptOutput": line,
                       "managedDevice": {"id": f"00000000-0000-4000-8000-00000000000{n}", "deviceName": host}})
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"value": states}), encoding="utf-8")
    return page


@pytest.mark.parametrize("level", ["none", "standard", "strict"])
def test_shared_rows_equal_rows_reduced_one_by_one(
    level: str, tmp_path: Path, compact: Callable[[Capture], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results.jsonl"
    ingest_files([_page(tmp_path, compact)], results)
    shared = build_fleet_report(results, level)
    monkeypatch.setattr(fleet_report, "SHARED_ROWS_MAX", 0)
    alone = build_fleet_report(results, level)
    assert [vars(row) for row in shared.hosts] == [vars(row) for row in alone.hosts]
    assert shared.by_finding == alone.by_finding and shared.signatures == alone.signatures
    # the device named like a person is masked in its own row, whatever another row said
    if level != "none":
        assert all("hanako" not in row.name.lower() or level == "standard" for row in shared.hosts)
        assert all("hanako.yamada" not in (f.detail_en or "") for row in shared.hosts for f in row.findings)


def test_rows_are_shared_only_for_plain_host_names(tmp_path: Path, compact: Callable[[Capture], str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    results = tmp_path / "results.jsonl"
    ingest_files([_page(tmp_path, compact)], results)
    computed: list[str] = []
    real = fleet_report.host_row

    def counting(record, *args, **kwargs):  # type: ignore[no-untyped-def]
        computed.append(record.capture.host)
        return real(record, *args, **kwargs)

    monkeypatch.setattr(fleet_report, "host_row", counting)
    build_fleet_report(results, "standard")
    # four outputs, each twice: PC-005 and PC-006 reuse PC-001's and PC-002's rows; the person-like
    # names are reduced themselves, so pc-007 and PC-008 are the first plain hosts of their outputs
    assert computed == ["PC-001", "PC-002", "hanako.yamada@contoso.co.jp", "CONTOSO\\hanako", "pc-007", "PC-008"]
