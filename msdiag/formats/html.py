"""The HTML report: one self-contained file (inline CSS, no scripts, no requests), en or ja.

Jinja2 with autoescaping on does all the escaping: this module only turns the result into plain
values (strings, lists, small dataclasses) for templates/report.html.j2 and never builds markup.
The one string marked safe is our own stylesheet, read from static/report.css.

Reading order: the verdict, "do this first", the reported error's cause, the findings that need
attention; passed and not-applicable findings are collapsed; then the machine's facts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from msdiag.capture.models import CheckStatus
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import (
    SEVERITY_ORDER,
    DiagnosisResult,
    Finding,
    Localized,
    Severity,
    Status,
)
from msdiag.formats.answer import missing_reason
from msdiag.formats.fact_labels import fact_label
from msdiag.formats.html_env import stylesheet, template_environment
from msdiag.formats.html_facts import (
    endpoint_views,
    host_offset_minutes,
    localized_text,
    machine_rows,
    phone_view,
    proxy_rows,
    raw_blocks,
    region_view,
    service_rows,
    support_rows,
    vpn_lines,
)
from msdiag.formats.html_labels import html_labels_for
from msdiag.formats.html_text import Span, StepView, host_time, rich, step_view
from msdiag.formats.interface import HOST_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import check_lang, label, value_label
from msdiag.formats.summary import (
    LikelyCause,
    all_findings,
    banners,
    counts_text,
    likely_cause,
    redaction_text,
)
from msdiag.sanitize import clean_text, clean_value

if TYPE_CHECKING:
    from jinja2 import Environment

EVIDENCE_VALUE_LIMIT = 2000  # characters of one evidence value shown; the raw block has the rest
SOURCE_NAME_CHARS = 60  # a source link's text: site and page name, the full address in its href


@cache
def _environment() -> Environment:
    return template_environment("msdiag.formats")


@dataclass
class EvidenceView:
    label: str  # the fact's readable name in the report's language
    fact: str  # its raw path, shown small
    value: str
    note: str


@dataclass
class FindingView:
    id: str
    status: str
    status_label: str
    severity: str
    severity_label: str
    title: list[Span]
    detail: list[Span]
    evidence: list[EvidenceView]
    steps: list[StepView]
    #: every fact of its evidence is already shown in a cause section above (then collapsed)
    evidence_above: bool = False


@dataclass
class SeverityGroup:
    severity: str
    label: str
    findings: list[FindingView]


@dataclass
class CauseView:
    text: list[Span]
    verdict: str
    verdict_label: str


@dataclass
class ActionView:
    """One "do this first" step, with the finding it fixes (linked within the page)."""

    step: StepView
    finding_id: str
    finding_title: str


@dataclass
class ErrorView:
    input: str
    name: str
    meaning: list[Span]
    known: bool
    hresult: str
    confirmed: bool
    cause: CauseView | None
    evidence: list[EvidenceView]
    steps: list[StepView]
    others: list[CauseView]
    sources: list[Span]


def _text(value: Localized | None, lang: str, *, links: bool = True) -> list[Span]:
    """Product text as spans (commands as code, links); ``links=False`` where host values are inside."""
    return rich(localized_text(value, lang), links=links)


def _value_text(value: Any, offset_minutes: int | None) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = clean_text(text)
    if isinstance(value, str):
        text = host_time(text, offset_minutes) or text
    return text if len(text) <= EVIDENCE_VALUE_LIMIT else text[:EVIDENCE_VALUE_LIMIT] + " …"


def _evidence(finding: Finding, lang: str, offset: int | None) -> list[EvidenceView]:
    return [
        EvidenceView(
            fact_label(e.fact, lang),
            clean_text(e.fact),
            _value_text(e.value, offset),
            localized_text(e.note, lang),
        )
        for e in finding.evidence
    ]


def _finding_view(finding: Finding, lang: str, offset: int | None) -> FindingView:
    return FindingView(
        id=clean_text(finding.id),
        status=finding.status.value,
        status_label=label(f"status.{finding.status.value}", lang),
        severity=finding.severity.value,
        severity_label=label(f"severity.{finding.severity.value}", lang),
        title=_text(finding.title, lang, links=False),
        detail=_text(finding.detail, lang, links=False),  # rules put host values into details
        evidence=_evidence(finding, lang, offset),
        steps=[step_view(s, lang) for s in finding.remediation],
    )


def _severity_groups(
    result: DiagnosisResult, lang: str, offset: int | None
) -> tuple[list[SeverityGroup], list[FindingView]]:
    """Findings that need attention (fail, warn, not collected) by severity; the rest separately."""
    attention = [
        f for f in all_findings(result) if f.status in (Status.FAIL, Status.WARN, Status.NOT_COLLECTED)
    ]
    rest = [_finding_view(f, lang, offset) for f in all_findings(result) if f not in attention]
    groups = []
    for severity in sorted(Severity, key=lambda s: SEVERITY_ORDER[s]):
        members = [_finding_view(f, lang, offset) for f in attention if f.severity is severity]
        if members:
            groups.append(SeverityGroup(severity.value, label(f"severity.{severity.value}", lang), members))
    return groups, rest


def _cause_view(cause: Any, lang: str) -> CauseView:
    return CauseView(
        _text(cause.text, lang), cause.verdict.value, label(f"verdict_cause.{cause.verdict.value}", lang)
    )


def _source(url: str) -> list[Span]:
    """A knowledge-base source: a link named by its site and page (the address is the href)."""
    spans = rich(clean_text(url))
    if [s.kind for s in spans] != ["link"]:
        return [Span(clean_text(url))]
    parts = urlsplit(spans[0].href)
    page = parts.path.rstrip("/").rsplit("/", 1)[-1]
    name = f"{parts.hostname} · {page}" if page else str(parts.hostname)
    return [
        Span(
            name if len(name) <= SOURCE_NAME_CHARS else name[: SOURCE_NAME_CHARS - 1] + "…",
            "link",
            spans[0].href,
        )
    ]


def _error_views(result: DiagnosisResult, lang: str, offset: int | None) -> list[ErrorView]:
    by_id = {f.id: f for f in all_findings(result)}
    views = []
    for error in result.errors:
        likely: LikelyCause = likely_cause(error, result.do_first)
        evidence: list[EvidenceView] = []
        if likely.cause is not None:
            for finding_id in likely.cause.findings:
                if finding_id in by_id:
                    # several findings may rest on the same fact: show each fact once
                    evidence.extend(
                        e for e in _evidence(by_id[finding_id], lang, offset) if e not in evidence
                    )
        views.append(
            ErrorView(
                input=clean_text(error.input),
                name=clean_text(error.name or ""),
                meaning=_text(error.meaning, lang),
                known=error.entry_id is not None,
                hresult=clean_text(error.decoded.win32_name or "") if error.decoded else "",
                confirmed=likely.confirmed,
                cause=_cause_view(likely.cause, lang) if likely.cause is not None else None,
                evidence=evidence,
                steps=[step_view(s, lang) for s in likely.steps],
                others=[_cause_view(c, lang) for c in likely.others],
                sources=[span for url in error.sources for span in _source(url)],
            )
        )
    return views


def _do_first(result: DiagnosisResult, lang: str) -> list[ActionView]:
    titles = {f.id: localized_text(f.title, lang) for f in all_findings(result)}
    return [
        ActionView(
            step_view(action.text, lang),
            clean_text(action.finding_id or ""),
            titles.get(action.finding_id or "", ""),
        )
        for action in result.do_first
    ]


def render_html(result: DiagnosisResult, *, lang: str) -> str:
    """The self-contained HTML report in ``lang`` ("en" or "ja")."""
    check_lang(lang)
    facts = Facts(result.capture)
    offset = host_offset_minutes(facts)
    groups, rest = _severity_groups(result, lang, offset)
    proxies, proxy_env, proxy_scope = proxy_rows(facts, lang)
    services, services_missing = service_rows(facts, lang)
    endpoints, endpoints_missing = endpoint_views(facts, lang)
    envelope = result.capture.model_dump(mode="json", exclude={"checks"})
    missing_checks = sorted(n for n, c in result.capture.checks.items() if c.status is not CheckStatus.OK)
    collected = clean_text(result.capture.collected_utc)
    errors = _error_views(result, lang, offset)
    shown = {(e.fact, e.value) for error in errors for e in error.evidence}
    for view in (f for g in groups for f in g.findings):  # its facts are in a cause section: collapse
        view.evidence_above = bool(view.evidence) and all((e.fact, e.value) in shown for e in view.evidence)
    context = {
        "lang": lang,
        "L": html_labels_for(lang),
        "css": stylesheet("report.css"),
        "host": clean_text(result.capture.host),
        "collected": host_time(collected, offset) or collected,
        "mode": value_label("mode", result.capture.mode, lang),
        "version": result.msdiag_version,
        "generated_by": label("generated_by", lang, version=result.msdiag_version),
        "verdict": result.verdict,
        "verdict_label": label(f"verdict.{result.verdict}", lang),
        "counts": counts_text(result, lang),
        "banners": [clean_text(b) for b in banners(result, lang)],
        "do_first": _do_first(result, lang),
        "errors": errors,
        "groups": groups,
        "rest": rest,
        "machine": machine_rows(result, facts, lang),
        "proxy_rows": proxies,
        "proxy_env": proxy_env,
        "proxy_scope": proxy_scope,
        "vpn": vpn_lines(facts, lang),
        "services": services,
        "services_missing": services_missing,
        "region": region_view(result, lang),
        "endpoints": endpoints,
        # every probe answered: the table is collapsed behind one line
        "endpoints_all_ok": bool(endpoints)
        and all(p.dns_ok and p.tcp_ok and p.tls_ok and p.http_ok for p in endpoints),
        "endpoints_missing": endpoints_missing,
        "phone": phone_view(result, lang),
        "support": support_rows(result, facts, lang),
        "missing_checks": [f"{n}: {missing_reason(result.capture, n, lang)}" for n in missing_checks],
        "raw_envelope": json.dumps(clean_value(envelope), ensure_ascii=False, indent=2, sort_keys=True),
        "raw_blocks": raw_blocks(result),
        "redaction": result.redaction,
        "redaction_text": redaction_text(result, lang),
    }
    return _environment().get_template("report.html.j2").render(**context)


@HOST_FORMATS.register("html", extension="html", stdout=Stdout.NEVER, summary="a self-contained page")
def html_report(report: DiagnosisResult, options: RenderOptions) -> str:
    return render_html(report, lang=options.lang)
