"""Options shared by `scan` and `diagnose`: what to diagnose and how to report it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ReportRequest:
    """What to diagnose (the error seen, the phone number) and how to report it, from the options."""

    errors: tuple[str, ...]
    phone: str | None
    phone_region: str | None
    show_phone: bool
    formats: list[str]  # validated: table / json / html
    output: Path | None
    lang: str
    redact: str
    reports_dir: Path


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
)


def report_request_options(func: F) -> F:
    """All diagnosis and report options, handed to the command as one ``request: ReportRequest``.

    The formats and error codes are checked here, before any (possibly minute-long) collection."""
    from diag.cli.reporting import check_error_inputs
    from diag.formats.output import parse_formats

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _REQUEST_FIELDS}
        values["formats"] = parse_formats(values["formats"])
        values["output"] = Path(values["output"]) if values["output"] else None
        values["reports_dir"] = Path(values["reports_dir"])
        check_error_inputs(values["errors"])
        return func(*args, request=ReportRequest(**values), **kwargs)

    return diagnosis_options(report_options(wrapper))  # type: ignore[return-value]


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
    for option in reversed(options):
        func = option(func)
    return func


def report_options(func: F) -> F:
    """--format / --output / --lang / --redact: how the result is written."""
    from diag.i18n import default_lang

    options = [
        click.option(
            "--format",
            "formats",
            default="table",
            show_default=True,
            metavar="FORMATS",
            help="table, json or html, or several comma-separated (table,json,html). One table or json prints "
            "to stdout; html goes to reports/msdiag-<host>-<time>.html; with several, the table prints and the "
            "others go to reports/.",
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
    ]
    for option in reversed(options):
        func = option(func)
    return func
