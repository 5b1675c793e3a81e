"""Service, identity/policy, OS and elevation rules, table-driven."""

from __future__ import annotations

from typing import Any

import pytest
from test_rules_capture_builder import HEALTHY, assert_status, capture, run, with_changes

from diag.diagnosis.models import Status
from diag.diagnosis.rules import RULES


def services(**changes: dict[str, Any] | None) -> dict[str, Any]:
    out = []
    for svc in HEALTHY["services"]["services"]:
        if svc["name"] in changes:
            change = changes[svc["name"]]
            if change is None:
                continue
            svc = {**svc, **change}
        out.append(svc)
    return {"services": out}


def dsreg(**changes: Any) -> dict[str, Any]:
    ident = with_changes("identity")
    ident["dsregcmd"] = {**ident["dsregcmd"], **changes}
    return ident


CASES = [
    ("services.wlidsvc_disabled", {}, Status.PASS),  # Manual + Stopped is the default
    ("services.wlidsvc_disabled", {"services": services(wlidsvc={"start_type": "Disabled"})}, Status.FAIL),
    (
        "services.wlidsvc_disabled",
        {"services": services(wlidsvc={"present": False, "status": None, "start_type": None})},
        Status.WARN,
    ),
    ("services.wlidsvc_disabled", {"services": services(wlidsvc=None)}, Status.NOT_COLLECTED),
    ("services.wlidsvc_disabled", {"services": None}, Status.NOT_COLLECTED),
    ("services.tokenbroker_disabled", {"services": services(TokenBroker={"status": "Stopped"})}, Status.PASS),
    (
        "services.tokenbroker_disabled",
        {"services": services(TokenBroker={"start_type": "Disabled", "status": "Stopped"})},
        Status.FAIL,
    ),
    ("services.tokenbroker_disabled", {"services": services(TokenBroker={"present": False})}, Status.WARN),
    ("services.core_network_disabled", {}, Status.PASS),
    (
        "services.core_network_disabled",
        {"services": services(Dnscache={"start_type": "Disabled", "status": "Stopped"})},
        Status.FAIL,
    ),
    ("services.core_network_disabled", {"services": services(NlaSvc={"status": "Stopped"})}, Status.WARN),
    ("policy.msa_blocked", {}, Status.PASS),
    ("policy.msa_blocked", {"identity": with_changes("identity", no_connected_user=1)}, Status.FAIL),
    ("policy.msa_blocked", {"identity": with_changes("identity", no_connected_user=3)}, Status.FAIL),
    ("policy.msa_blocked", {"identity": with_changes("identity", no_connected_user=0)}, Status.PASS),
    ("policy.msa_blocked", {"identity": None}, Status.NOT_COLLECTED),
    ("identity.org_managed", {}, Status.PASS),
    ("identity.org_managed", {"identity": dsreg(azure_ad_joined=True, tenant_name="Contoso")}, Status.WARN),
    ("identity.org_managed", {"identity": dsreg(workplace_joined=True)}, Status.WARN),
    ("identity.org_managed", {"identity": dsreg(available=False)}, Status.NOT_COLLECTED),
    ("identity.prt_stale", {}, Status.NOT_APPLICABLE),
    ("identity.prt_stale", {"identity": dsreg(azure_ad_joined=True, azure_ad_prt=False)}, Status.FAIL),
    # collected at 01:02:03: 4 h exactly is fine, older is stale
    (
        "identity.prt_stale",
        {
            "identity": dsreg(
                azure_ad_joined=True, azure_ad_prt=True, azure_ad_prt_update_time="2026-11-24T21:02:03Z"
            )
        },
        Status.PASS,
    ),
    (
        "identity.prt_stale",
        {
            "identity": dsreg(
                azure_ad_joined=True, azure_ad_prt=True, azure_ad_prt_update_time="2026-11-24T20:02:03Z"
            )
        },
        Status.FAIL,
    ),
    (
        "identity.prt_stale",
        {
            "identity": dsreg(
                azure_ad_joined=True, azure_ad_prt=True, azure_ad_prt_update_time="2026/11/24 20:02:03 UTC"
            )
        },
        Status.NOT_COLLECTED,
    ),
    ("os.too_old", {}, Status.PASS),
    (
        "os.too_old",
        {"os": with_changes("os", caption="Microsoft Windows 10 Pro", version="10.0.17134", build=17134)},
        Status.FAIL,
    ),
    (
        "os.too_old",
        {"os": with_changes("os", caption="Microsoft Windows 10 Pro", version="10.0.17763", build=17763)},
        Status.WARN,
    ),
    (
        "os.too_old",
        {"os": with_changes("os", caption="Microsoft Windows 8.1 Pro", version="6.3.9600", build=9600)},
        Status.FAIL,
    ),
    ("os.too_old", {"os": with_changes("os", build=None, version=None)}, Status.NOT_COLLECTED),
    ("session.not_elevated", {}, Status.PASS),
    ("session.not_elevated", {"os": with_changes("os", is_elevated=False)}, Status.NOT_APPLICABLE),
    ("session.not_elevated", {"os": None}, Status.NOT_COLLECTED),
]


@pytest.mark.parametrize(("rule_id", "kwargs", "status"), CASES)
def test_machine_rules(rule_id: str, kwargs: dict[str, Any], status: Status) -> None:
    assert_status(run(rule_id, capture(**kwargs)), status)


def test_not_elevated_with_access_denied_warns_and_names_the_probe() -> None:
    errors = {
        "network": [
            {
                "probe": "hosts_file",
                "message": "パス 'C:\\Windows\\System32\\drivers\\etc\\hosts' へのアクセスが拒否されました。",
                "category": "access_denied",
            }
        ]
    }
    f = run("session.not_elevated", capture(errors=errors, os=with_changes("os", is_elevated=False)))
    assert_status(f, Status.WARN)
    assert f.detail is not None and "network/hosts_file" in f.detail.en


def test_os_too_old_cites_the_lifecycle_source() -> None:
    f = run("os.too_old", capture(os=with_changes("os", version="10.0.17134", build=17134)))
    assert any("learn.microsoft.com/lifecycle" in step.en for step in f.remediation)


def test_every_rule_is_not_collected_when_nothing_ran() -> None:
    nothing = {name: None for name in HEALTHY} | {"endpoints": None}
    cap = capture(**nothing)
    for rule_id in RULES:
        f = run(rule_id, cap)
        assert f.status in (Status.NOT_COLLECTED, Status.NOT_APPLICABLE), (rule_id, f.status)
        assert f.status is not Status.PASS
