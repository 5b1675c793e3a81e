"""The fleet report as CSV for spreadsheets: one row per host."""

from __future__ import annotations

import csv
import io
import unicodedata

from msdiag.fleet.report import FleetReport
from msdiag.formats.interface import FLEET_FORMATS, RenderOptions, Stdout
from msdiag.sanitize import clean_text

CSV_HEADER = ("host", "status", "verdict", "failing_findings", "warning_findings", "duration_ms", "detail")
_FORMULA_START = ("=", "+", "-", "@")


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates (OWASP's CSV injection advice).

    Host data is cleaned to one line first (msdiag.sanitize: a CR, LF or tab becomes a space, an
    invisible character goes). A cell whose first visible character is = + - @, also in a
    full-width or small form (NFKC: a Japanese IME types ＝), gets a leading ' so it stays text."""
    text = clean_text(text)
    stripped = text.lstrip()
    if stripped and unicodedata.normalize("NFKC", stripped[0]).startswith(_FORMULA_START):
        return "'" + text
    return text


def render_csv(report: FleetReport) -> str:
    out = io.StringIO()
    # Every string cell goes through _cell, so no cell holds a CR or LF: with "\n" lines the csv
    # writer would quote a LF but not a lone CR, which a spreadsheet reads as a new row.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in report.hosts:
        cells = [row.name, row.state, row.verdict, ";".join(row.failing), ";".join(row.warning)]
        writer.writerow([*map(_cell, cells), row.duration_ms, _cell(row.detail or "")])
    return out.getvalue()


@FLEET_FORMATS.register("csv", extension="csv", stdout=Stdout.NEVER, summary="spreadsheets, a row per host")
def fleet_csv_report(report: FleetReport, options: RenderOptions) -> str:
    return render_csv(report)
