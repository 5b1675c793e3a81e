"""Writing a fleet report: its formats (routed like every report, msdiag/cli/output.py) and the
single-host reports its HTML links to, each host diagnosed from the results files.

A fleet report is never overwritten, except with ``--force`` and only msdiag's own earlier fleet
report of the same format (and the single-host reports msdiag wrote beside it): any other file of
that name is refused. A replaced file is written beside it first and then renamed over it, so a
failure leaves the old report whole.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from msdiag.cli.output import Emitted, Route, emit, ensure_folder, plan_routes
from msdiag.errors import InputError
from msdiag.files import open_private
from msdiag.fleet.models import FleetRecord
from msdiag.fleet.report import FleetReport, HostRow, build_fleet_report
from msdiag.fleet.report_pool import POOL_MAX_WORKERS, cores
from msdiag.fleet.sources import iter_fleet_records, not_results_hint, read_placed
from msdiag.formats.catalog import FLEET_FORMATS, HOST_FORMATS
from msdiag.formats.fleet.csv_format import CSV_HEADER
from msdiag.formats.fleet.host_reports import (
    MAX_HOST_REPORTS,
    host_report_name,
    hosts_needing_reports,
    link_host_reports,
)
from msdiag.formats.interface import RenderOptions, ReportFormat
from msdiag.formats.redact import Redaction, parse_redaction, redact

_EXISTS_HINT = "choose another --output, move it away, or --force to replace msdiag's earlier report"
_OWN_HEAD_BYTES = 4096
_HOST_REPORT_NAME = re.compile(r"^\d{5}-[A-Za-z0-9._-]+\.html$")
_HTML_MARK = b'<meta name="generator" content="msdiag '
#: how msdiag's own earlier output of each format starts (what --force may replace)
_OWN_MARKS: dict[str, tuple[bytes, ...]] = {
    "html": (_HTML_MARK,),
    "json": (b'"format": "msdiag-fleet-report"',),
    "csv": (",".join(CSV_HEADER).encode(),),
}


def load_fleet_report(paths: Sequence[Path], redaction: str) -> FleetReport:
    """The fleet report of one or several results files, or an input error that says what is wrong
    (a missing file, another kind of msdiag file and the command that reads it, no valid record)."""
    files = list(dict.fromkeys(paths))  # the same file named twice is read once
    for path in files:
        if not path.is_file():
            raise InputError(f"{path}: no such results file")
        hint = not_results_hint(path)
        if hint is not None:
            raise InputError(hint)
    report = build_fleet_report(files, redaction)
    if not report.hosts:
        where = ", ".join(str(p) for p in files)
        raise InputError(f"{where}: no valid fleet records" + (f" ({report.problems[0]})" if report.problems else ""))
    return report


def report_stem(paths: Sequence[Path]) -> str:
    """``<results>-report``; for several files, the newest-named one's ``-merged-report``."""
    files = list(dict.fromkeys(paths))
    if len(files) == 1:
        return files[0].stem + "-report"
    return max(files, key=lambda p: p.name).stem + "-merged-report"


def _write(path: Path, text: str) -> None:
    """Create ``path`` owner-only (msdiag.files) with ``text``; never replaces a file."""
    try:
        with open_private(path, "x") as handle:
            handle.write(text)
    except FileExistsError:
        raise InputError(f"{path} already exists; move the old reports away first (or --force)") from None
    except OSError as exc:  # a full disk: no half-written report is left behind
        path.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_host_reports(
    report: FleetReport,
    results: Path | Sequence[Path],
    folder: Path,
    *,
    redaction: str,
    lang: str,
    limit: int = MAX_HOST_REPORTS,
    accounts: Sequence[str] = (),
) -> list[Path]:
    """Write the single-host HTML report of each host that needs one (msdiag.formats.fleet.host_reports)
    into ``folder`` and point its fleet row at it; returns the files written."""
    chosen = hosts_needing_reports(report, limit)
    if not chosen:
        link_host_reports(report, folder.name, {})
        return []
    level = parse_redaction(redaction)
    ensure_folder(folder, "host report folder")
    names: dict[int, str] = {}
    written: list[Path] = []
    files = [results] if isinstance(results, Path) else list(results)
    render = partial(_host_report, level=level, lang=lang, accounts=tuple(accounts))
    for index, text in _rendered(render, _chosen_records(files, chosen), len(chosen)):
        name = host_report_name(chosen[index])
        _write(folder / name, text)
        names[index] = name
        written.append((folder / name).absolute())
    link_host_reports(report, folder.name, names)
    return written


#: from this many host reports on, they are rendered by one process per core (~11 ms each)
POOL_REPORTS = 32


def _host_report(item: tuple[int, FleetRecord], *, level: Redaction, lang: str, accounts: tuple[str, ...]) -> tuple[int, str]:
    from msdiag.diagnosis.engine import diagnose  # loads the knowledge base: only when reports are made

    index, record = item
    used = [*accounts, *([record.target.username] if record.target.username else [])]
    html = HOST_FORMATS.get("html")
    return index, html.render(redact(diagnose(record.capture), level, accounts=used), RenderOptions(lang=lang))


def _rendered(
    render: Callable[[tuple[int, FleetRecord]], tuple[int, str]], records: Iterator[tuple[int, FleetRecord]], count: int
) -> Iterator[tuple[int, str]]:
    """Each record's report, in the records' order; in worker processes when there are many."""
    workers = min(cores(), POOL_MAX_WORKERS)
    if count < POOL_REPORTS or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(render, records)
        return
    import msdiag.diagnosis.engine  # noqa: F401  (the rules, loaded before the fork: shared)
    from msdiag.knowledge.kb import KnowledgeBase

    KnowledgeBase.default()  # read once here, not in each worker
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(render, records, chunksize=8)


def _chosen_records(files: list[Path], chosen: dict[int, HostRow]) -> Iterator[tuple[int, FleetRecord]]:
    """The records of the chosen rows (by report index): read at their places, parsing no other
    line (a fleet of 100,000 hosts is 700 MB), else by reading the files in the report's numbering."""
    places = {row.place: index for index, row in chosen.items() if row.place is not None}
    if len(places) == len(chosen):
        for place, record in read_placed(files, list(places)):
            yield places[place], record
        return
    for index, record in enumerate(iter_fleet_records(files), start=1):  # the report's numbering
        if index in chosen:
            yield index, record


def write_fleet_outputs(
    report: FleetReport,
    formats: Sequence[str | ReportFormat[FleetReport]],
    *,
    lang: str,
    reports_dir: Path,
    stem: str,
    output: Path | None = None,
    results: Path | Sequence[Path] | None = None,
    redaction: str = "standard",
    accounts: Sequence[str] = (),
    force: bool = False,
) -> Emitted:
    """Render each fleet format and route it; nothing is printed (the command prints ``stdout``).

    ``output`` takes exactly one format. Without it a lone table or JSON is for stdout and
    everything else goes to ``reports_dir/<stem>.<ext>``; an existing file is never overwritten
    (``force``: msdiag's own earlier report is replaced, see the module docstring).
    With ``results`` (the results files the report was built from), the HTML links each host that
    needs attention to its single-host report, written to ``<html stem>-hosts/`` beside it."""
    chosen = FLEET_FORMATS.parse([f if isinstance(f, str) else f.name for f in formats])
    routes = plan_routes(
        chosen,
        output=output,
        path_for=lambda fmt: reports_dir / f"{stem}.{fmt.extension}",
        reports_dir=reports_dir,
        exact_defaults=True,
    )
    replace = _taken(routes, force=force)  # checked before anything is written
    html = next((r.path for r in routes if r.fmt.name == "html" and r.path is not None), None)
    written: list[Path] = []
    if html is not None and results is not None:
        folder = html.parent / f"{html.stem}-hosts"
        stale = _own_host_reports(folder) if force else []
        for old in stale:
            old.unlink()
        written = write_host_reports(report, results, folder, redaction=redaction, lang=lang, accounts=accounts)
    fresh = [route for route in routes if route not in replace]
    emitted = emit(report, fresh, RenderOptions(lang=lang), hint=_EXISTS_HINT)
    replaced = [_replace(route, report, lang).absolute() for route in replace]
    return Emitted(emitted.stdout, emitted.written + replaced + written)


def _taken(routes: Sequence[Route[FleetReport]], *, force: bool) -> list[Route[FleetReport]]:
    """The routes whose file exists: refused, unless ``force`` and it is msdiag's own report."""
    taken = [route for route in routes if route.path is not None and route.path.exists()]
    for route in taken:
        assert route.path is not None
        if not force:
            raise InputError(f"{route.path} already exists; msdiag does not overwrite reports: {_EXISTS_HINT}")
        if not _is_own(route.path, route.fmt.name):
            raise InputError(
                f"{route.path} exists and is not an msdiag fleet {route.fmt.name} report: --force replaces "
                "only msdiag's own earlier report; choose another --output or move it away"
            )
    return taken


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(_OWN_HEAD_BYTES)
    except OSError:
        return b""


def _is_own(path: Path, fmt: str) -> bool:
    if not path.is_file():
        return False
    head = _head(path)
    return any(mark in head for mark in _OWN_MARKS.get(fmt, ()))


def _own_host_reports(folder: Path) -> list[Path]:
    """The single-host reports msdiag wrote into ``folder`` (named ``00042-host.html``, its mark)."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if _HOST_REPORT_NAME.match(path.name) and path.is_file() and _HTML_MARK in _head(path)
    )


def _replace(route: Route[FleetReport], report: FleetReport, lang: str) -> Path:
    """Write the format beside its old file, then rename it over (the old one stays whole on failure)."""
    assert route.path is not None
    text = route.fmt.render(report, RenderOptions(lang=lang))
    temporary = route.path.with_name(f".{route.path.name}.{os.getpid()}.tmp")
    _write(temporary, text)
    try:
        os.replace(temporary, route.path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot replace {route.path}: {exc.strerror or exc}") from None
    return route.path
