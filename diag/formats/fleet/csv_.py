"""Fleet report as CSV for spreadsheets: one row per host."""

from __future__ import annotations

import csv
import io

from diag.fleet.report import FleetReport

CSV_HEADER = ("host", "status", "verdict", "failing_findings", "warning_findings", "duration_ms", "detail")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Spreadsheets run cells that start like a formula: host data must stay text."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report: FleetReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in report.hosts:
        writer.writerow(
            [
                _cell(row.name),
                row.state,
                row.verdict,
                ";".join(row.failing),
                ";".join(row.warning),
                row.duration_ms,
                _cell((row.detail or "").replace("\n", " ")),
            ]
        )
    return out.getvalue()
