"""identity.org_managed and identity.prt_stale: join state and the PRT's age from dsregcmd."""

from __future__ import annotations

from typing import Any

import pytest
from support.rule_captures import assert_status, capture, run, with_changes

from msdiag.diagnosis.models import Status
from msdiag.diagnosis.rules import RuleContext


def dsreg(**changes: Any) -> dict[str, Any]:
    ident = with_changes("identity")
    ident["dsregcmd"] = {**ident["dsregcmd"], **changes}
    return ident


def prt_updated(at: str) -> dict[str, Any]:
    return dsreg(azure_ad_joined=True, azure_ad_prt=True, azure_ad_prt_update_time=at)


CASES = [
    ("identity.org_managed", {}, Status.PASS),
    ("identity.org_managed", {"identity": dsreg(azure_ad_joined=True, tenant_name="Contoso")}, Status.WARN),
    ("identity.org_managed", {"identity": dsreg(workplace_joined=True)}, Status.WARN),
    ("identity.org_managed", {"identity": dsreg(available=False)}, Status.NOT_COLLECTED),
    ("identity.org_managed", {"identity": None}, Status.NOT_COLLECTED),
    ("identity.prt_stale", {}, Status.NOT_APPLICABLE),
    ("identity.prt_stale", {"identity": dsreg(azure_ad_joined=True, azure_ad_prt=False)}, Status.FAIL),
    # collected at 01:02:03: 4 h exactly is fine, older is stale
    ("identity.prt_stale", {"identity": prt_updated("2026-11-24T21:02:03Z")}, Status.PASS),
    ("identity.prt_stale", {"identity": prt_updated("2026-11-24T20:02:03Z")}, Status.FAIL),
    ("identity.prt_stale", {"identity": prt_updated("2026/11/24 20:02:03 UTC")}, Status.NOT_COLLECTED),
    ("identity.prt_stale", {"identity": dsreg(azure_ad_joined=None)}, Status.NOT_COLLECTED),
]


@pytest.mark.parametrize(("rule_id", "kwargs", "status"), CASES)
def test_identity_rules(rule_id: str, kwargs: dict[str, Any], status: Status) -> None:
    assert_status(run(rule_id, capture(**kwargs)), status)


def test_org_managed_names_the_tenant() -> None:
    f = run("identity.org_managed", capture(identity=dsreg(azure_ad_joined=True, tenant_name="Contoso")))
    assert f.detail is not None and "Joined to Contoso (azure ad joined)" in f.detail.en


def test_the_prt_age_limit_comes_from_the_context() -> None:
    cap = capture(identity=prt_updated("2026-11-24T23:02:03Z"))  # 2 h old
    assert_status(run("identity.prt_stale", cap), Status.PASS)
    f = run("identity.prt_stale", cap, RuleContext(prt_max_age_hours=1.0))
    assert_status(f, Status.FAIL)
    assert any(e.fact == "identity.prt_age_hours" and e.value == 2.0 for e in f.evidence)
