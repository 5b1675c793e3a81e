"""Rules that need a fact only the scan's session can read decline it when the scan did not run as
the signed-in user (a helpdesk over WinRM, an agent as SYSTEM), saying whose fact it was."""

from __future__ import annotations

import copy
from typing import Any

from support import reference_machine as reference
from support.rule_captures import assert_status, capture, run, with_changes

from msdiag.capture.models import Capture
from msdiag.diagnosis.models import Status

HELPDESK = ("S-1-5-21-1004336348-1177238915-682003330-40012", "CORP\\helpdesk")


def scanned_as(cap: Capture, session: tuple[str, str] | None, *, nobody: bool = False) -> Capture:
    """``cap`` as if the scan ran as ``session`` while the reference user sat at the console."""
    seen: dict[str, Any] = reference.user_context_facts()
    if session is not None:
        seen["session"] = {"sid": session[0], "account": session[1]}
    if nobody:
        seen = {"session": {"sid": "S-1-5-18", "account": "NT AUTHORITY\\SYSTEM"}, "candidates": [], "hive_sid": None}
    return cap.model_copy(update={"user_context": Capture.model_validate(
        {**cap.model_dump(mode="json"), "user_context": reference.user_context(seen)}).user_context})  # fmt: skip


def hybrid(prt: bool | None, updated: str | None = None) -> dict[str, Any]:
    identity = copy.deepcopy(reference.identity_data())
    identity["dsregcmd_output"] = None  # the parsed fields are the test's
    identity["dsregcmd"].update(azure_ad_joined=True, domain_joined=True, domain_name="CORP", tenant_name="Contoso",
                                azure_ad_prt=prt, azure_ad_prt_update_time=updated, workplace_joined=True)  # fmt: skip
    return identity


def test_prt_state_read_as_the_helpdesk_account_is_not_applicable() -> None:
    finding = run("identity.prt_stale", scanned_as(capture(identity=hybrid(False)), HELPDESK))
    assert_status(finding, Status.NOT_APPLICABLE)
    assert finding.detail is not None
    assert "read as the scanning account CORP\\helpdesk, not the signed-in user" in finding.detail.en
    assert "CORP\\helpdesk" in finding.detail.ja and "サインインしているユーザー" in finding.detail.ja


def test_prt_state_read_by_system_with_nobody_signed_in_is_not_applicable() -> None:
    finding = run("identity.prt_stale", scanned_as(capture(identity=hybrid(False)), None, nobody=True))
    assert_status(finding, Status.NOT_APPLICABLE)
    assert finding.detail is not None and "nobody was signed in" in finding.detail.en


def test_prt_state_read_as_the_user_themselves_is_judged() -> None:
    assert_status(run("identity.prt_stale", capture(identity=hybrid(False))), Status.FAIL)


def test_a_capture_that_does_not_say_whose_is_judged_as_before() -> None:
    cap = capture(identity=hybrid(False))
    old = cap.model_copy(update={"user_context": None})
    assert_status(run("identity.prt_stale", old), Status.FAIL)


def test_workplace_join_of_the_scanning_account_is_not_the_users() -> None:
    # a workgroup PC where only the helpdesk account has a work account registered (WorkplaceJoined)
    identity = with_changes("identity")
    identity["dsregcmd_output"] = None
    identity["dsregcmd"] = {**identity["dsregcmd"], "workplace_joined": True}
    local = run("identity.org_managed", capture(identity=identity))
    assert_status(local, Status.WARN)
    remote = run("identity.org_managed", scanned_as(capture(identity=identity), HELPDESK))
    assert_status(remote, Status.PASS)
    assert all(e.fact != "identity.dsregcmd.workplace_joined" for e in remote.evidence)
