"""Per-host drill-down: which hosts of a fleet report get their own single-host report, and its name.

The single-host HTML report of each host that needs attention is written beside the fleet report
in a folder of its own and linked from it, so a helpdesk can go from "300 hosts have the proxy
mismatch" to one machine's full report (evidence, steps, facts). Bounded: at 10,000 hosts a report
per host would be gigabytes, so only the first ``MAX_HOST_REPORTS`` hosts with a fail or warn
finding, or that could not be scanned, get one. This module only chooses and names; the command
reads the results, diagnoses, renders with the single-host HTML format and writes
(msdiag/cli/fleet_output.py).
"""

from __future__ import annotations

import re

from msdiag.fleet.report import NOT_SCANNED, FleetReport, HostRow

MAX_HOST_REPORTS = 200
MAX_NAME_CHARS = 60
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def needs_report(verdict: str) -> bool:
    return verdict in ("fail", "warn", NOT_SCANNED)


def hosts_needing_reports(report: FleetReport, limit: int = MAX_HOST_REPORTS) -> dict[int, HostRow]:
    """The rows to write a report for, by their 1-based index in the results file (first ``limit``)."""
    chosen = sorted((row for row in report.hosts if needs_report(row.verdict)), key=lambda row: row.index)
    return {row.index: row for row in chosen[:limit]}


def host_report_name(row: HostRow) -> str:
    """``00042-pc01.corp.example.html``: the index keeps names unique, the host keeps them readable."""
    return f"{row.index:05d}-{_UNSAFE.sub('_', row.name)[:MAX_NAME_CHARS]}.html"


def link_host_reports(report: FleetReport, folder_name: str, written: dict[int, str]) -> None:
    """Point each row with a written report (index -> file name) at it, and count for the page."""
    for row in report.hosts:
        if row.index in written:
            row.report = f"{folder_name}/{written[row.index]}"
    report.host_reports_total = sum(1 for row in report.hosts if needs_report(row.verdict))
    report.host_reports_written = len(written)
