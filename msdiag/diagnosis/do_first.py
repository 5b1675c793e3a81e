"""The "do this first" list: one ordered list of steps for the whole diagnosis.

1. For each reported error, each confirmed cause in rank order: the fixes of the findings behind
   it (a finding that explains another comes first: they name the fault measured here), then the
   cause's own steps.
2. Every other failing or warning finding's fix: faults before context, fail before warn, by
   severity, a finding that explains another before it.
3. For a reported error with no confirmed cause: the steps of its most likely unchecked cause, or
   the entry's own steps when that cause has none; nothing when every cause was ruled out (the
   entry's steps could then only be for causes this machine does not have). A ruled-out cause
   never contributes a step.

Each step appears once, where it first comes; a step that records the state (``kind`` record) is
left out when every command it names (in backticks) an earlier step already records. Every block
keeps its record-before-change order (a dropped step only ever follows one that records the same),
so the merged list keeps it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from msdiag.diagnosis.correlate import explained, is_context
from msdiag.diagnosis.models import (
    SEVERITY_ORDER,
    STATUS_ORDER,
    ActionStep,
    CauseVerdict,
    ErrorAnalysis,
    Finding,
    RankedCause,
    Status,
    Step,
)
from msdiag.diagnosis.steps import as_step

_COMMAND = re.compile(r"`([^`]+)`")


def _commands(step: Step) -> set[str]:
    return {" ".join(c.split()).lower() for c in _COMMAND.findall(step.en)}


class _Plan:
    def __init__(self) -> None:
        self.steps: list[ActionStep] = []
        self._seen: set[tuple[str, str]] = set()
        self._recorded: set[str] = set()  # commands an earlier record step already runs
        self.fixed: set[str] = set()  # findings whose fix is in the list

    def add(self, steps: Iterable[Step], **where: object) -> None:
        for step in map(as_step, steps):
            key = (step.en, step.ja)
            commands = _commands(step)
            if step.kind == "record" and commands and commands <= self._recorded:
                continue  # the same state is recorded already, earlier in the list
            if key not in self._seen:
                self._seen.add(key)
                if step.kind == "record":
                    self._recorded |= commands
                self.steps.append(ActionStep(text=step, **where))  # type: ignore[arg-type]

    def fix(self, findings: Sequence[Finding], derived: frozenset[str], **where: object) -> None:
        for finding in _root_first(findings, derived):
            if finding.id not in self.fixed:
                self.fixed.add(finding.id)
                self.add(finding.remediation, finding_id=finding.id, **where)


def _root_first(findings: Sequence[Finding], derived: frozenset[str]) -> list[Finding]:
    """Faults before context, a finding others follow from before them, then fail/warn and severity."""
    return sorted(
        findings,
        key=lambda f: (
            is_context(f.id),
            f.id in derived,
            STATUS_ORDER[f.status],
            SEVERITY_ORDER[f.severity],
            f.id,
        ),
    )


def cause_key(error: ErrorAnalysis, cause: RankedCause) -> tuple[str, str]:
    """How an ActionStep names the cause it belongs to: (entry id, or the family's, cause id)."""
    return (error.entry_id or error.family or error.input, cause.cause_id)


def possible_steps(error: ErrorAnalysis) -> tuple[RankedCause | None, list[Step]]:
    """For an error with no confirmed cause: its likeliest unchecked cause and the steps to try.

    The cause's own steps; without them the entry's, unless every cause was ruled out (then the
    entry's steps can only be for causes this machine does not have)."""
    causes = sorted(error.causes, key=lambda c: c.rank)
    top = next((c for c in causes if c.verdict is CauseVerdict.UNKNOWN), None)
    if top is not None and top.remediation:
        return top, list(top.remediation)
    if causes and top is None:
        return None, []
    return top, list(error.remediation)


def build_do_first(findings: Sequence[Finding], errors: Sequence[ErrorAnalysis]) -> list[ActionStep]:
    """The ordered "do this first" steps of one diagnosis (see the module docstring)."""
    by_id = {f.id: f for f in findings}
    derived = explained(findings)
    plan = _Plan()
    for error in errors:
        for cause in sorted(error.causes, key=lambda c: c.rank):
            if cause.verdict is CauseVerdict.CONFIRMED:
                key = cause_key(error, cause)
                plan.fix(
                    [by_id[i] for i in cause.findings if i in by_id], derived, cause=key, basis="confirmed"
                )
                plan.add(cause.remediation, cause=key, basis="confirmed")
    plan.fix([f for f in findings if f.status in (Status.FAIL, Status.WARN)], derived, basis="finding")
    for error in errors:
        if not any(c.verdict is CauseVerdict.CONFIRMED for c in error.causes):
            top, steps = possible_steps(error)
            where = cause_key(error, top) if top is not None and steps == top.remediation else None
            plan.add(steps, cause=where, basis="possible")
    return plan.steps
