"""Reading saved captures: untrusted files from other machines and other tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msdiag.capture.models import CheckStatus
from msdiag.collectors.capture_file import load_capture, save_capture
from msdiag.errors import InputError

HOSTS = Path(__file__).resolve().parents[2] / "msdiag" / "lab" / "hosts"


def _healthy() -> dict:
    return json.loads((HOSTS / "healthy-ja-jp.json").read_text(encoding="utf-8"))


def test_round_trip_keeps_every_document(tmp_path: Path) -> None:
    capture = load_capture(HOSTS / "healthy-ja-jp.json")
    out = tmp_path / "again.json"
    save_capture(capture, out)
    again = load_capture(out)
    assert again == capture


def test_utf16_file_written_by_windows_powershell_is_read(tmp_path: Path) -> None:
    # `msdiag-export.ps1 > capture.json` in Windows PowerShell 5.1 writes UTF-16 LE with a BOM.
    path = tmp_path / "utf16.json"
    path.write_bytes(json.dumps(_healthy(), ensure_ascii=False).encode("utf-16"))
    capture = load_capture(path)
    assert capture.checks["locale"].status is CheckStatus.OK


def test_a_tampered_document_becomes_error_with_raw_kept(tmp_path: Path) -> None:
    data = _healthy()
    data["checks"]["time"]["document"]["data"]["time_zone"]["base_utc_offset_minutes"] = "540"
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    capture = load_capture(path)
    assert capture.checks["time"].status is CheckStatus.ERROR
    assert "base_utc_offset_minutes" in (capture.checks["time"].reason or "")
    assert capture.checks["time"].raw and '"540"' in capture.checks["time"].raw
    assert capture.checks["os"].status is CheckStatus.OK


def test_missing_and_unknown_checks(tmp_path: Path) -> None:
    data = _healthy()
    del data["checks"]["tls"]
    data["checks"]["made_up"] = {"status": "ok", "document": {}}
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    capture = load_capture(path)
    assert capture.checks["tls"].status is CheckStatus.NOT_RUN
    assert "made_up" not in capture.checks
    assert any("made_up" in w for w in capture.warnings)


def test_runner_lines_file_is_read_as_a_capture(tmp_path: Path) -> None:
    data = _healthy()
    lines = [
        json.dumps(
            {
                "msdiag_runner": "start",
                "protocol": 1,
                "host": "PC-LINES",
                "ps_edition": "Desktop",
                "ps_version": "5.1.19041.4522",
                "utc": "2026-11-25T01:02:03Z",
            }
        )
    ]
    lines += [json.dumps(data["checks"][n]["document"], ensure_ascii=False) for n in ("os", "locale")]
    lines.append(json.dumps({"msdiag_runner": "end", "elapsed_ms": 900}))
    path = tmp_path / "lines.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    capture = load_capture(path)
    assert capture.host == "PC-LINES"
    assert capture.checks["os"].status is CheckStatus.OK
    assert capture.checks["network"].status is not CheckStatus.OK


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01\x02garbage", b"[1, 2, 3]", b'{"format": "msdiag-capture"}']
)
def test_not_a_capture(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(InputError):
        load_capture(path)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.seek(64 * 1024 * 1024 + 1)
        fh.write(b"\0")
    with pytest.raises(InputError, match="at most"):
        load_capture(path)
