"""The example check documents (the reference machine on ja-JP and en-US) cover every check."""

from __future__ import annotations

from support.check_documents import EN_US, JA_JP

from msdiag.checks import CHECK_NAMES


def test_every_check_has_a_ja_jp_and_an_en_us_example() -> None:
    assert set(JA_JP) == set(EN_US) == set(CHECK_NAMES)
    assert all(JA_JP[c]["check"] == c and EN_US[c]["check"] == c for c in CHECK_NAMES)
    assert JA_JP["locale"]["data"]["culture"]["name"] == "ja-JP"
    assert EN_US["locale"]["data"]["culture"]["name"] == "en-US"
