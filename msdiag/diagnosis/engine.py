"""The diagnosis engine: every rule over one capture, the phone, the errors, one result.

Deterministic: the same capture and arguments give an identical result (reports compare the
JSON byte for byte), so nothing here reads the current time or depends on dict order.
"""

from __future__ import annotations

from collections.abc import Sequence

from msdiag import __version__
from msdiag.capture.models import Capture, CheckStatus
from msdiag.capture.parse import Facts
from msdiag.diagnosis.clock import clock_skew_seconds
from msdiag.diagnosis.correlate import analyze_error
from msdiag.diagnosis.do_first import build_do_first
from msdiag.diagnosis.models import (
    SEVERITY_ORDER,
    STATUS_ORDER,
    DiagnosisResult,
    Finding,
    PhoneAnalysis,
    Status,
    StatusCounts,
)
from msdiag.diagnosis.phone import analyze_phone, check_region, mask_phone
from msdiag.diagnosis.region import region_matrix
from msdiag.diagnosis.rules import RULES, Rule, RuleContext
from msdiag.knowledge.kb import KnowledgeBase


def run_rule(rule: Rule, facts: Facts, ctx: RuleContext) -> Finding:
    """One rule; a bug or an unexpected shape inside it becomes not_collected, never a crash."""
    try:
        return rule(facts, ctx)
    except Exception as exc:
        return rule.not_collected(f"the rule could not evaluate the data ({type(exc).__name__}: {exc})")


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (STATUS_ORDER[f.status], SEVERITY_ORDER[f.severity], f.id))


def count(findings: Sequence[Finding]) -> StatusCounts:
    totals = {status: sum(1 for f in findings if f.status is status) for status in Status}
    return StatusCounts(
        fail=totals[Status.FAIL],
        warn=totals[Status.WARN],
        pass_=totals[Status.PASS],
        not_collected=totals[Status.NOT_COLLECTED],
        not_applicable=totals[Status.NOT_APPLICABLE],
    )


def _link_codes(finding: Finding, kb: KnowledgeBase) -> Finding:
    """related_codes = the knowledge-base entries with a cause this finding confirms or rules out.

    The knowledge base's ``causes[].rules`` is the one place rules and entries are linked.
    """
    # every finding here is new (its rule or the phone analysis built it for this diagnosis)
    finding.related_codes = [entry.id for entry in kb.entries_for_rule(finding.id)]
    return finding


def _verdict(capture: Capture, counts: StatusCounts) -> str:
    # a scan that ended before every asked-for check finished cannot pass (issue 14 item 12)
    if capture.unfinished_checks or not any(r.status is CheckStatus.OK for r in capture.checks.values()):
        return "incomplete"
    if counts.fail:
        return "fail"
    if counts.warn:
        return "warn"
    return "pass"


def _rule_findings(facts: Facts, ctx: RuleContext, kb: KnowledgeBase) -> list[Finding]:
    return [_link_codes(run_rule(rule, facts, ctx), kb) for rule in RULES.values()]


def judge(capture: Capture, kb: KnowledgeBase | None = None) -> tuple[str, list[Finding]]:
    """The verdict and the findings of :func:`diagnose` (no phone, error codes, do-first list or
    region table): what a fleet record stores, for each of 100,000 devices."""
    findings = sort_findings(_rule_findings(Facts(capture), RuleContext(), kb or KnowledgeBase.default()))
    return _verdict(capture, count(findings)), findings


def diagnose(
    capture: Capture,
    *,
    errors: Sequence[str] = (),
    phone: str | None = None,
    phone_region: str | None = None,
    kb: KnowledgeBase | None = None,
) -> DiagnosisResult:
    """Run every rule over ``capture``; analyse ``phone`` and each of ``errors`` against the findings.

    Raises msdiag.errors.InputError for an error code that cannot be parsed or an unknown
    ``phone_region``.
    """
    phone_region = check_region(phone_region)
    kb = kb or KnowledgeBase.default()
    facts = Facts(capture)
    phone_analysis: PhoneAnalysis | None = None
    if phone is not None:
        phone_analysis = analyze_phone(phone, phone_region, facts)
    phone_country = phone_analysis.region if phone_analysis is not None and phone_analysis.valid else None
    ctx = RuleContext(phone=phone_analysis, phone_region=phone_country)

    findings = _rule_findings(facts, ctx, kb)
    if phone_analysis is not None:
        # The machine rule region.phone_country_mismatch judges the phone's country against every
        # region setting: the phone analysis's own comparison would say it a second time.
        phone_findings = [
            _link_codes(f, kb) for f in phone_analysis.findings if f.id != "phone.country_mismatch"
        ]  # (linked once: _rule_findings links the machine's)
        phone_analysis = phone_analysis.model_copy(update={"findings": phone_findings})
        findings.extend(phone_findings)
    findings = sort_findings(findings)
    counts = count(findings)
    analyses = [analyze_error(text, findings, kb) for text in errors]
    matrix = region_matrix(facts, phone_country, mask_phone(phone) if phone is not None else None)
    return DiagnosisResult(
        msdiag_version=__version__,
        verdict=_verdict(capture, counts),  # type: ignore[arg-type]
        counts=counts,
        findings=findings,
        errors=analyses,
        do_first=build_do_first(findings, analyses),
        phone=phone_analysis,
        region=matrix,
        clock_skew_seconds=clock_skew_seconds(facts),
        capture=capture,
    )
