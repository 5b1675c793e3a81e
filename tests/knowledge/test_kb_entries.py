"""The packaged knowledge base: every entry loads, is bilingual and sourced (links: test_kb_links.py)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from msdiag.knowledge.kb import KnowledgeBase, KnowledgeBaseError
from msdiag.knowledge.models import Entry

# Rows marked UNCONFIRMED in shared/reference/error-codes.md.
UNCONFIRMED_CODES = {"0x8019019A", "0x80070426", "0xC00484B2", "0x800704EC", "0x800706BE", "0x80080005"}

# Every code and family error-codes.md lists must have an entry.
REFERENCE_CODES = {
    "0x800704CF", "0x80190001", "0x8019019A", "0x80072EE2", "0x80072EE7", "0x80072EFD", "0x80072EFE",
    "0x80072F8F", "0x8007000D", "0xCAA20003", "0xCAA20004", "0xCAA2000C", "0xCAA70004", "0xCAA70007",
    "0xCAA7000A", "0xCAA82EE2", "0xCAA82EE7", "0xCAA82EFD", "0xCAA82EFE", "0xCAA82F8F", "0xCAA90018",
    "0xCAA5001C", "0x80070426", "0x80090016", "0xC000006D", "0xC00484B2", "0x800704EC", "0x800706BE",
    "0x80080005", "0x80048820", "0x80048821", "0x80048823", "0x8004882C", "0x80860010", "0x80860007",
    "0x8086000A", "0x8086000B", "AADSTS50076", "AADSTS50079", "AADSTS50126", "AADSTS50155",
    "AADSTS53003", "AADSTS50011", "AADSTS700016",
}  # fmt: skip

#: the public page of the article the scenario starts from (once cited by an internal id)
ARTICLE = "https://ittrip.xyz/?p=85232"

ENTRIES_DIR = Path(__file__).resolve().parents[2] / "msdiag" / "knowledge" / "entries"


def _is_japanese(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(("HIRAGANA", "KATAKANA", "CJK")) for ch in text)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.default()


def _entries() -> list[Entry]:
    return KnowledgeBase.default().entries


def test_knowledge_base_is_big_enough_and_covers_the_reference(kb: KnowledgeBase) -> None:
    assert len(kb.entries) >= 80
    codes = {code for e in kb.entries for code in e.codes}
    assert REFERENCE_CODES <= codes, sorted(REFERENCE_CODES - codes)


def test_every_file_declares_its_format_version() -> None:
    files = sorted(ENTRIES_DIR.glob("*.toml"))
    assert {f.stem for f in files} >= {"network", "wam", "machine", "account", "messages", "aadsts"}
    for file in files:
        assert re.search(r"^format_version = 1$", file.read_text(encoding="utf-8"), re.M), file.name


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e.id)
def test_entry_is_bilingual_and_sourced(entry: Entry) -> None:
    texts = [entry.meaning, entry.seen_in, *entry.remediation]
    texts += [c.text for c in entry.causes] + [s for c in entry.causes for s in c.remediation]
    for text in texts:
        assert text.en.strip() and text.ja.strip()
        assert _is_japanese(text.ja), f"{entry.id}: not Japanese: {text.ja!r}"
        assert text.en.isascii() or not _is_japanese(text.en.replace("海外赴任・留学", ""))
    assert entry.sources and all(s.startswith("https://") for s in entry.sources)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.last_verified)
    assert entry.causes, "every entry names at least one possible cause"
    assert entry.remediation or any(c.remediation for c in entry.causes)


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e.id)
def test_codes_the_reference_marks_unconfirmed_stay_unconfirmed(entry: Entry) -> None:
    # every other level is checked against the sources by the policy (test_kb_policy.py)
    if set(entry.codes) & UNCONFIRMED_CODES:
        assert entry.confidence == "unconfirmed"
        assert "nconfirmed" in entry.meaning.en and "未確認" in entry.meaning.ja


def test_article_causes_cite_the_public_article_and_not_the_pc_region(kb: KnowledgeBase) -> None:
    for entry_id in (
        "0x800704CF",
        "0x8019019A",
        "msg-something-went-wrong",
        "msg-country-code-not-supported",
    ):
        entry = kb.get(entry_id)
        assert entry is not None and ARTICLE in entry.sources
        assert "seed-article-ja" not in entry.sources
    country = kb.get("msg-country-code-not-supported")
    assert country is not None
    assert {"この国番号は対応していません", "We don't support that country code"} <= set(country.aliases)
    rules = {r for c in country.causes for r in c.rules}
    assert "phone.trunk_prefix" in rules
    # the article itself says region settings are not directly related (直接関連しない)
    assert not {r for r in rules if r.startswith("region.")}


def test_entries_for_rule_gives_the_codes_a_failing_rule_produces(kb: KnowledgeBase) -> None:
    clock = {e.id for e in kb.entries_for_rule("clock.skew")}
    assert {"0x80072F8F", "0xCAA82F8F", "0xCAA20003"} <= clock
    assert "0x800704CF" in {e.id for e in kb.entries_for_rule("hosts_file.override")}
    assert kb.entries_for_rule("no.such_rule") == []


def _write(directory: Path, name: str, body: str) -> None:
    (directory / name).write_text(body, encoding="utf-8")


ENTRY_TOML = """
[[entries]]
id = "{id}"
kind = "hresult"
codes = ["{code}"]
aliases = {aliases}
name = "X"
meaning = {{ en = "m", ja = "意味" }}
seen_in = {{ en = "s", ja = "場面" }}
sources = ["https://learn.microsoft.com/x"]
last_verified = "2026-11-25"
confidence = "documented"
"""


def test_duplicate_codes_are_rejected_at_load(tmp_path: Path) -> None:
    body = "format_version = 1\n" + ENTRY_TOML.format(id="a", code="0x80070005", aliases="[]")
    body += ENTRY_TOML.format(id="b", code="0x80070005", aliases="[]")
    _write(tmp_path, "dup.toml", body)
    with pytest.raises(KnowledgeBaseError, match="0x80070005 is in two entries"):
        KnowledgeBase.load(tmp_path)


def test_duplicate_aliases_differing_only_in_width_are_rejected(tmp_path: Path) -> None:
    body = "format_version = 1\n" + ENTRY_TOML.format(
        id="a", code="0x80070005", aliases='["Access is denied"]'
    )
    body += ENTRY_TOML.format(id="b", code="0x80070006", aliases='["ＡＣＣＥＳＳ  is denied."]')
    _write(tmp_path, "dup.toml", body)
    with pytest.raises(KnowledgeBaseError, match="two entries"):
        KnowledgeBase.load(tmp_path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("format_version = 2\n", "format_version 2 is not supported"),
        ("format_version = 1\n[[entries]]\nid = 'x'\n", "entry x"),
        ("format_version = 1\nentries = [\n", "cannot be read"),
        ("format_version = 1\n" + ENTRY_TOML.format(id="a", code="800704cf", aliases="[]"), "not canonical"),
        # an internal id is no page a user can open
        (
            "format_version = 1\n"
            + ENTRY_TOML.format(id="a", code="0x80070005", aliases="[]").replace(
                '"https://learn.microsoft.com/x"', '"seed-article-ja"'
            ),
            "is not an https URL",
        ),
        # a change to the machine with nothing recorded before it
        (
            "format_version = 1\n"
            + ENTRY_TOML.format(id="a", code="0x80070005", aliases="[]")
            + 'remediation = [{ en = "Run `netsh winhttp reset proxy`.", ja = "実行します。", kind = "change" }]\n',
            "no earlier step records the current state",
        ),
    ],
)
def test_malformed_files_name_the_file_and_the_problem(tmp_path: Path, body: str, message: str) -> None:
    _write(tmp_path, "bad.toml", body)
    with pytest.raises(KnowledgeBaseError, match=message) as info:
        KnowledgeBase.load(tmp_path)
    assert "bad.toml" in info.value.message


def test_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="not found"):
        KnowledgeBase.load(tmp_path / "nope")
