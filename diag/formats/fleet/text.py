"""Fleet report as terminal text (tabulate) and as stable JSON."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from diag.fleet.report import FLEET_REPORT_VERSION, FleetReport

MAX_SIGNATURES_SHOWN = 20


def _clean(text: str) -> str:
    """Host data can carry terminal escapes: drop control characters."""
    return "".join(ch for ch in text if ch >= " " and ch != "\x7f")


def render_table(report: FleetReport, lang: str = "en") -> str:
    ja = lang == "ja"
    total = len(report.hosts)
    states = ", ".join(f"{state} {count}" for state, count in report.by_state.items()) or "none"
    lines = [
        (f"ホスト {total} 台: " if ja else f"{total} hosts: ") + states,
        ("判定: " if ja else "verdicts: ")
        + ", ".join(f"{verdict} {count}" for verdict, count in report.by_verdict.items()),
        ("マスキング: " if ja else "redaction: ") + report.redaction,
        "",
    ]
    if report.signatures:
        rows = [
            [len(sig.hosts), _clean(", ".join(sig.findings)), _clean(_sample(sig.hosts))]
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
    unscanned = [row for row in report.hosts if row.verdict == "not_scanned"]
    if unscanned:
        lines.append("")
        lines.append("スキャンできなかったホスト:" if ja else "Hosts that could not be scanned:")
        rows2 = [[_clean(r.name), r.state, _clean((r.detail or "")[:120])] for r in unscanned[:50]]
        lines.append(tabulate(rows2, headers=["host", "status", "detail"], tablefmt="simple"))
        if len(unscanned) > 50:
            lines.append(f"... and {len(unscanned) - 50} more")
    for problem in report.problems[:10]:
        lines.append(f"note: {_clean(problem)}")
    return "\n".join(lines) + "\n"


def _sample(hosts: list[str], limit: int = 3) -> str:
    shown = ", ".join(hosts[:limit])
    return shown + (f" +{len(hosts) - limit}" if len(hosts) > limit else "")


def report_dict(report: FleetReport) -> dict[str, Any]:
    """The JSON form: stable for the same results (sorted, no generation time)."""
    return {
        "format": "msdiag-fleet-report",
        "schema_version": FLEET_REPORT_VERSION,
        "msdiag_version": report.msdiag_version,
        "source": report.source,
        "redaction": report.redaction,
        "hosts_total": len(report.hosts),
        "by_state": report.by_state,
        "by_verdict": report.by_verdict,
        "by_finding": [
            {"id": c.id, "title": c.title_en, "fail": c.fail, "warn": c.warn} for c in report.by_finding
        ],
        "signatures": [
            {"findings": list(s.findings), "count": len(s.hosts), "hosts": s.hosts} for s in report.signatures
        ],
        "hosts": [
            {
                "host": row.name,
                "state": row.state,
                "verdict": row.verdict,
                "failing": list(row.failing),
                "warning": list(row.warning),
                "duration_ms": row.duration_ms,
                "detail": row.detail,
            }
            for row in report.hosts
        ],
        "problems": report.problems,
    }


def render_json(report: FleetReport) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
