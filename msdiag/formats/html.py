"""The HTML report: one self-contained file (inline CSS, no scripts, no requests), en or ja.

Jinja2 with autoescaping on does all the escaping: this module only turns the result into plain
values (strings, lists, small dataclasses) for templates/report.html.j2 and never builds markup.
The one string marked safe is our own stylesheet, read from static/report.css.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from msdiag.capture.models import CheckStatus
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import (
    SEVERITY_ORDER,
    DiagnosisResult,
    Finding,
    Severity,
    Status,
)
from msdiag.formats.answer import missing_reason
from msdiag.formats.html_facts import (
    endpoint_views,
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
from msdiag.formats.interface import HOST_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import check_lang, label, labels_for, value_label
from msdiag.formats.summary import (
    LikelyCause,
    all_findings,
    banners,
    counts_text,
    likely_cause,
    redaction_text,
)
from msdiag.sanitize import clean_template_value, clean_text, clean_value

EVIDENCE_VALUE_LIMIT = 2000  # characters of one evidence value shown; the raw block has the rest


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("msdiag.formats", "templates"),
        autoescape=True,  # every {{ }} is escaped; report.html.j2 never uses |safe on data
        undefined=StrictUndefined,
        finalize=clean_template_value,  # a second net: any host string the views missed is cleaned
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@cache
def _stylesheet() -> Markup:
    css = (resources.files("msdiag.formats") / "static" / "report.css").read_text(encoding="utf-8")
    if "</" in css:  # our own file, but a stray "</style>" would end the style element early
        raise ValueError("report.css must not contain '</'")
    return Markup(css)


@dataclass
class EvidenceView:
    fact: str
    value: str
    note: str


@dataclass
class FindingView:
    id: str
    status: str
    status_label: str
    severity: str
    severity_label: str
    title: str
    detail: str
    evidence: list[EvidenceView]
    steps: list[str]


@dataclass
class SeverityGroup:
    severity: str
    label: str
    findings: list[FindingView]


@dataclass
class CauseView:
    text: str
    verdict: str
    verdict_label: str


@dataclass
class ErrorView:
    input: str
    name: str
    meaning: str
    known: bool
    hresult: str
    confirmed: bool
    cause: CauseView | None
    evidence: list[EvidenceView]
    steps: list[str]
    others: list[CauseView]
    sources: list[str]


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = clean_text(text)
    return text if len(text) <= EVIDENCE_VALUE_LIMIT else text[:EVIDENCE_VALUE_LIMIT] + " …"


def _evidence(finding: Finding, lang: str) -> list[EvidenceView]:
    return [
        EvidenceView(clean_text(e.fact), _value_text(e.value), localized_text(e.note, lang))
        for e in finding.evidence
    ]


def _finding_view(finding: Finding, lang: str) -> FindingView:
    return FindingView(
        id=clean_text(finding.id),
        status=finding.status.value,
        status_label=label(f"status.{finding.status.value}", lang),
        severity=finding.severity.value,
        severity_label=label(f"severity.{finding.severity.value}", lang),
        title=localized_text(finding.title, lang),
        detail=localized_text(finding.detail, lang),
        evidence=_evidence(finding, lang),
        steps=[localized_text(s, lang) for s in finding.remediation],
    )


def _severity_groups(result: DiagnosisResult, lang: str) -> tuple[list[SeverityGroup], list[FindingView]]:
    """Findings that need attention (fail, warn, not collected) by severity; the rest separately."""
    attention = [
        f for f in all_findings(result) if f.status in (Status.FAIL, Status.WARN, Status.NOT_COLLECTED)
    ]
    rest = [_finding_view(f, lang) for f in all_findings(result) if f not in attention]
    groups = []
    for severity in sorted(Severity, key=lambda s: SEVERITY_ORDER[s]):
        members = [_finding_view(f, lang) for f in attention if f.severity is severity]
        if members:
            groups.append(SeverityGroup(severity.value, label(f"severity.{severity.value}", lang), members))
    return groups, rest


def _cause_view(cause: Any, lang: str) -> CauseView:
    return CauseView(
        localized_text(cause.text, lang), cause.verdict.value, label(f"verdict_cause.{cause.verdict.value}", lang)
    )


def _error_views(result: DiagnosisResult, lang: str) -> list[ErrorView]:
    by_id = {f.id: f for f in all_findings(result)}
    views = []
    for error in result.errors:
        likely: LikelyCause = likely_cause(error, result.do_first)
        evidence: list[EvidenceView] = []
        if likely.cause is not None:
            for finding_id in likely.cause.findings:
                if finding_id in by_id:
                    # several findings may rest on the same fact: show each fact once
                    evidence.extend(e for e in _evidence(by_id[finding_id], lang) if e not in evidence)
        views.append(
            ErrorView(
                input=clean_text(error.input),
                name=clean_text(error.name or ""),
                meaning=localized_text(error.meaning, lang),
                known=error.entry_id is not None,
                hresult=clean_text(error.decoded.win32_name or "") if error.decoded else "",
                confirmed=likely.confirmed,
                cause=_cause_view(likely.cause, lang) if likely.cause is not None else None,
                evidence=evidence,
                steps=[localized_text(s, lang) for s in likely.steps],
                others=[_cause_view(c, lang) for c in likely.others],
                sources=[clean_text(s) for s in error.sources],
            )
        )
    return views


def render_html(result: DiagnosisResult, *, lang: str) -> str:
    """The self-contained HTML report in ``lang`` ("en" or "ja")."""
    check_lang(lang)
    facts = Facts(result.capture)
    groups, rest = _severity_groups(result, lang)
    proxies, proxy_env, proxy_scope = proxy_rows(facts, lang)
    services, services_missing = service_rows(facts, lang)
    endpoints, endpoints_missing = endpoint_views(facts, lang)
    envelope = result.capture.model_dump(mode="json", exclude={"checks"})
    missing_checks = sorted(n for n, c in result.capture.checks.items() if c.status is not CheckStatus.OK)
    context = {
        "lang": lang,
        "L": labels_for(lang),
        "css": _stylesheet(),
        "host": clean_text(result.capture.host),
        "collected_utc": clean_text(result.capture.collected_utc),
        "mode": value_label("mode", result.capture.mode, lang),
        "version": result.msdiag_version,
        "generated_by": label("generated_by", lang, version=result.msdiag_version),
        "verdict": result.verdict,
        "verdict_label": label(f"verdict.{result.verdict}", lang),
        "counts": counts_text(result, lang),
        "banners": [clean_text(b) for b in banners(result, lang)],
        "errors": _error_views(result, lang),
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
