"""Options shared by `scan` and `diagnose`: what to diagnose and how to report it.

The ``--format`` choices, their validation and their help text come from the format registries
(msdiag.formats.catalog): a new format shows up here without editing this module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from msdiag.cli.output import goes_to_stdout
from msdiag.errors import InputError
from msdiag.formats.catalog import FLEET_FORMATS, HOST_FORMATS
from msdiag.formats.interface import FormatRegistry, ReportFormat, split_names

if TYPE_CHECKING:
    from msdiag.diagnosis.models import DiagnosisResult
    from msdiag.fleet.report import FleetReport

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


@dataclass(frozen=True)
class ReportRequest:
    """What to diagnose (the error seen, the phone number) and how to report it, from the options."""

    errors: tuple[str, ...]
    phone: str | None
    phone_region: str | None
    show_phone: bool
    formats: list[str]  # names, each a single-host or (where the command scans fleets) a fleet format
    output: Path | None
    lang: str
    redact: str
    reports_dir: Path
    show_all: bool = False  # --all: the table lists passed and not-applicable checks too
    open_report: bool = False  # --open: open the HTML report in the default browser

    def host_formats(self) -> list[ReportFormat[DiagnosisResult]]:
        fleet_only = [n for n in self.formats if n not in HOST_FORMATS]
        if fleet_only:
            raise InputError(
                f"{', '.join(fleet_only)}: a fleet report format (scans with --inventory or several "
                f"--host); one host's report formats are {', '.join(HOST_FORMATS.names())}"
            )
        return HOST_FORMATS.parse(self.formats)

    def fleet_formats(self) -> list[ReportFormat[FleetReport]]:
        return FLEET_FORMATS.parse(self.formats)


def check_error_inputs(errors: Sequence[str]) -> None:
    """Reject an unparseable --error before a scan that may take a minute."""
    from msdiag.knowledge.kb import KnowledgeBase

    kb = KnowledgeBase.default()
    for code in errors:
        kb.lookup(code)  # raises InputError with a clear message


def check_phone_region(region: str | None) -> str | None:
    """Reject an unknown --phone-region before a scan (msdiag.diagnosis.phone.check_region)."""
    from msdiag.diagnosis.phone import check_region

    return check_region(region)


def parse_format_names(value: str, *, fleet: bool) -> list[str]:
    """Names from ``--format a,b``: single-host formats, plus the fleet formats when ``fleet``."""
    if not fleet:
        return [f.name for f in HOST_FORMATS.parse(value)]
    names = split_names(value)
    known = list(dict.fromkeys([*HOST_FORMATS.names(), *FLEET_FORMATS.names()]))
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise InputError(
            f"unknown report format(s): {', '.join(repr(n) for n in unknown) or '(none)'}; use "
            f"{', '.join(HOST_FORMATS.names())} (fleet scans: {', '.join(FLEET_FORMATS.names())}; "
            f"several at once: --format {HOST_FORMATS.example})"
        )
    return names


def routing_help(registry: FormatRegistry[R], files: str) -> str:
    """Where each of ``registry``'s formats goes, built from what each declares (its Stdout)."""
    always = [f.name for f in registry if goes_to_stdout(f, alone=False)]
    alone = [f.name for f in registry if goes_to_stdout(f, alone=True) and f.name not in always]
    to_files = [f.name for f in registry if not goes_to_stdout(f, alone=True)]
    parts = []
    if always:
        parts.append(f"{_join(always)} {'prints' if len(always) == 1 else 'print'} to stdout")
    if alone:
        parts.append(f"{_join(alone)} too when {'it is' if len(alone) == 1 else 'they are'} the only one")
    if to_files:
        parts.append(f"{_join(to_files)} {'goes' if len(to_files) == 1 else 'go'} to {files}")
    return "; ".join(parts) + "."


def formats_help(registry: FormatRegistry[R], files: str) -> str:
    """``--format`` help from a registry: the names with what each is for, then where each goes."""
    listed = _join([f"{f.name} ({f.summary})" for f in registry], last=" or ")
    return f"{listed}, or several comma-separated: {registry.example}. {routing_help(registry, files)}"


def fleet_formats_help(files: str) -> str:
    """What fleet scans take beyond the single-host formats, for ``scan --format``."""
    extra = [f for f in FLEET_FORMATS if f.name not in HOST_FORMATS]
    also = _join([f"{f.name} ({f.summary})" for f in extra]) if extra else "the same formats"
    return f"Fleet scans (--inventory, several --host) also take {also}; their files go to {files}."


def _join(names: Sequence[str], last: str = " and ") -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + last + names[-1]


_REQUEST_FIELDS = (
    "errors",
    "phone",
    "phone_region",
    "show_phone",
    "formats",
    "output",
    "lang",
    "redact",
    "reports_dir",
    "show_all",
    "open_report",
)


def report_request_options(*, fleet: bool = False) -> Callable[[F], F]:
    """All diagnosis and report options, handed to the command as one ``request: ReportRequest``.

    ``fleet``: the command also scans fleets, so ``--format`` takes the fleet formats too. The
    formats and error codes are checked here, before any (possibly minute-long) collection."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in _REQUEST_FIELDS}
            values["formats"] = parse_format_names(values["formats"], fleet=fleet)
            if values["open_report"] and "html" not in values["formats"]:
                values["formats"].append("html")  # --open: the HTML report is written to be opened
            values["output"] = Path(values["output"]) if values["output"] else None
            values["reports_dir"] = Path(values["reports_dir"])
            check_error_inputs(values["errors"])
            values["phone_region"] = check_phone_region(values["phone_region"])
            return func(*args, request=ReportRequest(**values), **kwargs)

        return diagnosis_options(report_options(wrapper, fleet=fleet))  # type: ignore[return-value]

    return decorate


def _with_options(func: F, options: Sequence[Callable[[F], F]]) -> F:
    """``func`` decorated with ``options``, listed in ``--help`` in the order given."""
    for option in reversed(options):
        func = option(func)
    return func


def diagnosis_options(func: F) -> F:
    """--error / --phone: what the user saw and the number they are trying to add."""
    options = [
        click.option(
            "--error",
            "errors",
            multiple=True,
            metavar="CODE",
            help="An error code or message the user saw (repeatable): 0x800704CF, 800704cf, -2147023665, "
            "CAA70007, AADSTS50079, 'Something went wrong [1001]', 「この国番号は対応していません」.",
        ),
        click.option(
            "--phone",
            metavar="NUMBER",
            help="The phone number the user is trying to add, e.g. '+81 90-1234-5678'.",
        ),
        click.option(
            "--phone-region", metavar="CC", help="Country to assume for a number typed without +, e.g. JP."
        ),
        click.option(
            "--show-phone",
            is_flag=True,
            help="Show phone numbers unmasked in the output (masked by default).",
        ),
    ]
    return _with_options(func, options)


def report_options(func: F, *, fleet: bool = False) -> F:
    """--format / --output / --lang / --redact: how the result is written."""
    from msdiag.i18n import default_lang

    format_help = formats_help(HOST_FORMATS, "reports/msdiag-<host>-<time>.<ext>")
    if fleet:
        format_help += " " + fleet_formats_help("reports/msdiag-fleet-<time>-report.<ext>")
    options = [
        click.option(
            "--format",
            "formats",
            default="table",
            show_default=True,
            metavar="FORMATS",
            help=format_help,
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, writable=False, path_type=str),
            help="Write the (single) format to this file instead.",
        ),
        click.option(
            "--lang",
            type=click.Choice(["en", "ja"]),
            default=default_lang,
            show_default="from your locale",
            help="Report language.",
        ),
        click.option(
            "--redact",
            type=click.Choice(["standard", "strict", "none"]),
            default="standard",
            show_default=True,
            help="standard masks phone numbers and replaces user names and e-mail addresses with placeholders; "
            "strict also hides IP addresses, computer and domain names; none only when you ask.",
        ),
        click.option(
            "--reports-dir",
            type=click.Path(file_okay=False, path_type=str),
            default="reports",
            show_default=True,
            help="Folder for report files.",
        ),
        click.option(
            "--all",
            "show_all",
            is_flag=True,
            help="List every check in the table, passed and not applicable too (by default one line counts them).",
        ),
        click.option(
            "--open",
            "open_report",
            is_flag=True,
            help="Open the HTML report in the default browser (writes it when --format does not ask for html).",
        ),
    ]
    return _with_options(func, options)
