"""Writing a fleet report: its formats (routed like every report, msdiag/cli/output.py) and the
single-host reports its HTML links to, each host diagnosed from the results file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from msdiag.cli.output import Emitted, Route, emit, ensure_folder, plan_routes
from msdiag.errors import InputError
from msdiag.files import open_private
from msdiag.fleet.report import FleetReport
from msdiag.fleet.results import iter_records
from msdiag.formats.catalog import FLEET_FORMATS, HOST_FORMATS
from msdiag.formats.fleet.host_reports import (
    MAX_HOST_REPORTS,
    host_report_name,
    hosts_needing_reports,
    link_host_reports,
)
from msdiag.formats.interface import RenderOptions, ReportFormat
from msdiag.formats.redact import parse_redaction, redact

_EXISTS_HINT = "choose another --output or move it away"


def write_host_reports(
    report: FleetReport,
    results: Path,
    folder: Path,
    *,
    redaction: str,
    lang: str,
    limit: int = MAX_HOST_REPORTS,
) -> list[Path]:
    """Write the single-host HTML report of each host that needs one (msdiag.formats.fleet.host_reports)
    into ``folder`` and point its fleet row at it; returns the files written."""
    from msdiag.diagnosis.engine import diagnose  # loads the knowledge base: only when reports are made

    chosen = hosts_needing_reports(report, limit)
    if not chosen:
        link_host_reports(report, folder.name, {})
        return []
    level = parse_redaction(redaction)
    html = HOST_FORMATS.get("html")
    ensure_folder(folder, "host report folder")
    names: dict[int, str] = {}
    written: list[Path] = []
    for index, record in enumerate(iter_records(results), start=1):
        row = chosen.get(index)
        if row is None:
            continue
        text = html.render(redact(diagnose(record.capture), level), RenderOptions(lang=lang))
        name = host_report_name(row)
        path = folder / name
        try:
            with open_private(path, "x") as handle:  # 0600 (msdiag.files)
                handle.write(text)
        except FileExistsError:
            raise InputError(f"{path} already exists; move the old reports away first") from None
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
        names[index] = name
        written.append(path)
    link_host_reports(report, folder.name, names)
    return written


def write_fleet_outputs(
    report: FleetReport,
    formats: Sequence[str | ReportFormat[FleetReport]],
    *,
    lang: str,
    reports_dir: Path,
    stem: str,
    output: Path | None = None,
    results: Path | None = None,
    redaction: str = "standard",
) -> Emitted:
    """Render each fleet format and route it; nothing is printed (the command prints ``stdout``).

    ``output`` takes exactly one format. Without it a lone table or JSON is for stdout and
    everything else goes to ``reports_dir/<stem>.<ext>``; an existing file is never overwritten.
    With ``results`` (the results file the report was built from), the HTML links each host that
    needs attention to its single-host report, written to ``<html stem>-hosts/`` beside it."""
    chosen = FLEET_FORMATS.parse([f if isinstance(f, str) else f.name for f in formats])
    routes = plan_routes(
        chosen,
        output=output,
        path_for=lambda fmt: reports_dir / f"{stem}.{fmt.extension}",
        reports_dir=reports_dir,
        exact_defaults=True,
    )
    _refuse_taken(routes)
    html = next((r.path for r in routes if r.fmt.name == "html" and r.path is not None), None)
    written: list[Path] = []
    if html is not None and results is not None:
        folder = html.parent / f"{html.stem}-hosts"
        written = write_host_reports(report, results, folder, redaction=redaction, lang=lang)
    emitted = emit(report, routes, lang=lang, stdout_color=False, hint=_EXISTS_HINT)
    return Emitted(emitted.stdout, emitted.written + written)


def _refuse_taken(routes: Sequence[Route[FleetReport]]) -> None:
    """Before any host report is written: a fleet report is never overwritten."""
    for route in routes:
        if route.path is not None and route.path.exists():
            raise InputError(f"{route.path} already exists; msdiag does not overwrite reports: {_EXISTS_HINT}")
