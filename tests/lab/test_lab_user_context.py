"""A remote scan by a helpdesk account, through the lab with the real pypsrp client: the capture
records whose per-user facts it holds, once, and the rules decline the facts that were the
helpdesk's own (dsregcmd's SSO state) while the user's hive facts (the regional format) stay the user's.

The lab answers with documents as the scripts print them on the user's PC while LAB\\helpdesk is
connected over WinRM: taro at the console (explorer.exe, logon type 2), the helpdesk's own profile
loaded by its WinRM logon, the session culture the client asked for (en-US).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import reference_machine as reference

from msdiag.capture.models import Capture, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import Status
from msdiag.lab import LabHost, LabServer

USER = "LAB\\helpdesk"
PASSWORD = "S3cr3t-Pa55!"
HELPDESK_SID = "S-1-5-21-1004336348-1177238915-682003330-40012"
TARO = "CONTOSO\\t.yamada"
TARO_SID = "S-1-5-21-1004336348-1177238915-682003330-51234"
ORG = Path(__file__).resolve().parents[1] / "fixtures" / "captures" / "org-joined-tls-interception.json"


def _as_printed_over_winrm() -> Capture:
    data: dict[str, Any] = json.loads(ORG.read_text(encoding="utf-8"))
    seen = reference.user_context_facts(TARO, TARO_SID)
    seen["session"] = {"sid": HELPDESK_SID, "account": USER}
    seen["candidates"].append({"sid": HELPDESK_SID, "account": USER, "source": "profile", "session_id": None,
                               "logon_type": None, "started_utc": "2026-11-25T01:02:02.0000000Z"})  # fmt: skip
    for check in reference.HIVE_CHECKS:
        data["checks"][check]["document"]["user_context"] = copy.deepcopy(seen)
    locale = data["checks"]["locale"]["document"]["data"]
    locale["session_culture"] = locale["session_ui_culture"] = dict(reference.EN_US)  # pypsrp's locale
    # the lab replays the documents (with their user_context); the capture-level record it was saved
    # with is not sent: the collector makes its own from the documents
    return Capture.model_validate(data)


@pytest.fixture(scope="module")
def lab() -> Iterator[Any]:
    with LabServer([LabHost("taro-pc", _as_printed_over_winrm())], transport="http", username=USER,
                   password=PASSWORD) as server:  # fmt: skip
        yield server


def test_a_remote_scan_records_whose_facts_once_and_declines_the_helpdesks(lab: Any) -> None:
    target = RemoteTarget(host="127.0.0.1", port=lab.port_of("taro-pc"), transport="http", auth="ntlm", timeout=20)
    capture = collect_remote(target, Credentials(USER, PASSWORD), CHECK_NAMES)
    assert capture.host_status.state is HostState.OK, capture.host_status
    context = capture.user_context
    assert context is not None and context.chosen_by == "console"
    assert context.interactive_user is not None and context.interactive_user.account == TARO
    assert context.session_account is not None and context.session_account.account == USER
    assert context.session_is_interactive_user is False
    assert all("user_context" not in (capture.checks[c].document or {}) for c in reference.HIVE_CHECKS)

    result = diagnose(capture)
    prt = next(f for f in result.findings if f.id == "identity.prt_stale")
    assert prt.status is Status.NOT_APPLICABLE
    assert prt.detail is not None and f"scanning account {USER}, not the signed-in user {TARO}" in prt.detail.en
    # the regional format was read from taro's hive: ja-JP, whatever the session's en-US says
    locale = result.capture.checks["locale"].document
    assert locale is not None and locale["data"]["culture"]["name"] == "ja-JP"
    assert locale["data"]["session_culture"]["name"] == "en-US"
