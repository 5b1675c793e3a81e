"""`msdiag ingest` on each engine's export (tests/data/engines/, shapes from the documented pages):
one record per device, the findings its capture has, every unreadable row named by file and row."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.cli_run import run
from support.engine_samples import captures, sample

from msdiag.capture.models import Capture
from msdiag.fleet.models import FleetRecord
from msdiag.fleet.results import iter_records
from msdiag.fleet.stored_diagnosis import host_diagnosis

Encode = Callable[[Capture], str]


def _records(path: Path) -> dict[str, FleetRecord]:
    return {(r.target.name or r.target.host): r for r in iter_records(path)}


def _failing(record: FleetRecord) -> list[str]:
    assert record.diagnosis is not None
    return sorted(f.id for f in record.diagnosis.findings if f.status.value == "fail")


def _expected_failing(name: str) -> list[str]:
    diagnosis = host_diagnosis(captures()[name])
    assert diagnosis is not None
    return sorted(f.id for f in diagnosis.findings if f.status.value == "fail")


def _ingest(capsys: pytest.CaptureFixture[str], tmp_path: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, Path]:
    out = tmp_path / "ingested.jsonl"
    code, _, err = run(capsys, "ingest", *map(str, inputs), "--results", str(out), *extra)
    return code, err, out


def _ingested(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode) -> tuple[Path, str, dict[str, FleetRecord]]:
    """The sample ``name`` ingested: (the sample file, what ingest said, the records by device)."""
    path = sample(name, tmp_path, compact)
    code, err, out = _ingest(capsys, tmp_path, path)
    assert code == 0, err
    return path, err, _records(out)


def test_graph_pages_give_one_record_per_device_with_its_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode
) -> None:
    pages = [sample("graph-page-1.json", tmp_path, compact), sample("graph-page-2.json", tmp_path, compact)]
    code, err, out = _ingest(capsys, tmp_path, *pages)
    assert code == 0, err
    records = _records(out)
    assert sorted(records) == [
        "PC-KOBE-007", "PC-KOBE-008", "PC-NAGOYA-005", "PC-OSAKA-003", "PC-TOKYO-001", "PC-TOKYO-002", "PC-TOKYO-006",
    ]
    assert _failing(records["PC-TOKYO-001"]) == _expected_failing("proxy-mismatch") != []
    assert _failing(records["PC-KOBE-007"]) == _expected_failing("vpn-dns-failure") != []
    assert records["PC-TOKYO-002"].diagnosis is not None
    assert records["PC-TOKYO-002"].diagnosis.verdict == host_diagnosis(captures()["healthy-ja-jp"]).verdict  # type: ignore[union-attr]
    # the device is Intune's: its id is the identity, its name what reports show
    assert records["PC-TOKYO-001"].target.host == "0b6f0c3e-1d1c-4a57-8d0e-6f0e2f6e9a01"
    assert records["PC-TOKYO-001"].capture.host == "PC-TOKYO-001"
    # the run time is Graph's lastStateUpdateDateTime, in UTC; the source is recorded
    assert records["PC-TOKYO-001"].started_utc == "2026-11-25T07:02:58.441Z"
    source = records["PC-TOKYO-001"].source
    assert source is not None and (source.kind, source.row, source.state) == ("intune-graph", 1, "fail")
    assert source.file.endswith("graph-page-1.json")


def test_graph_cut_off_and_displaced_outputs_are_bad_output_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode
) -> None:
    page, err, records = _ingested("graph-page-1.json", tmp_path, capsys, compact)
    cut, displaced = records["PC-OSAKA-003"], records["PC-TOKYO-006"]
    for record in (cut, displaced):
        assert record.capture.host_status.state.value == "bad_output"
        assert record.diagnosis is None  # never a pass
        assert all(check.status.value == "not_run" for check in record.capture.checks.values())
    assert "cut" in (cut.capture.host_status.detail or "")  # the compact format says how it knows
    assert f"{page}:3: PC-OSAKA-003: bad output" in err
    assert f"{page}:6: PC-TOKYO-006: bad output" in err
    # the script error keeps Intune's error text; the record without managedDevice is named, not dropped
    assert records["PC-NAGOYA-005"].capture.host_status.state.value == "script_error"
    assert "Access denied" in (records["PC-NAGOYA-005"].capture.host_status.detail or "")
    assert f"{page}:7: no managedDevice" in err
    assert "PC-OSAKA-004" not in records and "1 devices have no result yet" in err


def test_graph_personal_fields_are_not_copied(tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode) -> None:
    page = sample("graph-page-1.json", tmp_path, compact)
    _, _, out = _ingest(capsys, tmp_path, page)
    text = out.read_text(encoding="utf-8")
    for personal in ("hanako.yamada@contoso.co.jp", "Hanako Yamada", "+81 90-1234-5678", "5CG1234XYZ"):
        assert personal not in text
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_intune_csv_export(tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode) -> None:
    table, err, records = _ingested("intune-device-status.csv", tmp_path, capsys, compact)
    assert sorted(records) == ["PC-NAGOYA-005", "PC-OSAKA-003", "PC-TOKYO-001", "PC-TOKYO-002", "PC-TOKYO-006"]
    assert _failing(records["PC-OSAKA-003"]) == _expected_failing("clock-skew") != []
    assert records["PC-OSAKA-003"].started_utc == "2026-11-25T02:40:00.000Z"  # en-US month-first
    assert records["PC-TOKYO-002"].started_utc == "2026-11-25T01:14:07.000Z"
    assert records["PC-TOKYO-006"].capture.host_status.state.value == "bad_output"
    assert f"{table}:8: no device name (DeviceName)" in err  # row 8 as a spreadsheet numbers it
    assert all("hanako.yamada" not in r.model_dump_json() for r in records.values())


def test_intune_csv_with_renamed_headers_needs_and_takes_a_column_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode
) -> None:
    table = sample("intune-device-status.csv", tmp_path, compact)
    text = table.read_text(encoding="utf-8-sig")
    renamed = tmp_path / "portal.csv"
    header, rest = text.split("\n", 1)
    header = header.replace('"DeviceName"', '"Device name"').replace(
        '"PreRemediationDetectionScriptOutput"', '"Pre-remediation detection output"'
    )
    renamed.write_text(header.replace(",", ";") + "\n" + rest.replace('","', '";"'), encoding="utf-8")
    code, err, _ = _ingest(capsys, tmp_path, renamed, extra=("--source", "intune-csv"))
    assert code == 2 and "output (PreRemediationDetectionScriptOutput)" in err and "--column-map" in err
    out = tmp_path / "mapped.jsonl"
    code, err, _ = run(
        capsys, "ingest", str(renamed), "--source", "intune-csv", "--results", str(out),
        "--column-map", "output=Pre-remediation detection output",
    )
    assert code == 0, err
    assert _failing(_records(out)["PC-TOKYO-001"]) == _expected_failing("proxy-mismatch")


def test_configmgr_csv_newest_run_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode) -> None:
    _, err, records = _ingested("configmgr-script-status.csv", tmp_path, capsys, compact)
    assert sorted(records) == ["SRV-APP-03", "SRV-APP-04", "SRV-FILE-01", "SRV-FILE-02"]
    # SRV-FILE-01: the 2026-11-25 run (proxy mismatch), not the older healthy one after it in the file
    assert _failing(records["SRV-FILE-01"]) == _expected_failing("proxy-mismatch") != []
    assert records["SRV-FILE-01"].started_utc == "2026-11-25T01:02:03.120Z"
    assert records["SRV-APP-04"].capture.host_status.state.value == "script_error"
    assert "1 older results of a device replaced" in err


def test_configmgr_json_unwraps_convertto_json_and_names_the_4kb_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode
) -> None:
    document, err, records = _ingested("configmgr-script-status.json", tmp_path, capsys, compact)
    assert records["SRV-FILE-01"].started_utc == "2025-11-25T01:02:03.000Z"  # \/Date(1764032523000)\/
    assert _failing(records["SRV-FILE-01"]) == _expected_failing("proxy-mismatch")
    assert records["SRV-APP-03"].started_utc == "2026-11-25T01:03:00.000Z"  # WMI DMTF
    assert "ConfigMgr keeps only 4 KB" in (records["SRV-APP-03"].capture.host_status.detail or "")
    # the AdminService's OData form of the same records
    odata = tmp_path / "adminservice.json"
    odata.write_text(json.dumps({"@odata.context": "https://cm/AdminService/wmi/$metadata",
                                 "value": json.loads(document.read_text(encoding="utf-8"))}), encoding="utf-8")
    code, err, out2 = _ingest(capsys, tmp_path / ".." / tmp_path.name, odata, extra=("--force",))
    assert code == 0, err
    assert sorted(_records(out2)) == sorted(records)


@pytest.mark.parametrize("name", ["ansible-callback.json", "ansible-callback.jsonl"])
def test_ansible_callbacks(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode) -> None:
    _, _, records = _ingested(name, tmp_path, capsys, compact)
    assert sorted(records) == ["pc-osaka-003", "pc-osaka-004", "pc-tokyo-001", "pc-tokyo-002"]
    assert _failing(records["pc-tokyo-001"]) == _expected_failing("proxy-mismatch") != []
    assert records["pc-tokyo-002"].capture.host == captures()["healthy-ja-jp"].host  # a full capture keeps its own
    assert records["pc-osaka-003"].capture.host_status.state.value == "unreachable"
    assert "Connection refused" in (records["pc-osaka-003"].capture.host_status.detail or "")
    assert records["pc-osaka-004"].capture.host_status.state.value == "script_error"
    assert "Access is denied" in (records["pc-osaka-004"].capture.host_status.detail or "")


def test_ansible_jsonl_cut_off_line_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode) -> None:
    output = sample("ansible-callback.jsonl", tmp_path, compact)
    lines = output.read_text(encoding="utf-8").splitlines(keepends=True)
    ok = next(i for i, line in enumerate(lines) if "pc-tokyo-002" in line and "v2_runner_on_ok" in line)
    lines[ok] = lines[ok][: len(lines[ok]) // 2] + "\n"
    output.write_text("".join(lines), encoding="utf-8")
    code, err, out = _ingest(capsys, tmp_path, output)
    assert code == 0, err
    assert f"{output}:{ok + 1}: not a JSON event" in err
    assert "pc-tokyo-002" not in _records(out)


def test_capture_folder_from_the_playbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "collected"
    (folder / "slice-1").mkdir(parents=True)
    (folder / "slice-2").mkdir()
    for n, name in enumerate(("proxy-mismatch", "clock-skew", "healthy-en-us")):
        (folder / f"slice-{n % 2 + 1}" / f"pc{n:02d}.corp.example.jp.json").write_text(
            captures()[name].model_dump_json(), encoding="utf-8"
        )
    whole = captures()["wlidsvc-disabled"].model_dump_json()
    (folder / "slice-2" / "pc99.corp.example.jp.json").write_text(whole[: len(whole) // 3], encoding="utf-8")
    code, err, out = _ingest(capsys, tmp_path, folder)
    assert code == 0, err
    records = _records(out)
    assert sorted(records) == [f"pc{n:02d}.corp.example.jp" for n in (0, 1, 2, 99)]
    assert _failing(records["pc00.corp.example.jp"]) == _expected_failing("proxy-mismatch")
    assert _failing(records["pc01.corp.example.jp"]) == _expected_failing("clock-skew")
    assert records["pc99.corp.example.jp"].capture.host_status.state.value == "bad_output"
    assert "pc99.corp.example.jp: bad output: the capture is cut off" in err


def test_newest_result_wins_across_files_and_older_ones_are_not_decoded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode
) -> None:
    page = json.loads(sample("graph-page-1.json", tmp_path, compact).read_text(encoding="utf-8"))
    older = {"value": [dict(page["value"][0], lastStateUpdateDateTime="2026-11-01T00:00:00Z",
                            preRemediationDetectionScriptOutput=compact(captures()["healthy-ja-jp"]))]}
    newer = {"value": [dict(page["value"][2], lastStateUpdateDateTime="2026-11-30T00:00:00Z",
                            preRemediationDetectionScriptOutput=compact(captures()["healthy-ja-jp"]))]}
    broken_older = {"value": [dict(page["value"][1], lastStateUpdateDateTime="2026-10-01T00:00:00Z",
                                   preRemediationDetectionScriptOutput="MSDIAG garbage")]}
    files = []
    for n, doc in enumerate((newer, page, older, broken_older)):
        files.append(tmp_path / f"export-{n}.json")
        files[-1].write_text(json.dumps(doc), encoding="utf-8")
    code, err, out = _ingest(capsys, tmp_path, *files)
    assert code == 0, err
    records = _records(out)
    assert _failing(records["PC-TOKYO-001"]) == _expected_failing("proxy-mismatch")  # newer than the older file
    assert records["PC-OSAKA-003"].capture.host_status.state.value == "ok"  # fixed since the cut-off line
    assert records["PC-OSAKA-003"].started_utc == "2026-11-30T00:00:00.000Z"
    assert "garbage" not in err  # an older result than the device's newest is never decoded
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(records)


def test_report_reads_the_ingested_results(tmp_path: Path, capsys: pytest.CaptureFixture[str], compact: Encode) -> None:
    page = sample("graph-page-1.json", tmp_path, compact)
    _, _, out = _ingest(capsys, tmp_path, page)
    code, stdout, err = run(capsys, "report", str(out), "--format", "json", "--reports-dir", str(tmp_path / "r"))
    report = json.loads(stdout)
    assert code == 4, err  # some devices have no readable result
    assert report["hosts_total"] == 5
    assert report["by_state"] == {"ok": 2, "bad_output": 2, "script_error": 1}
    assert any(s["hosts"] == ["PC-TOKYO-001"] for s in report["signatures"])


def test_bad_inputs_are_messages_not_tracebacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello\n", encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(odd), "--results", str(tmp_path / "a.jsonl"))
    assert code == 2 and "not an input msdiag ingest recognises" in err
    code, _, err = run(capsys, "ingest", str(tmp_path / "missing.json"), "--results", str(tmp_path / "b.jsonl"))
    assert code == 2 and "no such file or folder" in err
    page = tmp_path / "page.json"
    page.write_text('{"value": [{"detectionState": "fail", "managedDevice": {"deviceName": "PC1"}}', encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(page), "--results", str(tmp_path / "c.jsonl"), "--source", "intune-graph")
    assert code == 2 and "not valid JSON" in err and "Traceback" not in err
    assert not (tmp_path / "c.jsonl").exists() and not list(tmp_path.glob(".c.jsonl*"))
