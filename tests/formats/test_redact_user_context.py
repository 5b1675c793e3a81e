"""The capture's user_context (whose per-user facts these are) names accounts: redaction masks them."""

from __future__ import annotations

import json
from pathlib import Path

from msdiag.capture.models import Capture
from msdiag.formats.redact import redact_capture

PII = Path(__file__).resolve().parents[1] / "fixtures" / "captures" / "pii.json"


def test_accounts_and_sids_in_the_user_context_are_masked() -> None:
    data = json.loads(PII.read_text(encoding="utf-8"))
    # an Entra ID user signed in over Remote Desktop at the same time: no pattern knows this SID form
    data["user_context"]["other_users"] = [{"sid": "S-1-12-1-3021456789-1122334455-2233445566-778899", "account": "hanako"}]
    redacted = redact_capture(Capture.model_validate(data), "standard")
    text = redacted.model_dump_json()
    assert "S-1-12-1-3021456789" not in text and "hanako" not in text.lower()
    assert "taro.yamada" not in text.lower()
    assert redacted.user_context is not None and redacted.user_context.chosen_by == "console"
