"""Output language: English or Japanese, from MSDIAG_LANG or the user's locale (--lang overrides)."""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Mapping
from typing import Literal

import click

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")

# POSIX precedence: LC_ALL overrides LC_MESSAGES, which overrides LANG. MSDIAG_LANG beats them all.
_ENV_ORDER = ("MSDIAG_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
# Windows LANGID primary language for Japanese (0x0411 ja-JP & 0x3FF).
_LANG_JAPANESE = 0x11


#: a check's status (msdiag.capture CheckStatus) in Japanese
CHECK_STATUS_JA: dict[str, str] = {
    "ok": "成功",
    "error": "エラー",
    "not_run": "未実行",
    "blocked": "ウイルス対策ソフトがブロック",
}
#: why a check has no data, as the collectors say it (msdiag/collectors/interface.py), in
#: Japanese; a reason not listed (a script's own error) stays as the host or collector wrote it
CHECK_REASONS_JA: dict[str, str] = {
    "not selected": "選択されていません",
    "the scan ended before this check reported": "このチェックが報告する前にスキャンが終了しました",
    "not in this capture": "このキャプチャにありません",
    "not in this output": "この出力にありません",
    "not run": "実行されていません",
    "no reason given": "理由の記載なし",
}


def check_reason_ja(check: str, status: str, reason: str | None) -> str:
    """Why ``check`` has no data, in Japanese: 「network チェック: 未実行、選択されていません」."""
    said = reason or "no reason given"
    return f"{check} チェック: {CHECK_STATUS_JA.get(status, status)}、{CHECK_REASONS_JA.get(said, said)}"


def _lang_of(value: str) -> Lang:
    return "ja" if value.strip().lower().startswith("ja") else "en"


def _windows_ui_is_japanese() -> bool:
    """The user's Windows UI language (what Get-UICulture shows); falls back to the user locale."""
    try:
        import ctypes

        windll = getattr(ctypes, "windll", None)
        if windll is not None:
            langid = int(windll.kernel32.GetUserDefaultUILanguage())
            return (langid & 0x3FF) == _LANG_JAPANESE
    except (OSError, AttributeError, ValueError):
        pass
    name = locale.getlocale()[0] or ""
    return name.lower().startswith(("ja", "japanese"))


def default_lang(env: Mapping[str, str] | None = None) -> Lang:
    """The language msdiag speaks when --lang is not given.

    With `env` given only that mapping is consulted (deterministic, for tests); otherwise the process
    environment and, on Windows where these variables are usually unset, the user's UI language.
    """
    source = os.environ if env is None else env
    for name in _ENV_ORDER:
        value = source.get(name, "")
        if value:
            return _lang_of(value)
    if env is None and sys.platform == "win32" and _windows_ui_is_japanese():
        return "ja"
    return "en"


def _click_default() -> str:
    return default_lang()


#: Reusable `--lang [en|ja]` option; its default is read when the command runs, not at import.
LANG_OPTION = click.option(
    "--lang",
    "lang",
    type=click.Choice(LANGS),
    default=_click_default,
    show_default="from MSDIAG_LANG / LC_ALL / LC_MESSAGES / LANG, or the Windows UI language",
    help="Language of the output: English or Japanese (日本語).",
)
