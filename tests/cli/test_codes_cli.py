"""`msdiag codes` through the real entry point: output, JSON shape and exit codes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from msdiag.cli import main
from msdiag.knowledge.kb import KnowledgeBase


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["codes", *args])
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_list_shows_every_entry_with_meaning_in_the_chosen_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--lang", "ja")
    assert code == 0
    assert "確度" in out and "ネットワークの場所に到達できません" in out
    for entry in KnowledgeBase.default().entries:
        assert (entry.codes[0] if entry.codes else entry.id) in out
    code, out, _ = run(capsys, "--lang", "en")
    assert "The network location cannot be reached" in out and "unconfirmed" in out


def test_list_json_is_sorted_entries_with_causes_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    data: list[dict[str, Any]] = json.loads(out)
    assert [e["id"] for e in data] == sorted(e["id"] for e in data)
    assert len(data) == len(KnowledgeBase.default().entries)
    first = data[0]
    assert {"id", "codes", "aliases", "name", "meaning", "causes", "sources", "confidence"} <= set(first)
    assert set(first["meaning"]) == {"en", "ja"}


def test_one_code_shows_causes_rules_steps_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-2147023665", "--lang", "en")
    assert code == 0
    assert "0x800704CF" in out and "ERROR_NETWORK_UNREACHABLE" in out
    assert "checked by: hosts_file.override, endpoints.ncsi_blocked" in out
    assert "  1. Check the network connection" in out
    assert "seed-article-ja" in out and "Last verified: 2026-11-25" in out


def test_one_code_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "0x8019019a", "--lang", "ja")
    assert code == 0
    assert "考えられる原因" in out and "キャッシュ" in out and "確度: 未確認" in out


def test_account_side_causes_say_they_cannot_be_checked(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "0x80860010", "--lang", "en")
    assert "cannot be checked from the machine (account side)" in out


def test_japanese_message_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "「この国番号は対応していません」", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "msg-country-code-not-supported"
    assert data["query"] == "「この国番号は対応していません」"
    assert data["decoded"] is None
    assert any("phone.trunk_prefix" in c["rules"] for c in data["causes"])
    assert "この国番号は対応していません" in out  # UTF-8, not \\u escapes


def test_code_json_includes_decoding(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "CAA82EE2", "--format", "json")
    data = json.loads(out)
    assert data["id"] == "0xCAA82EE2"
    assert data["decoded"]["code"] == 12002


def test_unknown_well_formed_code_exits_0_with_decoding(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "0x80070005")
    assert code == 0
    assert "msdiag has no entry for this code" in out
    assert "ERROR_ACCESS_DENIED" in out and "FACILITY_WIN32" in out
    code, out, _ = run(capsys, "0x80070005", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["id"] is None
    assert data["decoded"]["win32_name"] == "ERROR_ACCESS_DENIED"


@pytest.mark.parametrize("junk", ["hello", "z" * 5000, "0x1234567890"])
def test_unparseable_input_exits_2_with_a_message(capsys: pytest.CaptureFixture[str], junk: str) -> None:
    code, out, err = run(capsys, junk)
    assert code == 2
    assert out == ""
    assert err.startswith("msdiag: ") and "Traceback" not in err
    assert len(err) < 400


def test_bad_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--format", "xml")
    assert code == 2 and "xml" in err
