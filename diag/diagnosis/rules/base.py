"""What a rule is: metadata (id, checks it reads, titles, related codes) plus one pure function.

Rules never raise for missing data: a rule whose inputs were not collected returns
``not_collected`` with the reason, and one that does not apply returns ``not_applicable``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from diag.capture.models import CHECK_DATA_MODELS
from diag.capture.parse import Facts
from diag.diagnosis.models import Evidence, Finding, Localized, PhoneAnalysis, Severity, Status

#: |server Date - local clock| above this fails (Kerberos and token validation tolerate 5 minutes).
CLOCK_SKEW_LIMIT_SECONDS = 300.0
#: dsregcmd AzureAdPrtUpdateTime older than this suggests PRT refresh trouble (windows-facts.md).
PRT_MAX_AGE_HOURS = 4.0


#: a finding's detail is a sentence, not a dump: untrusted values inside it are bounded
DETAIL_LIMIT = 800
VALUE_LIMIT = 120
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def L(en: str, ja: str) -> Localized:
    return Localized(en=en, ja=ja)


def clip(value: object, limit: int = VALUE_LIMIT) -> str:
    """An untrusted value for a sentence: control and bidi characters removed, length bounded."""
    text = _CONTROL.sub(" ", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounded(text: Localized | None) -> Localized | None:
    if text is None:
        return None
    return Localized(en=clip(text.en, DETAIL_LIMIT), ja=clip(text.ja, DETAIL_LIMIT))


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know besides the capture: the phone the user is adding, and thresholds."""

    phone: PhoneAnalysis | None = None
    #: ISO country of the phone number (from the phone analysis or --phone-region)
    phone_region: str | None = None
    clock_skew_limit_seconds: float = CLOCK_SKEW_LIMIT_SECONDS
    prt_max_age_hours: float = PRT_MAX_AGE_HOURS


@dataclass(frozen=True)
class RuleSpec:
    """A rule's fixed metadata, and helpers that build its findings."""

    id: str
    checks: tuple[str, ...]
    #: the problem, shown for fail / warn ("The configured proxy cannot be reached")
    problem: Localized
    #: what was checked, shown for pass / not_collected / not_applicable ("Proxy reachability")
    subject: Localized
    severity: Severity
    related_codes: tuple[str, ...] = ()
    remediation: tuple[Localized, ...] = ()

    def finding(
        self,
        status: Status,
        *,
        detail: Localized | None = None,
        evidence: Iterable[Evidence] = (),
        remediation: Sequence[Localized] | None = None,
        severity: Severity | None = None,
        title: Localized | None = None,
    ) -> Finding:
        problem = status in (Status.FAIL, Status.WARN)
        if title is None:
            title = self.problem if problem else self.subject
        steps = list(self.remediation if remediation is None else remediation) if problem else []
        return Finding(
            id=self.id,
            status=status,
            severity=severity or (self.severity if problem else Severity.INFO),
            title=title,
            detail=_bounded(detail),
            evidence=list(evidence),
            remediation=steps,
            related_codes=list(self.related_codes),
            checks=list(self.checks),
        )

    def fail(self, detail: Localized, evidence: Iterable[Evidence] = (), **kw: Any) -> Finding:
        return self.finding(Status.FAIL, detail=detail, evidence=evidence, **kw)

    def warn(self, detail: Localized, evidence: Iterable[Evidence] = (), **kw: Any) -> Finding:
        return self.finding(Status.WARN, detail=detail, evidence=evidence, **kw)

    def passed(self, detail: Localized, evidence: Iterable[Evidence] = ()) -> Finding:
        return self.finding(Status.PASS, detail=detail, evidence=evidence)

    def not_applicable(self, detail: Localized, evidence: Iterable[Evidence] = ()) -> Finding:
        return self.finding(Status.NOT_APPLICABLE, detail=detail, evidence=evidence)

    def not_collected(self, reason: str) -> Finding:
        return self.finding(
            Status.NOT_COLLECTED,
            detail=L(f"Not checked: {reason}.", f"確認できませんでした: {reason}"),
        )

    def missing(self, facts: Facts, *checks: str) -> Finding | None:
        """not_collected for the first of ``checks`` (default: all the rule reads) without data."""
        for check in checks or self.checks:
            reason = facts.reason(check)
            if not reason and facts.data(check, CHECK_DATA_MODELS[check]) is None:
                reason = f"the {check} check's data could not be read"
            if reason:
                return self.not_collected(reason)
        return None


RuleFunc = Callable[[Facts, RuleContext], Finding]


@dataclass(frozen=True)
class Rule:
    spec: RuleSpec
    func: RuleFunc = field(compare=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def checks(self) -> tuple[str, ...]:
        return self.spec.checks

    def __call__(self, facts: Facts, ctx: RuleContext) -> Finding:
        return self.func(facts, ctx)


def ev(fact: str, value: Any, en: str | None = None, ja: str | None = None) -> Evidence:
    """Evidence with an optional bilingual note."""
    note = L(en, ja) if en is not None and ja is not None else None
    return Evidence(fact=fact, value=value, note=note)


def rule(spec: RuleSpec) -> Callable[[RuleFunc], Rule]:
    """Decorator: bind a spec to its function (the registry in rules/__init__ collects them)."""

    def wrap(func: RuleFunc) -> Rule:
        return Rule(spec=spec, func=func)

    return wrap
