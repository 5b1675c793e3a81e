"""Per-host drill-down: the single-host HTML report of each host that needs attention.

Written beside the fleet report in a folder of its own and linked from it, so a helpdesk can go
from "300 hosts have the proxy mismatch" to one machine's full report (evidence, steps, facts).
Bounded: at 10,000 hosts a report per host would be gigabytes, so only the first
``MAX_HOST_REPORTS`` hosts with a fail or warn finding, or that could not be scanned, get one.
"""

from __future__ import annotations

import re
from pathlib import Path

from diag.errors import InputError
from diag.fleet.report import NOT_SCANNED, FleetReport
from diag.fleet.results import iter_records
from diag.formats.html import render_html
from diag.formats.redact import parse_redaction, redact

MAX_HOST_REPORTS = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def needs_report(verdict: str) -> bool:
    return verdict in ("fail", "warn", NOT_SCANNED)


def write_host_reports(
    report: FleetReport,
    results: Path,
    folder: Path,
    *,
    redaction: str,
    lang: str,
    limit: int = MAX_HOST_REPORTS,
) -> list[Path]:
    """Write the single-host reports and point each chosen row's ``report`` at its file."""
    from diag.diagnosis.engine import diagnose

    chosen = {row.index: row for row in report.hosts if needs_report(row.verdict)}
    chosen = dict(sorted(chosen.items())[:limit])
    if not chosen:
        return []
    level = parse_redaction(redaction)
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {folder}: {exc.strerror or exc}") from None
    for index, record in enumerate(iter_records(results), start=1):
        row = chosen.get(index)
        if row is None:
            continue
        html = render_html(redact(diagnose(record.capture), level), lang=lang)
        name = f"{index:05d}-{_UNSAFE.sub('_', row.name)[:60]}.html"
        path = folder / name
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(html)
        except FileExistsError:
            raise InputError(f"{path} already exists; move the old reports away first") from None
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
        row.report = f"{folder.name}/{name}"
        written.append(path)
    report.host_reports_total = len([r for r in report.hosts if needs_report(r.verdict)])
    report.host_reports_written = len(written)
    return written
