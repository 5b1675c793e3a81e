"""Every rule's fix is safe to follow: a record step before any change, the managed-PC sentence on
each change, and the registry refuses a rule whose steps are not."""

from __future__ import annotations

import pytest

from msdiag.capture.models import OsData
from msdiag.diagnosis.models import Severity
from msdiag.diagnosis.rules import RULES
from msdiag.diagnosis.rules.base import L, Outcome, RuleRegistry, passed
from msdiag.diagnosis.steps import MANAGED_PC, advice, change, order_problems, record

TITLE = L("Something", "何か")


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_records_before_it_changes(rule_id: str) -> None:
    steps = RULES[rule_id].remediation
    assert order_problems(steps) == [], rule_id
    for step in steps:
        if step.kind == "change":
            assert step.en.endswith(MANAGED_PC.en) and step.ja.endswith(MANAGED_PC.ja)


def test_the_fixes_that_change_the_machine_are_marked_as_changes() -> None:
    # the commands that change state, wherever a rule names them, sit in a change step
    for rule in RULES.values():
        for step in rule.remediation:
            for command in (
                "netsh winhttp import",
                "netsh winhttp reset",
                "sc config",
                "w32tm /config",
                "ipconfig /flushdns",
            ):
                if command in step.en:
                    assert step.kind == "change", (rule.id, command)


def test_a_rule_whose_change_comes_first_is_refused_at_registration() -> None:
    registry = RuleRegistry()
    decorate = registry.rule(
        "demo.unsafe",
        severity=Severity.LOW,
        problem=TITLE,
        subject=TITLE,
        remediation=(
            change("Reset the proxy.", "プロキシをリセットします。"),
            record("Record it.", "記録します。"),
        ),
    )

    def unsafe(os: OsData) -> Outcome:
        return passed(TITLE)

    with pytest.raises(ValueError, match="before any step records"):
        decorate(unsafe)


def test_order_problems_names_a_change_without_the_managed_pc_sentence() -> None:
    from msdiag.diagnosis.models import Step

    bare = Step(en="Delete the key.", ja="キーを削除します。", kind="change")
    assert order_problems([record("Export it.", "エクスポートします。"), bare]) == [
        "step 2 changes the machine without the managed-PC sentence"
    ]
    assert order_problems([advice("Look.", "見ます。")]) == []
