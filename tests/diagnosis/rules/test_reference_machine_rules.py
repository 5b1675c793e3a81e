"""The reference machine (everything works) gives no rule anything to report."""

from __future__ import annotations

from support.rule_captures import capture, run

from msdiag.diagnosis.models import Status
from msdiag.diagnosis.rules import RULES


def test_healthy_capture_has_no_problem_findings() -> None:
    cap = capture()
    for rule_id in RULES:
        f = run(rule_id, cap)
        assert f.status in (Status.PASS, Status.NOT_APPLICABLE), (rule_id, f.status, f.detail)
