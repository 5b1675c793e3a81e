"""Rank the known causes of the error the user reported by what the rules found.

Order: confirmed causes (a fail/warn finding of one of their rules supports them) by that
finding's severity, then unknown (their rules were not collected, or they are account-side and
cannot be checked from the machine), then ruled out (every rule ran and passed or did not
apply). The knowledge base's order breaks ties: it lists the likelier causes first.
"""

from __future__ import annotations

from collections.abc import Sequence

from msdiag.diagnosis.models import (
    SEVERITY_ORDER,
    STATUS_ORDER,
    CauseVerdict,
    ErrorAnalysis,
    Finding,
    RankedCause,
    Status,
)
from msdiag.knowledge.kb import KnowledgeBase
from msdiag.knowledge.models import Cause

_PROBLEM = (Status.FAIL, Status.WARN)
_CLEAR = (Status.PASS, Status.NOT_APPLICABLE)
_VERDICT_ORDER = {CauseVerdict.CONFIRMED: 0, CauseVerdict.UNKNOWN: 1, CauseVerdict.RULED_OUT: 2}


def judge_cause(cause: Cause, findings: dict[str, Finding]) -> tuple[CauseVerdict, list[Finding]]:
    """The verdict on one cause and the findings that decided it."""
    linked = [findings[r] for r in cause.rules if r in findings]
    supporting = [f for f in linked if f.status in _PROBLEM]
    if supporting:
        return CauseVerdict.CONFIRMED, supporting
    if cause.rules and len(linked) == len(cause.rules) and all(f.status in _CLEAR for f in linked):
        return CauseVerdict.RULED_OUT, linked
    return CauseVerdict.UNKNOWN, [f for f in linked if f.status is Status.NOT_COLLECTED]


def _strength(findings: list[Finding]) -> tuple[int, int]:
    """Sort key of the strongest supporting finding: severity first, then fail before warn."""
    return min((SEVERITY_ORDER[f.severity], STATUS_ORDER[f.status]) for f in findings)


def rank_causes(causes: Sequence[Cause], findings: Sequence[Finding]) -> list[RankedCause]:
    by_id = {f.id: f for f in findings}
    judged = []
    for index, cause in enumerate(causes):
        verdict, decided_by = judge_cause(cause, by_id)
        strength = _strength(decided_by) if verdict is CauseVerdict.CONFIRMED else (0, 0)
        judged.append(((_VERDICT_ORDER[verdict], *strength, index), cause, verdict, decided_by))
    judged.sort(key=lambda item: item[0])
    return [
        RankedCause(
            rank=rank,
            cause_id=cause.id,
            verdict=verdict,
            text=cause.text,
            rules=list(cause.rules),
            findings=[f.id for f in decided_by],
            remediation=list(cause.remediation),
        )
        for rank, (_, cause, verdict, decided_by) in enumerate(judged, start=1)
    ]


def analyze_error(text: str, findings: Sequence[Finding], kb: KnowledgeBase) -> ErrorAnalysis:
    """One ``--error`` value: what it means and its causes ranked. Unparseable input raises InputError."""
    found = kb.lookup(text)
    entry = found.entry
    if entry is None:
        return ErrorAnalysis(input=text, decoded=found.decoded)
    return ErrorAnalysis(
        input=text,
        entry_id=entry.id,
        name=entry.name,
        meaning=entry.meaning,
        decoded=found.decoded,
        causes=rank_causes(entry.causes, findings),
        remediation=list(entry.remediation),
        sources=list(entry.sources),
        confidence=entry.confidence,
    )
