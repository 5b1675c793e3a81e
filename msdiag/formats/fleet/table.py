"""The fleet report on a terminal: counts, the largest failure signatures, hosts not scanned."""

from __future__ import annotations

from tabulate import tabulate

from msdiag.fleet.report import NOT_SCANNED, FleetReport
from msdiag.formats.interface import FLEET_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import value_label
from msdiag.sanitize import clean_text, clip

MAX_SIGNATURES_SHOWN = 20
MAX_UNSCANNED_SHOWN = 50
DETAIL_CHARS = 120


def render_table(report: FleetReport, lang: str = "en") -> str:
    """Host data (names, details, results-file notes) is cleaned: it reaches a terminal."""
    ja = lang == "ja"
    total = len(report.hosts)
    states = (
        ", ".join(f"{value_label('host_state', state, lang)} {count}" for state, count in report.by_state.items())
        or "none"
    )
    lines = [
        (f"ホスト {total} 台: " if ja else f"{total} hosts: ") + states,
        ("判定: " if ja else "verdicts: ")
        + ", ".join(f"{value_label('fleet_verdict', v, lang)} {count}" for v, count in report.by_verdict.items()),
        ("マスキング: " if ja else "redaction: ") + value_label("redaction_name", report.redaction, lang),
        "",
    ]
    if report.signatures:
        rows = [
            [len(sig.hosts), clean_text(", ".join(sig.findings)), clean_text(_sample(sig.hosts))]
            for sig in report.signatures[:MAX_SIGNATURES_SHOWN]
        ]
        headers = (
            ["ホスト数", "失敗した項目", "ホスト"] if ja else ["hosts", "failing findings", "hosts (sample)"]
        )
        lines.append(tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=[None, 50, 36]))
        more = len(report.signatures) - MAX_SIGNATURES_SHOWN
        if more > 0:
            lines.append(f"... {more} more signatures (see the HTML, JSON or CSV report)")
    else:
        lines.append(
            "失敗した項目のあるホストはありません。" if ja else "No scanned host has a failing finding."
        )
    unscanned = [row for row in report.hosts if row.verdict == NOT_SCANNED]
    if unscanned:
        lines.append("")
        lines.append("スキャンできなかったホスト:" if ja else "Hosts that could not be scanned:")
        rows2 = [
            [clean_text(r.name), value_label("host_state", r.state, lang), clip(r.detail or "", DETAIL_CHARS)]
            for r in unscanned[:MAX_UNSCANNED_SHOWN]
        ]
        headers2 = ["ホスト", "状態", "詳細"] if ja else ["host", "status", "detail"]
        lines.append(tabulate(rows2, headers=headers2, tablefmt="simple"))
        if len(unscanned) > MAX_UNSCANNED_SHOWN:
            lines.append(f"... and {len(unscanned) - MAX_UNSCANNED_SHOWN} more")
    for problem in report.problems[:10]:
        lines.append(f"note: {clean_text(problem)}")
    return "\n".join(lines) + "\n"


def _sample(hosts: list[str], limit: int = 3) -> str:
    shown = ", ".join(hosts[:limit])
    return shown + (f" +{len(hosts) - limit}" if len(hosts) > limit else "")


@FLEET_FORMATS.register("table", extension="txt", stdout=Stdout.ALWAYS, summary="terminal")
def fleet_table_report(report: FleetReport, options: RenderOptions) -> str:
    return render_table(report, options.lang)
