"""Saved captures leave the machine too: they are redacted like reports, and still diagnose the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from msdiag.collectors.capture_file import load_capture, save_capture
from msdiag.diagnosis.engine import diagnose
from msdiag.formats.redact import redact_capture

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = [*sorted((ROOT / "msdiag" / "lab" / "hosts").glob("*.json")), ROOT / "tests" / "fixtures" / "captures" / "pii.json", ROOT / "tests" / "fixtures" / "captures" / "abroad-ja-jp-in-us.json"]


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.stem)
def test_standard_redaction_keeps_the_diagnosis(path: Path, tmp_path: Path) -> None:
    original = load_capture(path)
    saved = tmp_path / "saved.json"
    save_capture(redact_capture(original, "standard"), saved)
    again = load_capture(saved)
    assert again.redaction == "standard"
    before = [(f.id, f.status) for f in diagnose(original, errors=["0x800704CF"]).findings]
    after = [(f.id, f.status) for f in diagnose(again, errors=["0x800704CF"]).findings]
    assert after == before


def test_saved_pii_capture_has_no_user_names_or_addresses(tmp_path: Path) -> None:
    saved = tmp_path / "pii.json"
    save_capture(redact_capture(load_capture(CAPTURES[-2]), "standard"), saved)
    text = saved.read_text(encoding="utf-8")
    for personal in ("taro.yamada", "Sakura2026!"):
        assert personal not in text
    strict = redact_capture(load_capture(CAPTURES[-2]), "strict").model_dump_json()
    assert "10.1.20.33" not in strict and "contoso.co.jp" not in strict


def test_none_keeps_the_capture_as_collected_but_never_a_url_password() -> None:
    capture = load_capture(CAPTURES[-2])
    kept = redact_capture(capture, "none")
    assert kept.redaction == "none"
    assert "taro.yamada" in kept.model_dump_json()
    assert "Sakura2026!" not in kept.model_dump_json()
