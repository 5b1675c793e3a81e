"""How tables and run times arrive from the engines: zipped, UTF-16, semicolons, odd rows, every
date form the engines write."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support.engine_samples import captures, sample

from msdiag.capture.models import Capture
from msdiag.fleet.results import iter_records
from msdiag.ingest.pipeline import ingest_files
from msdiag.ingest.times import parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-01-01T00:02:58.4418045-08:00", "2017-01-01T08:02:58.441804+00:00"),  # Graph, 7 digits and an offset
        ("2026-11-25T07:02:58.441Z", "2026-11-25T07:02:58.441000+00:00"),
        ("2026-11-25 01:02:03.120", "2026-11-25T01:02:03.120000+00:00"),  # SQL views: no zone, UTC
        ("\\/Date(1764032523000)\\/", "2025-11-25T01:02:03+00:00"),  # Windows PowerShell 5.1 ConvertTo-Json
        ("/Date(1764032523000+0900)/", "2025-11-25T01:02:03+00:00"),
        ("20261125010300.000000+000", "2026-11-25T01:03:00+00:00"),  # WMI DMTF
        ("20261125100300.000000+540", "2026-11-25T01:03:00+00:00"),
        ("11/25/2026 2:40:00 PM", "2026-11-25T14:40:00+00:00"),  # the admin center, en-US
        ("11/25/2026 12:05:00 AM", "2026-11-25T00:05:00+00:00"),
    ],
)
def test_engine_times_are_read_as_utc(text: str, expected: str) -> None:
    moment = parse_time(text)
    assert moment is not None and moment.isoformat() == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-45 01:00:00", "0001-01-01", "/Date(abc)/"])
def test_unreadable_times_are_unknown(text: str) -> None:
    assert parse_time(text) is None or parse_time(text) == datetime(1, 1, 1, tzinfo=timezone.utc)


def _devices(path: Path) -> list[str]:
    return sorted(r.target.name or r.target.host for r in iter_records(path))


def test_zipped_export_and_utf16_table(tmp_path: Path, compact: Callable[[Capture], str]) -> None:
    table = sample("intune-device-status.csv", tmp_path, compact)
    archive = tmp_path / "DeviceRunStatesByProactiveRemediation.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(table, "DeviceRunStatesByProactiveRemediation_5b4e3c1a.csv")
    results = tmp_path / "zip.jsonl"
    summary = ingest_files([archive], results)
    assert summary.devices == 5 and "PC-TOKYO-001" in _devices(results)
    assert any(p.startswith(f"{archive}!DeviceRunStatesByProactiveRemediation_5b4e3c1a.csv:8:") for p in summary.problems)
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(table.read_text(encoding="utf-8-sig").encode("utf-16"))  # with its BOM
    summary = ingest_files([utf16], tmp_path / "utf16.jsonl")
    assert summary.devices == 5


def test_rows_with_the_wrong_number_of_cells_are_named(tmp_path: Path, compact: Callable[[Capture], str]) -> None:
    line = compact(captures()["clock-skew"])
    table = tmp_path / "status.csv"
    table.write_text(
        "DeviceName,ScriptExecutionState,ScriptOutput,LastUpdateTime\n"
        f'SRV-1,Succeeded,"{line}",2026-11-25 01:00:00\n'
        "SRV-2,Succeeded\n"
        f'SRV-3,Succeeded,"{line}",2026-11-25 01:00:00,extra\n'
        f'"",Succeeded,"{line}",2026-11-25 01:00:00\n',
        encoding="utf-8",
    )
    summary = ingest_files([table], tmp_path / "r.jsonl")
    assert summary.devices == 1 and summary.bad_rows == 3
    assert summary.problems == [
        f"{table}:3: 2 cells where the header has 4",
        f"{table}:4: 5 cells where the header has 4",
        f"{table}:5: no device name (DeviceName); the row is not about any device",
    ]


def test_a_broken_line_is_named_and_every_input_still_read(tmp_path: Path, compact: Callable[[Capture], str]) -> None:
    good = sample("graph-page-2.json", tmp_path, compact)
    broken = tmp_path / "ansible.jsonl"
    broken.write_bytes(b'{"_event": "v2_playbook_on_play_start", "play": {}}\n' + b"\xff\xfe not json\n")
    summary = ingest_files([good, broken], tmp_path / "r.jsonl", kind=None)
    assert summary.devices == 2  # page 2's two devices with a result
    assert summary.problems and f"{broken}:2: not a JSON event" in summary.problems[0]


def test_escape_sequences_in_device_names_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Callable[[Capture], str]
) -> None:
    from support.cli_run import run

    table = tmp_path / "status.csv"
    table.write_text(
        "DeviceName,ScriptExecutionState,ScriptOutput,LastUpdateTime\n"
        '"SRV-\x1b[2J\x1b]0;pwned\x07X",Succeeded,"MSDIAG1;cut",2026-11-25 01:00:00\n',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "ingest", str(table), "--results", str(tmp_path / "r.jsonl"))
    assert code == 0, err
    assert "bad output" in err and "\x1b" not in err and "\x07" not in err


def test_ansible_results_hidden_by_no_log_still_say_unreachable(tmp_path: Path) -> None:
    hidden = {"censored": "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
              "changed": False}
    document = {"plays": [{"play": {"name": "msdiag"}, "tasks": [
        {"task": {"name": "Run the msdiag collector on the host", "duration": {"end": "2026-11-25T01:00:00Z"}},
         "hosts": {"pc-gone": dict(hidden), "pc-ok": {"changed": False, "output": [captures()["clock-skew"].model_dump_json()]}}},
    ]}], "stats": {"pc-gone": {"ok": 2, "unreachable": 1, "failures": 0}, "pc-ok": {"ok": 3, "unreachable": 0}}}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    results = tmp_path / "r.jsonl"
    ingest_files([path], results)
    states = {r.target.host: r.capture.host_status.state.value for r in iter_records(results)}
    assert states == {"pc-ok": "ok", "pc-gone": "unreachable"}


def test_configmgr_empty_json_output_is_no_output(tmp_path: Path) -> None:
    document = tmp_path / "status.json"
    document.write_text(json.dumps([{"DeviceName": "SRV-9", "ScriptOutput": '""', "ScriptExecutionState": 0}]),
                        encoding="utf-8")
    summary = ingest_files([document], tmp_path / "r.jsonl")
    assert summary.problems == [f"{document}:1: SRV-9: bad output: the device returned no output"]
