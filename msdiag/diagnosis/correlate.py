"""Rank the known causes of the error the user reported by what the rules found.

A cause is confirmed only by evidence of a fault on this machine: a failing finding, or a warning
of medium severity or more, of a rule that judges a fault. Context (a connected VPN, a phone from
another country than the PC's region: rules declared ``evidence="context"``) and low warnings
keep a cause possible ("unknown") but never confirm it. A cause is ruled out when every rule it
names ran and passed or did not apply.

Order: confirmed causes first, those resting on a finding that another failing finding explains
(a DNS failure the VPN's DNS explains) after those resting on the root, then by the strongest
finding's severity; then unknown causes; then ruled out. The knowledge base's order breaks ties
(and orders the unknown and ruled-out causes): it lists the likelier causes first. Codes of a family (the WAM network
errors) also get the family's causes their entry does not list (msdiag.diagnosis.families).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from msdiag.diagnosis.families import family_of
from msdiag.diagnosis.models import (
    SEVERITY_ORDER,
    STATUS_ORDER,
    CauseVerdict,
    ErrorAnalysis,
    Finding,
    RankedCause,
    Severity,
    Status,
)
from msdiag.diagnosis.phone_findings import CONTEXT_PHONE_FINDINGS
from msdiag.diagnosis.rules import RULES
from msdiag.knowledge.kb import KnowledgeBase
from msdiag.knowledge.models import Cause

_PROBLEM = (Status.FAIL, Status.WARN)
_CLEAR = (Status.PASS, Status.NOT_APPLICABLE)
_VERDICT_ORDER = {CauseVerdict.CONFIRMED: 0, CauseVerdict.UNKNOWN: 1, CauseVerdict.RULED_OUT: 2}


def is_context(finding_id: str) -> bool:
    """The finding describes the situation, not a fault (its rule says ``evidence="context"``)."""
    rule = RULES.get(finding_id)
    return rule.evidence == "context" if rule is not None else finding_id in CONTEXT_PHONE_FINDINGS


def is_fault(finding: Finding) -> bool:
    """Evidence of a fault on this machine: a fail, or a warning above low, of a fault rule."""
    if is_context(finding.id):
        return False
    if finding.status is Status.FAIL:
        return True
    return finding.status is Status.WARN and finding.severity not in (Severity.LOW, Severity.INFO)


def explained(findings: Iterable[Finding]) -> frozenset[str]:
    """Ids of problem findings whose failure follows from another failing finding (Rule.explains)."""
    failing = [f for f in findings if f.status is Status.FAIL and f.id in RULES]
    return frozenset(fid for f in failing for fid in RULES[f.id].explains if fid != f.id)


@dataclass(frozen=True)
class Judgement:
    verdict: CauseVerdict
    #: the findings behind the verdict: faults (then context) for a confirmed cause; context, low
    #: warnings and checks not collected for an unknown one; every linked finding when ruled out
    findings: list[Finding]
    #: every fault behind a confirmed cause follows from another failing finding
    derived: bool = False


def judge_cause(
    cause: Cause, findings: dict[str, Finding], derived: frozenset[str] = frozenset()
) -> Judgement:
    """The verdict on one cause and the findings that decided it."""
    linked = [findings[r] for r in cause.rules if r in findings]
    faults = [f for f in linked if is_fault(f)]
    context = [f for f in linked if f.status in _PROBLEM and not is_fault(f)]
    if faults:
        return Judgement(CauseVerdict.CONFIRMED, faults + context, all(f.id in derived for f in faults))
    if cause.rules and len(linked) == len(cause.rules) and all(f.status in _CLEAR for f in linked):
        return Judgement(CauseVerdict.RULED_OUT, linked)
    return Judgement(CauseVerdict.UNKNOWN, context + [f for f in linked if f.status is Status.NOT_COLLECTED])


def _strength(findings: list[Finding]) -> tuple[int, int]:
    """Sort key of the strongest finding: severity first, then fail before warn."""
    return min(((SEVERITY_ORDER[f.severity], STATUS_ORDER[f.status]) for f in findings), default=(9, 9))


def _rank_key(judged: Judgement, index: int) -> tuple[int, ...]:
    if judged.verdict is CauseVerdict.CONFIRMED:
        return (0, int(judged.derived), *_strength([f for f in judged.findings if is_fault(f)]), index)
    # unknown and ruled-out causes keep the knowledge base's order: context never promotes a cause
    return (_VERDICT_ORDER[judged.verdict], 0, 0, 0, index)


def rank_causes(causes: Sequence[Cause], findings: Sequence[Finding]) -> list[RankedCause]:
    by_id = {f.id: f for f in findings}
    derived = explained(findings)
    judged = sorted(
        (
            (_rank_key(j, index), cause, j)
            for index, cause in enumerate(causes)
            for j in [judge_cause(cause, by_id, derived)]
        ),
        key=lambda item: item[0],
    )
    return [
        RankedCause(
            rank=rank,
            cause_id=cause.id,
            verdict=j.verdict,
            text=cause.text,
            rules=list(cause.rules),
            findings=[f.id for f in j.findings],
            remediation=list(cause.remediation),
        )
        for rank, (_, cause, j) in enumerate(judged, start=1)
    ]


def analyze_error(text: str, findings: Sequence[Finding], kb: KnowledgeBase) -> ErrorAnalysis:
    """One ``--error`` value: what it means and its causes ranked. Unparseable input raises InputError."""
    found = kb.lookup(text)
    entry = found.entry
    family = family_of(found.decoded)
    own = list(entry.causes) if entry is not None else []
    extra = family.causes_for(own) if family is not None else []
    if family is None or not extra:
        family = None
    if entry is None:
        if family is None:
            return ErrorAnalysis(input=text, decoded=found.decoded)
        return ErrorAnalysis(
            input=text,
            name=family.name,
            meaning=family.meaning,
            decoded=found.decoded,
            causes=rank_causes(extra, findings),
            sources=list(family.sources),
            confidence="documented",
            family=family.id,
        )
    return ErrorAnalysis(
        input=text,
        entry_id=entry.id,
        name=entry.name,
        meaning=entry.meaning,
        decoded=found.decoded,
        causes=rank_causes(own + extra, findings),
        remediation=list(entry.remediation),
        sources=list(entry.sources)
        + ([s for s in family.sources if s not in entry.sources] if family else []),
        confidence=entry.confidence,
        family=family.id if family else None,
    )
