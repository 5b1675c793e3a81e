"""Results for the HTML report tests: engine output with a "do this first" list set by hand.

A plain module (not a test module). Until the diagnosis fills ``DiagnosisResult.do_first``
(issue 12), ``with_do_first`` builds it the way the diagnosis does: the confirmed cause's steps,
then the fixes of the failing findings, each step once.
"""

from __future__ import annotations

import json
from pathlib import Path

from support.fleet_results import results_file
from support.report_results import engine_result

from msdiag.diagnosis.models import ActionStep, DiagnosisResult, Status
from msdiag.fleet.report import build_fleet_report
from msdiag.formats.catalog import render_fleet
from msdiag.formats.html import render_html
from msdiag.formats.redact import redact
from msdiag.formats.summary import likely_cause

PHONE = "+81 090-1234-5678"


def with_do_first(result: DiagnosisResult) -> DiagnosisResult:
    if result.do_first:
        return result
    steps: list[ActionStep] = []
    for error in result.errors:
        likely = likely_cause(error)
        if likely.confirmed and likely.cause is not None:
            cause = (error.entry_id or error.input, likely.cause.cause_id)
            steps += [ActionStep(text=s, cause=cause) for s in likely.steps]
    for finding in result.findings:
        if finding.status is Status.FAIL:
            steps += [ActionStep(text=s, finding_id=finding.id) for s in finding.remediation[:1]]
    unique: dict[str, ActionStep] = {}
    for step in steps:
        unique.setdefault(step.text.en, step)
    return result.model_copy(update={"do_first": list(unique.values())})


def failing_result(
    name: str = "proxy-mismatch", *, errors: tuple[str, ...] = ("0xCAA70004",)
) -> DiagnosisResult:
    """A capture diagnosed with an error code and a phone number, redacted as reports are."""
    return redact(with_do_first(engine_result(name, errors=list(errors), phone=PHONE)), "standard")


def write_pages(folder: Path) -> dict[str, Path]:
    """The pages the browser test opens: single-host reports in both languages, a hostile one,
    a region mismatch, and the fleet report of a small fleet (every host status) in both languages."""
    pages: dict[str, Path] = {}
    for lang in ("en", "ja"):
        pages[f"host-{lang}"] = _write(folder / f"host-{lang}.html", render_html(failing_result(), lang=lang))
        pages[f"abroad-{lang}"] = _write(
            folder / f"abroad-{lang}.html",
            render_html(failing_result("abroad-ja-jp-in-us", errors=()), lang=lang),
        )
    pages["hostile-en"] = _write(
        folder / "hostile-en.html", render_html(failing_result("hostile", errors=("0x80072EE7",)), lang="en")
    )
    fleet = build_fleet_report(results_file(folder))
    for lang in ("en", "ja"):
        pages[f"fleet-{lang}"] = _write(folder / f"fleet-{lang}.html", render_fleet(fleet, "html", lang))
    return pages


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def metrics_line(name: str, width: int, seen: dict[str, object]) -> str:
    keys = ("height", "sw", "cw", "overflowing", "narrow", "split")
    return json.dumps({"page": name, "width": width, **{k: seen[k] for k in keys}}, ensure_ascii=False)
