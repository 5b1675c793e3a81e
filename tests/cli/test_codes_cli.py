"""`msdiag codes` through the real entry point: output, JSON shape and exit codes."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from wcwidth import wcswidth

from msdiag.cli import main
from msdiag.cli.codes_cmd import render_entry, render_list
from msdiag.cli.reference import wrap
from msdiag.knowledge.hresult import decode_hresult
from msdiag.knowledge.kb import KnowledgeBase


def flat(text: str) -> str:
    """The page with its line wrapping undone (Japanese has no spaces to rejoin on)."""
    return re.sub(r"\s+", "", text)


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
    assert "[Microsoft の資料あり]" in out and "ネットワークの場所に到達できません" in out
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
    assert "https://ittrip.xyz/?p=85232" in out and "Last verified: 2026-12-01" in out
    assert "evidence: documented by Microsoft" in out


def test_one_code_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "0x8019019a", "--lang", "ja")
    assert code == 0
    assert "考えられる原因" in out and "キャッシュ" in flat(out) and "確度: 未確認" in out


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


# ---------------------------------------------------------------- 80 columns, evidence, step kinds
def _too_wide(page: str, width: int = 80) -> list[str]:
    # a line may only be wider when it is one word that must copy whole (a URL, a registry path)
    words = (re.sub(r"^\s*(- )?", "", line) for line in page.splitlines() if wcswidth(line) > width)
    return [w for w in words if " " in w]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_list_fits_80_columns(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal still gets a page a ticket can hold
    code, out, _ = run(capsys, "--lang", lang)
    assert code == 0 and out.count("\n") > 300
    assert _too_wide(out) == []
    assert max(wcswidth(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_entry_page_fits_80_columns(lang: str) -> None:
    for entry in KnowledgeBase.default().entries:
        decoded = decode_hresult(int(entry.codes[0], 16)) if entry.codes and entry.codes[0].startswith("0x") else None
        page = render_entry(entry, decoded, lang, 80)  # type: ignore[arg-type]
        assert _too_wide(page) == [], entry.id


def test_a_narrow_terminal_gets_a_narrower_page(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    _, out, _ = run(capsys, "0x80072F8F", "--lang", "ja")
    assert _too_wide(out, 60) == []


def test_the_list_counts_entries_by_evidence_level() -> None:
    kb = KnowledgeBase.default()
    page = render_list(kb, "en")
    levels = {level: sum(e.confidence == level for e in kb.entries) for level in ("documented", "community", "unconfirmed")}
    assert page.splitlines()[0] == (
        f"{len(kb.entries)} entries: {levels['documented']} documented by Microsoft, "
        f"{levels['community']} community reports, {levels['unconfirmed']} unconfirmed"
    )
    assert "0x8028008B  [community reports]" in page and "0xC00484B2  [unconfirmed]" in page


@pytest.mark.parametrize(
    ("lang", "record", "change"),
    [("en", "[records the state] Record the services' state first", "[changes the PC] Then, as administrator"),
     ("ja", "[状態を記録] まずサービスの状態を記録します", "[PC を変更] その後、管理者として")],
)  # fmt: skip
def test_steps_say_when_they_record_or_change_the_pc(
    capsys: pytest.CaptureFixture[str], lang: str, record: str, change: str
) -> None:
    _, out, _ = run(capsys, "0x80070426", "--lang", lang)
    assert record in out and change in out
    assert out.index(record) < out.index(change)


def test_win32_texts_are_japanese_where_microsoft_publishes_them_and_say_so_where_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "0x800704CF", "--lang", "ja")
    assert "ネットワークの場所に到達できません。" in out and "see Windows Help" not in out
    _, out, _ = run(capsys, "0x80072EE2", "--lang", "ja")
    assert "The request has timed out." in out and "公開されている日本語のメッセージはありません" in flat(out)


def test_decoded_names_appear_for_codes_without_an_entry(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "0x80004005", "--lang", "en")
    assert "name: E_FAIL" in out and "Unspecified failure" in out
    _, out, _ = run(capsys, "0x80004005", "--format", "json")
    assert json.loads(out)["decoded"]["name"] == "E_FAIL"


def test_japanese_lines_do_not_start_with_closing_marks_or_small_kana() -> None:
    text = "このアカウントのパスワードによるサインインが Microsoft アカウント サービスによってロックされています。"
    for width in range(20, 60):
        lines = wrap(text, width)
        assert all(wcswidth(line) <= width for line in lines), width
        assert not any(line[0] in "、。っゃゅょ）」" for line in lines if line), (width, lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_every_word_of_the_reference_commands_has_english_and_japanese() -> None:
    tables = json.loads(resources.files("msdiag.cli").joinpath("reference_words.json").read_text(encoding="utf-8"))
    tables.pop("_about")
    assert set(tables) == {"codes", "rules"}
    for command, table in tables.items():
        for key, words in table.items():
            assert isinstance(words, list) and len(words) == 2, (command, key)
            assert words[1].strip(), (command, key)  # English may be empty (a note only Japanese needs)
