"""policy.msa_blocked: NoConnectedUser 1 (cannot add) and 3 (cannot add or sign in)."""

from __future__ import annotations

import pytest
from support.rule_captures import assert_status, capture, run, with_changes

from msdiag.diagnosis.models import Severity, Status


@pytest.mark.parametrize(
    ("value", "status", "severity"),
    [
        (None, Status.PASS, Severity.INFO),
        (0, Status.PASS, Severity.INFO),
        (1, Status.FAIL, Severity.HIGH),
        (3, Status.FAIL, Severity.CRITICAL),
    ],
)
def test_no_connected_user(value: int | None, status: Status, severity: Severity) -> None:
    f = run("policy.msa_blocked", capture(identity=with_changes("identity", no_connected_user=value)))
    assert_status(f, status)
    assert f.severity is severity
    assert [e.value for e in f.evidence if e.fact == "identity.no_connected_user"] == [value]


def test_without_the_identity_check_it_is_not_collected() -> None:
    assert_status(run("policy.msa_blocked", capture(identity=None)), Status.NOT_COLLECTED)
