"""Whose per-user facts a capture holds: the choice of the signed-in user from what the scripts saw,
the capture-level record of it, and how per-user facts are labelled (machine / user / session)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from support import reference_machine as reference

from msdiag.capture.models import Capture, CheckStatus, HostState, HostStatus
from msdiag.capture.parse import Facts, validate_document
from msdiag.capture.user_context import UserContextFacts, choose_interactive_user, context_of_documents
from msdiag.collectors.interface import assemble_capture

TARO = "S-1-5-21-1004336348-1177238915-682003330-51234"  # CORP\taro, a domain user
HANAKO = "S-1-5-21-1004336348-1177238915-682003330-51877"
HELPDESK = "S-1-5-21-1004336348-1177238915-682003330-40012"  # CORP\helpdesk, scanning over WinRM
SYSTEM = "S-1-5-18"


def explorer(sid: str, account: str | None, logon_type: int | None, started: str, session_id: int = 1) -> dict[str, Any]:
    return {"sid": sid, "account": account, "source": "explorer", "session_id": session_id,
            "logon_type": logon_type, "started_utc": started}  # fmt: skip


def profile(sid: str, last_use: str) -> dict[str, Any]:
    return {"sid": sid, "account": None, "source": "profile", "session_id": None, "logon_type": None,
            "started_utc": last_use}  # fmt: skip


def facts(session: tuple[str, str], *candidates: dict[str, Any]) -> UserContextFacts:
    return UserContextFacts.model_validate(
        {"session": {"sid": session[0], "account": session[1]}, "candidates": list(candidates), "hive_sid": None}
    )


def test_the_console_user_is_chosen_over_a_later_remote_desktop_user() -> None:
    seen = facts(
        (HELPDESK, "CORP\\helpdesk"),
        explorer(HANAKO, "CORP\\hanako", 10, "2026-11-25T00:40:00.0000000Z", session_id=3),  # RDP, later
        explorer(TARO, "CORP\\taro", 2, "2026-11-24T23:10:00.0000000Z"),  # at the PC
        profile(HELPDESK, "2026-11-25T01:02:00.0000000Z"),  # the helpdesk's own hive, loaded by WinRM
    )
    context = choose_interactive_user(seen)
    assert context.chosen_by == "console"
    assert context.interactive_user is not None and context.interactive_user.sid == TARO
    assert [u.sid for u in context.other_users] == [HANAKO]
    assert context.session_is_interactive_user is False
    assert context.session_account is not None and context.session_account.account == "CORP\\helpdesk"


def test_an_off_network_laptop_with_cached_credentials_is_at_the_console_without_a_name() -> None:
    # CachedInteractive (11): a domain account signed in off the VPN; the SID did not resolve
    seen = facts((SYSTEM, "NT AUTHORITY\\SYSTEM"), explorer(TARO, None, 11, "2026-11-25T00:00:00Z"))
    context = choose_interactive_user(seen)
    assert (context.chosen_by, context.interactive_user.sid if context.interactive_user else None) == ("console", TARO)
    assert context.interactive_user is not None and context.interactive_user.account is None


def test_with_several_console_logons_the_most_recent_explorer_wins() -> None:
    seen = facts(
        (HELPDESK, "CORP\\helpdesk"),
        explorer(HANAKO, "CORP\\hanako", 2, "2026-11-24T08:00:00.0000000Z", session_id=2),  # switched away
        explorer(TARO, "CORP\\taro", 2, "2026-11-25T00:55:00.0000000Z", session_id=4),
    )
    context = choose_interactive_user(seen)
    assert context.interactive_user is not None and context.interactive_user.sid == TARO
    assert [u.sid for u in context.other_users] == [HANAKO]


def test_remote_desktop_only_then_unknown_logon_type() -> None:
    rdp = facts((HELPDESK, "CORP\\helpdesk"), explorer(HANAKO, "CORP\\hanako", 10, "2026-11-25T00:40:00Z"))
    assert choose_interactive_user(rdp).chosen_by == "remote_desktop"
    unknown = facts((HELPDESK, "CORP\\helpdesk"), explorer(HANAKO, "CORP\\hanako", None, "2026-11-25T00:40:00Z"))
    assert choose_interactive_user(unknown).chosen_by == "explorer"


def test_without_a_readable_explorer_owner_the_latest_loaded_profile_but_never_the_scanner() -> None:
    seen = facts(
        (HELPDESK, "CORP\\helpdesk"),
        profile(HELPDESK, "2026-11-25T01:02:00Z"),
        profile(HANAKO, "2026-11-20T09:00:00Z"),
        profile(TARO, "2026-11-24T22:00:00Z"),
    )
    context = choose_interactive_user(seen)
    assert context.chosen_by == "loaded_profile"
    assert context.interactive_user is not None and context.interactive_user.sid == TARO


def test_a_user_running_msdiag_in_a_session_without_explorer_is_the_session_account() -> None:
    context = choose_interactive_user(facts((TARO, "CORP\\taro")))
    assert context.chosen_by == "session_account" and context.session_is_interactive_user is True


def test_system_with_nobody_signed_in_reads_no_user() -> None:
    context = choose_interactive_user(facts((SYSTEM, "NT AUTHORITY\\SYSTEM"), explorer(SYSTEM, None, 2, "x")))
    assert context.chosen_by == "nobody" and context.interactive_user is None


# ---------------------------------------------------------------- recorded once, in the capture
def _printed(check: str, hive_sid: str) -> dict[str, Any]:
    document = reference.document(check, reference.DATA_BUILDERS[check](), printed=True)
    document["user_context"]["hive_sid"] = hive_sid
    return document


def test_the_capture_records_the_user_context_once() -> None:
    documents = {c: _printed(c, reference.USER_SID) for c in reference.HIVE_CHECKS}
    reported = {c: validate_document(d, expected_check=c) for c, d in documents.items()}
    capture = assemble_capture(
        host="DESKTOP-4KQ7N2M", mode="local", collected_utc="2026-11-25T01:02:03Z",
        host_status=HostStatus(state=HostState.OK), reported=reported, selected=None,
        missing=reported["locale"].model_copy(update={"status": CheckStatus.NOT_RUN, "document": None}),
    )  # fmt: skip
    assert capture.user_context is not None and capture.user_context.chosen_by == "console"
    for check in reference.HIVE_CHECKS:
        assert "user_context" not in (capture.checks[check].document or {}), check
    assert capture.warnings == []


def test_a_check_that_read_another_users_hive_keeps_its_own_and_is_named() -> None:
    documents = [(c, _printed(c, reference.USER_SID)) for c in ("locale", "proxy")]
    documents[1][1]["user_context"]["hive_sid"] = HANAKO  # someone signed in between the checks
    context, warnings = context_of_documents(documents)
    assert context is not None and context.interactive_user is not None
    assert context.interactive_user.sid == reference.USER_SID
    assert warnings == [f"the proxy check read the per-user settings of {HANAKO}, not of the signed-in user {reference.USER_SID}"]
    assert "user_context" not in documents[0][1] and "user_context" in documents[1][1]


# ---------------------------------------------------------------- whose a fact is
def _remote(capture: dict[str, Any]) -> Capture:
    capture = copy.deepcopy(capture)
    capture["user_context"] = reference.user_context(
        {**reference.user_context_facts(), "session": {"sid": HELPDESK, "account": "CORP\\helpdesk"}}
    )
    return Capture.model_validate(capture)


def test_whose_labels_machine_user_and_session_facts() -> None:
    local = Facts(Capture.model_validate(reference.reference_capture()))
    assert local.whose("identity", "dsregcmd.azure_ad_joined") == "machine"
    assert local.whose("identity", "dsregcmd.azure_ad_prt") == "interactive_user"  # the scan ran as the user
    assert local.whose("locale", "culture") == "interactive_user"
    remote = Facts(_remote(reference.reference_capture()))
    assert remote.whose("identity", "dsregcmd.azure_ad_prt") == "session_account"
    assert remote.whose("locale", "session_culture") == "session_account"
    assert remote.whose("locale", "culture.name") == "interactive_user"  # read from the user's hive
    assert remote.whose("endpoints", "probes.proxy") == "session_account"
    account = remote.read_as_another_account("identity", "dsregcmd.azure_ad_prt")
    assert account is not None and account.account == "CORP\\helpdesk"
    assert remote.read_as_another_account("locale", "culture") is None


@pytest.mark.parametrize("path", ["schema", "json"])
def test_the_capture_level_block_survives_a_save_and_load(path: str) -> None:
    from msdiag.collectors.capture_file import parse_capture_text

    capture = _remote(reference.reference_capture())
    loaded = parse_capture_text(capture.model_dump_json() if path == "json" else json.dumps(capture.model_dump(mode="json")))
    assert loaded.user_context == capture.user_context


def test_a_capture_built_by_the_exported_script_records_it_from_its_documents() -> None:
    # the exported script prints the whole capture itself: its documents say who was signed in,
    # its envelope does not (and still says schema_version 1)
    capture = reference.reference_capture()
    capture.pop("user_context")
    capture["schema_version"] = 1
    for check in reference.HIVE_CHECKS:
        capture["checks"][check]["document"] = reference.document(
            check, capture["checks"][check]["document"]["data"], printed=True
        )
    loaded = Capture.model_validate(capture)
    assert loaded.user_context is not None and loaded.user_context.chosen_by == "console"
    assert all("user_context" not in (loaded.checks[c].document or {}) for c in reference.HIVE_CHECKS)
