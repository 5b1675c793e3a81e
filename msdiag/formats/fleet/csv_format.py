"""The fleet report as CSV for spreadsheets: one row per host."""

from __future__ import annotations

import csv
import io

from msdiag.fleet.report import FleetReport
from msdiag.formats.interface import FLEET_FORMATS, RenderOptions, Stdout
from msdiag.sanitize import clean_text

CSV_HEADER = ("host", "status", "verdict", "failing_findings", "warning_findings", "duration_ms", "detail")
_FORMULA_START = ("=", "+", "-", "@")


def _cell(text: str) -> str:
    """Host data for a cell: cleaned to one line, and kept text where a spreadsheet would see a
    formula (also after leading spaces, which a line break or tab became)."""
    text = clean_text(text)
    return "'" + text if text.lstrip().startswith(_FORMULA_START) else text


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
                _cell(row.detail or ""),
            ]
        )
    return out.getvalue()


@FLEET_FORMATS.register("csv", extension="csv", stdout=Stdout.NEVER, summary="spreadsheets, a row per host")
def fleet_csv_report(report: FleetReport, options: RenderOptions) -> str:
    return render_csv(report)
