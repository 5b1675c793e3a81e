"""Fleet report as one self-contained HTML file: inline CSS and SVG, no scripts, no requests.

Reading order: what was scanned and how (redaction, certificate validation), the counts, the
failure groups (their findings in words and the fix to do first), then every host by name with
its status. Stays usable at 10,000 hosts: the host table, the hosts x findings matrix and the
charts are capped (the page says so; the CSV and JSON hold every host). Every host string is
cleaned (msdiag.sanitize) and autoescaped; the views here are plain values, never markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from msdiag.fleet.report import NOT_SCANNED, FleetReport, HostRow
from msdiag.formats.fleet.charts import BarChart, Histogram, bar_chart, histogram
from msdiag.formats.fleet.host_reports import needs_report
from msdiag.formats.html_env import stylesheet, template_environment
from msdiag.formats.html_labels import host_state_label, html_label, html_labels_for
from msdiag.formats.html_text import StepView, step_view
from msdiag.formats.interface import FLEET_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import label

if TYPE_CHECKING:
    from jinja2 import Environment

#: rows of the host table: every host up to this many; beyond, those needing attention first (the
#: page says so with the full counts; the CSV and JSON list every host). 2,000 rows are ~0.7 MB.
HOSTS_MAX = 2000
GROUPS_MAX = 100
GROUP_SAMPLE = 10  # hosts named in a group; all of them are in the host table
MATRIX_MAX_HOSTS = 500
MATRIX_MAX_FINDINGS = 40
CHART_MAX_SIGNATURES = 12
CHART_LABEL_CHARS = 40

_STATE_CSS = {"ok": "ok"}
_DIGITS = re.compile(r"(\d+)")


@cache
def _environment() -> Environment:
    return template_environment("msdiag.formats.fleet")


def host_sort_key(name: str) -> list[str | int]:
    """Natural order: pc2 before pc10 (text and numbers alternate, so parts always compare)."""
    return [int(part) if i % 2 else part.lower() for i, part in enumerate(_DIGITS.split(name))]


@dataclass
class HostLink:
    name: str
    report: str  # relative link to the host's own report, "" when none was written


@dataclass
class GroupView:
    count: int
    titles: list[tuple[str, str]]  # (title in words, finding id)
    fix: list[StepView]
    sample: list[HostLink]
    more: int


@dataclass
class FindingLine:
    status: str
    status_label: str
    title: str


@dataclass
class HostView:
    link: HostLink
    state: str
    state_label: str
    verdict: str
    verdict_label: str
    findings: list[FindingLine]
    detail: str
    hint: str
    seconds: str


def _verdict_label(verdict: str, lang: str) -> str:
    return (
        html_label("fleet.verdict.not_scanned", lang)
        if verdict == NOT_SCANNED
        else label(f"verdict.{verdict}", lang)
    )


def _link(row: HostRow) -> HostLink:
    return HostLink(row.name, row.report or "")


def _host_view(row: HostRow, lang: str) -> HostView:
    ja = lang == "ja"
    findings = [
        FindingLine(f.status, label(f"status.{f.status}", lang), f.title_ja if ja else f.title_en)
        for f in row.findings
    ]
    return HostView(
        link=_link(row),
        state=row.state,
        state_label=host_state_label(row.state, lang),
        verdict=row.verdict,
        verdict_label=_verdict_label(row.verdict, lang),
        findings=findings,
        detail=row.detail or "" if row.verdict == NOT_SCANNED else "",
        hint=row.hint or "" if row.verdict == NOT_SCANNED else "",
        seconds=f"{row.duration_ms / 1000:.1f} s",
    )


def _groups(report: FleetReport, lang: str, rows: dict[str, HostRow]) -> list[GroupView]:
    views = []
    for sig in report.signatures[:GROUPS_MAX]:
        names = sorted(sig.hosts, key=host_sort_key)
        views.append(
            GroupView(
                count=len(sig.hosts),
                titles=[(title.get(lang), finding_id) for finding_id, title in sig.titles],
                fix=[step_view(s, lang) for s in sig.fix],
                sample=[_link(rows[n]) if n in rows else HostLink(n, "") for n in names[:GROUP_SAMPLE]],
                more=max(0, len(names) - GROUP_SAMPLE),
            )
        )
    return views


def shown_hosts(report: FleetReport, limit: int) -> list[HostRow]:
    """The host table's rows by name: every host, or when there are more than ``limit``, the
    hosts needing attention (fail, warn, not scanned) first, then healthy ones, ``limit`` in all."""
    rows = sorted(report.hosts, key=lambda row: host_sort_key(row.name))
    if len(rows) <= limit:
        return rows
    attention = [row for row in rows if needs_report(row.verdict)][:limit]
    healthy = [row for row in rows if not needs_report(row.verdict)][: limit - len(attention)]
    return sorted(attention + healthy, key=lambda row: host_sort_key(row.name))


def _charts(report: FleetReport, lang: str) -> tuple[BarChart, BarChart, Histogram]:
    states = bar_chart(
        html_label("fleet.chart.states", lang),
        [
            (host_state_label(state, lang), n, _STATE_CSS.get(state, "bad"))
            for state, n in report.by_state.items()
        ],
    )
    groups = bar_chart(
        html_label("fleet.chart.groups", lang),
        [
            (" + ".join(t.get(lang) for _, t in s.titles), len(s.hosts), "fail")
            for s in report.signatures[:CHART_MAX_SIGNATURES]
        ],
    )
    durations = histogram(html_label("fleet.chart.duration", lang), [row.duration_ms for row in report.hosts])
    return states, groups, durations


def render_fleet_html(report: FleetReport, lang: str = "en") -> str:
    rows = {row.name: row for row in report.hosts}
    hosts = shown_hosts(report, HOSTS_MAX)
    with_findings = [row for row in report.hosts if row.failing or row.warning]
    with_findings.sort(key=lambda row: (-len(row.failing), row.failing, host_sort_key(row.name)))
    titles = {c.id: (c.title_ja if lang == "ja" else c.title_en) for c in report.by_finding}
    states, groups_chart, durations = _charts(report, lang)
    total = len(report.hosts)
    return (
        _environment()
        .get_template("fleet.html.j2")
        .render(
            report=report,
            lang=lang,
            L=html_labels_for(lang),
            css=stylesheet("report.css", "fleet.css"),
            redaction_text=label(f"redaction.{report.redaction}", lang),
            certificates=(
                html_label("fleet.secure.some", lang, n=report.insecure_hosts, total=total)
                if report.insecure_hosts
                else html_label("fleet.secure.all", lang)
            ),
            insecure_banner=(
                html_label("fleet.insecure", lang, n=report.insecure_hosts, total=total)
                if report.insecure_hosts
                else ""
            ),
            merged_note=(
                html_label(
                    "fleet.merged",
                    lang,
                    files=report.merged.files,
                    hosts=report.merged.hosts,
                    repeated=report.merged.repeated,
                )
                if report.merged is not None
                else ""
            ),
            healthy=report.by_verdict.get("pass", 0),
            groups=_groups(report, lang, rows),
            groups_total=len(report.signatures),
            hosts=[_host_view(row, lang) for row in hosts],
            hosts_total=total,
            by_finding=[(titles[c.id], c.id, c.fail, c.warn) for c in report.by_finding],
            state_chart=states,
            signature_chart=groups_chart,
            duration_chart=durations,
            matrix_rows=with_findings[:MATRIX_MAX_HOSTS],
            matrix_total=len(with_findings),
            matrix_findings=[(c.id, titles[c.id]) for c in report.by_finding[:MATRIX_MAX_FINDINGS]],
            matrix_findings_total=len(report.by_finding),
            chart_label_chars=CHART_LABEL_CHARS,
            label_generated=label("generated_by", lang, version=report.msdiag_version),
        )
    )


@FLEET_FORMATS.register(
    "html", extension="html", stdout=Stdout.NEVER, summary="charts, links to each host's report"
)
def fleet_html_report(report: FleetReport, options: RenderOptions) -> str:
    return render_fleet_html(report, options.lang)
