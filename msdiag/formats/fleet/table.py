"""The fleet report on a terminal: counts, the largest failure groups in words with their fix,
hosts not scanned."""

from __future__ import annotations

from tabulate import tabulate

from msdiag.fleet.report import NOT_SCANNED, FleetReport
from msdiag.formats.fleet.html import host_sort_key
from msdiag.formats.html_labels import host_state_label, html_label
from msdiag.formats.interface import FLEET_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import label
from msdiag.sanitize import clean_text, clip

MAX_SIGNATURES_SHOWN = 20
MAX_UNSCANNED_SHOWN = 50
SAMPLE_HOSTS = 3
DETAIL_CHARS = 120


def _plain(text: str) -> str:
    """Product text for a terminal: commands keep their words, not the backticks around them."""
    return text.replace("`", "")


def render_table(report: FleetReport, lang: str = "en") -> str:
    """Host data (names, details, results-file notes) is cleaned: it reaches a terminal."""
    total = len(report.hosts)
    states = ", ".join(f"{host_state_label(state, lang)} {n}" for state, n in report.by_state.items()) or "—"
    verdicts = ", ".join(
        f"{html_label('fleet.verdict.not_scanned', lang) if v == NOT_SCANNED else label(f'verdict.{v}', lang)} {n}"
        for v, n in report.by_verdict.items()
    )
    lines = [
        html_label("fleet.table.hosts", lang, n=total) + states,
        html_label("fleet.table.results", lang) + verdicts,
        f"{label('redaction', lang)}: {label(f'redaction.{report.redaction}', lang)}",
    ]
    if report.insecure_hosts:
        lines.append(html_label("fleet.insecure", lang, n=report.insecure_hosts, total=total))
    if report.merged is not None:
        merged = report.merged
        lines.append(
            html_label("fleet.merged", lang, files=merged.files, hosts=merged.hosts, repeated=merged.repeated)
        )
    lines.append("")
    if report.signatures:
        lines.append(html_label("fleet.table.groups", lang))
        for sig in report.signatures[:MAX_SIGNATURES_SHOWN]:
            titles = "; ".join(clean_text(title.get(lang)) for _, title in sig.titles) or ", ".join(
                sig.findings
            )
            lines.append(f"  {html_label('fleet.table.group', lang, n=len(sig.hosts))}: {titles}")
            for step in sig.fix:
                lines.append(
                    f"    {html_label('fleet.table.do_first', lang)}: {_plain(clean_text(step.get(lang)))}"
                )
            lines.append(f"    {html_label('fleet.table.hosts_in', lang)}: {clean_text(_sample(sig.hosts))}")
        more = len(report.signatures) - MAX_SIGNATURES_SHOWN
        if more > 0:
            lines.append(html_label("fleet.table.more_groups", lang, n=more))
    else:
        lines.append(html_label("fleet.groups.none", lang))
    unscanned = sorted(
        (row for row in report.hosts if row.verdict == NOT_SCANNED), key=lambda r: host_sort_key(r.name)
    )
    if unscanned:
        lines.append("")
        lines.append(html_label("fleet.table.unscanned", lang))
        rows = [
            [clean_text(r.name), host_state_label(r.state, lang), clip(r.detail or "", DETAIL_CHARS)]
            for r in unscanned[:MAX_UNSCANNED_SHOWN]
        ]
        headers = ["ホスト", "状態", "詳細"] if lang == "ja" else ["host", "status", "detail"]
        lines.append(tabulate(rows, headers=headers, tablefmt="simple"))
        if len(unscanned) > MAX_UNSCANNED_SHOWN:
            lines.append(html_label("fleet.table.more_hosts", lang, n=len(unscanned) - MAX_UNSCANNED_SHOWN))
    for problem in report.problems[:10]:
        lines.append(html_label("fleet.table.note", lang) + clean_text(problem))
    return "\n".join(lines) + "\n"


def _sample(hosts: list[str]) -> str:
    names = sorted(hosts, key=host_sort_key)
    shown = ", ".join(names[:SAMPLE_HOSTS])
    return shown + (f" +{len(names) - SAMPLE_HOSTS}" if len(names) > SAMPLE_HOSTS else "")


@FLEET_FORMATS.register("table", extension="txt", stdout=Stdout.ALWAYS, summary="terminal")
def fleet_table_report(report: FleetReport, options: RenderOptions) -> str:
    return render_table(report, options.lang)
