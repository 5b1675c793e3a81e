"""Check documents as the scripts print them on a ja-JP and an en-US Windows 11 machine.

Both are the reference machine (tests/support/reference_machine.py), not a machine of their own:
``JA_JP`` is it as ``TARO-PC`` (user ``taro``) where one identity probe was refused, as scripts
run without elevation see it; ``EN_US`` is its English twin (the healthy-en-us fixture).
"""

from __future__ import annotations

from typing import Any

from support import reference_machine as reference


def _documents(capture: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The capture's documents as the scripts printed them: the per-user ones say who was signed in."""
    account = capture["user_context"]["interactive_user"]["account"]
    out = {}
    for name, result in capture["checks"].items():
        document = dict(result["document"])
        if name in reference.HIVE_CHECKS:
            document["user_context"] = reference.user_context_facts(account)
        out[name] = document
    return out


def _ja_jp_example() -> dict[str, Any]:
    capture = reference.variant()
    reference.rename_computer(capture, "TARO-PC", "taro")
    capture["checks"]["identity"]["document"]["errors"] = [
        {"probe": "user_account", "message": "アクセスが拒否されました。", "category": "access_denied"}
    ]
    return capture


JA_JP: dict[str, dict[str, Any]] = _documents(_ja_jp_example())
EN_US: dict[str, dict[str, Any]] = _documents(reference.en_us_capture())
