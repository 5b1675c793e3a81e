"""Service rules: wlidsvc, TokenBroker, DNS Client and NLA; Manual + Stopped is the default, not a fault."""

from __future__ import annotations

from typing import Any

import pytest
from support.rule_captures import HEALTHY, assert_status, capture, run

from msdiag.diagnosis.models import Status


def services(**changes: dict[str, Any] | None) -> dict[str, Any]:
    """The reference machine's services with some changed (a dict) or left out (None)."""
    out = []
    for svc in HEALTHY["services"]["services"]:
        if svc["name"] in changes:
            change = changes[svc["name"]]
            if change is None:
                continue
            svc = {**svc, **change}
        out.append(svc)
    return {"services": out}


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
    (
        "services.core_network_disabled",
        {"services": services(Dnscache=None, NlaSvc=None)},
        Status.NOT_COLLECTED,
    ),
]


@pytest.mark.parametrize(("rule_id", "kwargs", "status"), CASES)
def test_service_rules(rule_id: str, kwargs: dict[str, Any], status: Status) -> None:
    assert_status(run(rule_id, capture(**kwargs)), status)


def test_a_disabled_service_names_itself_and_its_start_type() -> None:
    f = run("services.wlidsvc_disabled", capture(services=services(wlidsvc={"start_type": "Disabled"})))
    assert f.detail is not None and "(wlidsvc) is Disabled" in f.detail.en
    assert any(e.fact == "services[wlidsvc].start_type" and e.value == "Disabled" for e in f.evidence)
    # the fix records the start type (sc qc) before it changes it back (sc config)
    kinds = [(step.kind, step.en) for step in f.remediation]
    assert kinds[0][0] == "record" and "sc qc wlidsvc" in kinds[0][1]
    assert kinds[1][0] == "change" and "sc config wlidsvc start= demand" in kinds[1][1]
