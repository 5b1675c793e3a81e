"""The fleet report as stable JSON (``format: msdiag-fleet-report``), for scripts and dashboards."""

from __future__ import annotations

import json
from typing import Any

from msdiag.fleet.report import FLEET_REPORT_VERSION, FleetReport
from msdiag.formats.interface import FLEET_FORMATS, RenderOptions, Stdout
from msdiag.sanitize import escape_unsafe


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
            {
                "findings": list(s.findings),
                "count": len(s.hosts),
                "hosts": s.hosts,
                "titles": [title.en for _, title in s.titles],
                "fix": [step.en for step in s.fix],
            }
            for s in report.signatures
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
                "insecure": row.insecure,
            }
            for row in report.hosts
        ],
        "problems": report.problems,
        "sources": report.sources,
        "merged": (
            {"files": report.merged.files, "hosts": report.merged.hosts, "repeated": report.merged.repeated}
            if report.merged is not None
            else None
        ),
        "insecure_hosts": report.insecure_hosts,
    }


def render_json(report: FleetReport) -> str:
    """Strings keep their content; characters a terminal would act on are \\u escapes."""
    return escape_unsafe(json.dumps(report_dict(report), ensure_ascii=False, indent=2, sort_keys=True)) + "\n"


@FLEET_FORMATS.register("json", extension="json", stdout=Stdout.ALONE, summary="scripts")
def fleet_json_report(report: FleetReport, options: RenderOptions) -> str:
    return render_json(report)
