"""What every format says first: verdict, counts, the most likely cause. Shared so they never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from msdiag.capture.models import HostState
from msdiag.diagnosis.do_first import cause_key, possible_steps
from msdiag.diagnosis.models import (
    SEVERITY_ORDER,
    STATUS_ORDER,
    ActionStep,
    CauseVerdict,
    DiagnosisResult,
    ErrorAnalysis,
    Finding,
    RankedCause,
    Step,
)
from msdiag.formats.labels import label, value_label

SKEW_IN_SYNC_SECONDS = 2.0  # below this the clocks count as in sync (the probe's own resolution)


@dataclass(frozen=True)
class LikelyCause:
    """The cause to show first for one reported error, and the steps to take."""

    error: ErrorAnalysis
    cause: RankedCause | None  # None = the knowledge base lists no causes
    confirmed: bool
    steps: list[Step] = field(default_factory=list)
    others: list[RankedCause] = field(default_factory=list)


def likely_cause(error: ErrorAnalysis, do_first: Sequence[ActionStep] = ()) -> LikelyCause:
    """The cause to show first for ``error`` and its steps: for a confirmed cause, the steps of the
    "do this first" list that belong to it (its own and the fixes of the findings behind it)."""
    causes = sorted(error.causes, key=lambda c: c.rank)
    confirmed = [c for c in causes if c.verdict is CauseVerdict.CONFIRMED]
    top = (
        confirmed[0]
        if confirmed
        else (
            next(
                (c for c in causes if c.verdict is not CauseVerdict.RULED_OUT), causes[0] if causes else None
            )
        )
    )
    # a ruled-out cause's steps, or the entry's when they may be one's, are never offered
    if confirmed:
        key = cause_key(error, confirmed[0])
        steps = [a.text for a in do_first if a.cause == key] or list(confirmed[0].remediation)
    else:
        steps = possible_steps(error)[1]
    others = [c for c in causes if c is not top]
    return LikelyCause(error=error, cause=top, confirmed=bool(confirmed), steps=steps, others=others)


def all_findings(result: DiagnosisResult) -> list[Finding]:
    """The machine's findings and the phone's, each once (the engine already merges the phone's in)."""
    findings = list(result.findings)
    if result.phone is not None:
        seen = {f.id for f in findings}
        findings.extend(f for f in result.phone.findings if f.id not in seen)
    return sorted_findings(findings)


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (STATUS_ORDER[f.status], SEVERITY_ORDER[f.severity], f.id))


def counts_text(result: DiagnosisResult, lang: str) -> str:
    c = result.counts
    return label(
        "summary.counts",
        lang,
        fail=c.fail,
        warn=c.warn,
        pass_=c.pass_,
        not_collected=c.not_collected,
        not_applicable=c.not_applicable,
    )


def skew_text(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return label("not_measured", lang)
    if abs(seconds) < SKEW_IN_SYNC_SECONDS:
        direction = label("clock.same", lang)
    else:  # skew = server minus local: positive means the PC's clock is behind
        direction = label("clock.pc_behind" if seconds > 0 else "clock.pc_ahead", lang)
    sign = "+" if seconds > 0 else ("-" if seconds < 0 else "")
    return label("clock_skew.value", lang, sign=sign, seconds=f"{abs(seconds):.0f}", direction=direction)


def banners(result: DiagnosisResult, lang: str) -> list[str]:
    """Warnings that must be seen before anything else: --insecure, a host that was not fully scanned."""
    out: list[str] = []
    capture = result.capture
    insecure = capture.connection is not None and capture.connection.insecure
    if insecure or any("insecure" in w.lower() for w in capture.warnings):
        out.append(label("banner.insecure", lang))
    if capture.host_status.state is not HostState.OK:
        state = value_label("host_state", capture.host_status.state.value, lang)
        text = label("banner.host_status", lang, state=state)
        details = [d for d in (capture.host_status.detail, capture.host_status.hint) if d]
        out.append(text + (": " + " / ".join(details) if details else ""))
    for warning in capture.warnings:
        out.append(f"{label('banner.warning', lang)}: {warning}")
    return out


def redaction_text(result: DiagnosisResult, lang: str) -> str:
    if result.redaction != "none" and result.phone_shown:
        return label(f"redaction.{result.redaction}.phone_shown", lang)
    return label(f"redaction.{result.redaction}", lang)
