"""`msdiag report RESULTS.jsonl` (the fleet report) and `msdiag demo` (a real fleet scan of lab hosts)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from msdiag.cli.fleet_output import load_fleet_report, report_stem, write_fleet_outputs
from msdiag.cli.fleet_scan import note
from msdiag.cli.options import formats_help
from msdiag.cli.output import ensure_folder
from msdiag.errors import ExitCode
from msdiag.fleet.report import build_fleet_report
from msdiag.fleet.scan import fleet_exit_code
from msdiag.formats.catalog import FLEET_FORMATS
from msdiag.formats.labels import label
from msdiag.i18n import LANG_OPTION

REDACTIONS = ("none", "standard", "strict")


@click.command("report")
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "formats",
    default="table",
    show_default=True,
    help=formats_help(FLEET_FORMATS, "reports/<results>-report.<ext>"),
)
@click.option(
    "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the (one) format here."
)
@click.option("--reports-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"))
@LANG_OPTION
@click.option("--redact", "redaction", type=click.Choice(REDACTIONS), default="standard", show_default=True)
@click.option("--force", is_flag=True, help="Replace msdiag's own earlier report of the same name.")
def report_cmd(
    results: tuple[Path, ...],
    formats: str,
    output: Path | None,
    reports_dir: Path,
    lang: str,
    redaction: str,
    force: bool,
) -> int:
    """Fleet report from the results files of `msdiag scan --inventory`: every host by name with its
    status, hosts grouped by the same failing findings with the fix to do first, a hosts x findings
    matrix. Several results files are merged: the newest record of each host is shown.

    Exit code 4 when some hosts could not be scanned, 1 when some host has a failing finding."""
    chosen = FLEET_FORMATS.parse(formats)
    report = load_fleet_report(results, redaction)
    emitted = write_fleet_outputs(
        report,
        chosen,
        lang=lang,
        reports_dir=reports_dir,
        stem=report_stem(results),
        output=output,
        results=list(dict.fromkeys(results)),
        redaction=redaction,
        force=force,
    )
    if emitted.stdout:
        click.echo(emitted.stdout, nl=False)
    for path in emitted.written:
        note(f"wrote {path}")  # absolute: msdiag/cli/output.py
    if report.merged is not None:
        merged = report.merged
        note(
            f"merged {merged.files} results files: {merged.hosts} hosts, {merged.repeated} of them in "
            "more than one file (the newest record of each is shown)"
        )
    for problem in report.problems[:20]:
        note(f"note: {problem}")
    return int(fleet_exit_code(None, report.unscanned, report.hosts_failing))


@click.command("demo")
@click.option("--reports-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"))
@LANG_OPTION
def demo_cmd(reports_dir: Path, lang: str) -> int:
    """Try msdiag with no Windows machine: scan the built-in lab hosts over real WinRM.

    Starts lab hosts on 127.0.0.1 (recorded captures of real problems: a WinHTTP proxy mismatch,
    clock skew, a VPN with broken DNS, a blocking hosts file, a disabled wlidsvc, plus one host
    that refuses connections and one that rejects the password), scans them all concurrently over
    NTLM with message encryption, and writes a fleet report and one host report under reports/."""
    from msdiag.fleet.demo import demo_results_path, first_host_report, run_demo_scan, summarize

    started = time.monotonic()
    ensure_folder(reports_dir)
    results = demo_results_path(reports_dir)
    run_demo_scan(results)
    report = build_fleet_report(results)
    emitted = write_fleet_outputs(
        report, ["html"], lang=lang, reports_dir=reports_dir, stem=results.stem + "-report", results=results
    )
    host_html = first_host_report(report)
    click.echo(summarize(report, lang))
    click.echo(label("demo.fleet_report", lang, path=emitted.written[0]))
    if host_html is not None:
        click.echo(label("demo.host_report", lang, path=emitted.written[0].parent / host_html))
    click.echo(label("demo.results", lang, path=results.absolute()))
    click.echo(label("demo.done", lang, seconds=f"{time.monotonic() - started:.1f}"))
    return int(ExitCode.OK)


COMMANDS: list[click.Command] = [report_cmd, demo_cmd]
