"""Fleet report as one self-contained HTML file: inline CSS and SVG, no scripts, no requests.

Stays usable at 10,000 hosts: the hosts x findings matrix and the per-host drill-down are capped
(the page says so, the CSV and JSON hold every host), and every host string is cleaned
(msdiag.sanitize) and autoescaped.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from msdiag.fleet.report import FleetReport
from msdiag.formats.fleet.charts import bar_chart, histogram
from msdiag.formats.interface import FLEET_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import labels_for, value_label
from msdiag.sanitize import clean_template_value

MATRIX_MAX_HOSTS = 500
MATRIX_MAX_FINDINGS = 40
DRILLDOWN_MAX_HOSTS = 2000
CHART_MAX_SIGNATURES = 12

_STATE_CSS = {"ok": "ok"}

_env = Environment(
    loader=PackageLoader("msdiag.formats.fleet", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    finalize=clean_template_value,  # host names and details may carry escapes, bidi overrides
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_fleet_html(report: FleetReport, lang: str = "en") -> str:
    ja = lang == "ja"
    state_chart = bar_chart(
        "ホストの状態" if ja else "Hosts by status",
        [
            (value_label("host_state", state, lang), count, _STATE_CSS.get(state, "bad"))
            for state, count in report.by_state.items()
        ],
    )
    signature_chart = bar_chart(
        "失敗の組み合わせ (上位)" if ja else "Largest failure signatures",
        [(" + ".join(s.findings), len(s.hosts), "fail") for s in report.signatures[:CHART_MAX_SIGNATURES]],
    )
    duration_chart = histogram(
        "ホストごとのスキャン時間" if ja else "Scan duration per host",
        [row.duration_ms for row in report.hosts],
    )
    with_findings = [row for row in report.hosts if row.failing or row.warning]
    with_findings.sort(key=lambda row: (-len(row.failing), row.failing, row.name))
    matrix_findings = [c.id for c in report.by_finding[:MATRIX_MAX_FINDINGS]]
    drilldown = [row for row in report.hosts if row.findings or row.verdict == "not_scanned"]
    return _env.get_template("fleet.html.j2").render(
        report=report,
        lang=lang,
        ja=ja,
        state_chart=state_chart,
        signature_chart=signature_chart,
        duration_chart=duration_chart,
        matrix_rows=with_findings[:MATRIX_MAX_HOSTS],
        matrix_total=len(with_findings),
        matrix_findings=matrix_findings,
        matrix_findings_total=len(report.by_finding),
        drilldown=drilldown[:DRILLDOWN_MAX_HOSTS],
        drilldown_total=len(drilldown),
        L=labels_for(lang),
        vocab=lambda kind, value: value_label(kind, value, lang),
    )


@FLEET_FORMATS.register("html", extension="html", stdout=Stdout.NEVER, summary="charts, links to each host's report")
def fleet_html_report(report: FleetReport, options: RenderOptions) -> str:
    return render_fleet_html(report, options.lang)
