"""Where each report goes, and the only place reports are written (issue 4's routing rules).

Formats render text (msdiag.formats); this module decides where the text goes and writes it:

- ``--output PATH``: exactly one format, written there. An existing file is never overwritten: that is
  an input error naming the file (the user picked the name, so msdiag does not pick another).
- no ``--output``, one format: a format that prints alone (``table``, ``json``) prints to stdout (so it
  pipes); the others (``html``, ``csv``) are written to the reports folder and their paths printed:
  ``reports/msdiag-<host>-<UTC capture time>.<ext>`` for one host, ``<results>-report.<ext>`` for a fleet.
- several formats: the table (``Stdout.ALWAYS``) prints to stdout, the others go to the reports folder.
- Files in ``reports/`` are never overwritten either: for one host, when the name is taken, ``-2``,
  ``-3`` ... is appended (two scans of one host in the same second both keep their report); a
  fleet report whose name is taken is an input error (its drill-down folder is named after it).
- ``reports/`` is created when missing; a path that cannot be written is an input error, no traceback.
- Colour only on a terminal with NO_COLOR unset; files never get colour.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Generic, TextIO, TypeVar

from msdiag.errors import InputError
from msdiag.files import open_private, private_folder
from msdiag.formats.interface import RenderOptions, ReportFormat, Stdout, assert_never

MAX_HOST_IN_FILENAME = 63
MAX_NAME_ATTEMPTS = 1000

R = TypeVar("R")


@dataclass(frozen=True)
class Route(Generic[R]):
    """Where one format goes: stdout (``path`` None) or a file: exactly there, or the first free -N."""

    fmt: ReportFormat[R]
    path: Path | None
    exact: bool = True


def safe_host_for_filename(host: str) -> str:
    """A host name reduced to characters safe in a file name on Windows and Linux."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", host).strip("._-")
    return cleaned[:MAX_HOST_IN_FILENAME] or "host"


def capture_timestamp(collected_utc: str) -> str:
    """The capture's time as 20261125T010203Z (UTC); unparsable input falls back to its digits."""
    text = collected_utc.strip()
    match = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$", text)
    if match:
        try:
            moment = datetime.fromisoformat(match.group(1) + (match.group(2) or "Z").replace("Z", "+00:00"))
            return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        except ValueError:
            pass
    digits = re.sub(r"\D", "", text)[:14]
    return digits or "unknown-time"


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False


def use_color(stream: TextIO) -> bool:
    return not os.environ.get("NO_COLOR") and is_terminal(stream)


def goes_to_stdout(fmt: ReportFormat[R], *, alone: bool) -> bool:
    """Whether ``fmt`` prints (no --output), given whether it is the only format asked for."""
    policy = fmt.stdout
    if policy is Stdout.ALWAYS:
        return True
    if policy is Stdout.ALONE:
        return alone
    if policy is Stdout.NEVER:
        return False
    assert_never(policy)


def plan_routes(
    formats: Sequence[ReportFormat[R]],
    *,
    output: Path | None,
    path_for: Callable[[ReportFormat[R]], Path],
    reports_dir: Path,
    exact_defaults: bool = False,
) -> list[Route[R]]:
    """Each format's route by the rules above (``exact_defaults``: refuse a taken name in the
    reports folder instead of appending -2, -3 ...)."""
    if output is not None:
        if len(formats) != 1:
            raise InputError(
                f"--output takes exactly one format, but {len(formats)} were asked for "
                f"({', '.join(f.name for f in formats)}); drop --output to write them to {reports_dir}/"
            )
        return [Route(formats[0], output, exact=True)]
    alone = len(formats) == 1
    return [
        Route(fmt, None if goes_to_stdout(fmt, alone=alone) else path_for(fmt), exact=exact_defaults)
        for fmt in formats
    ]


def ensure_folder(folder: Path, what: str = "report folder") -> None:
    try:
        private_folder(folder)  # 0700 where msdiag creates it (msdiag.files)
    except OSError as exc:
        raise InputError(f"cannot create the {what} {folder}: {exc.strerror or exc}") from None


def write_new(path: Path, text: str, *, exact: bool, hint: str = "remove it or choose another --output") -> Path:
    """Write ``text`` to ``path`` (exact: refuse an existing file) or to the first free ``-N`` variant;
    the folder is created when missing. Returns the file written (absolute); never overwrites."""
    ensure_folder(path.parent)
    candidates = (
        [path]
        if exact
        else [path] + [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(2, MAX_NAME_ATTEMPTS)]
    )
    for candidate in candidates:
        try:
            with open_private(candidate, "x") as handle:  # 0600 (msdiag.files)
                handle.write(text)
            return candidate.absolute()
        except FileExistsError:
            continue
        except IsADirectoryError:
            raise InputError(f"cannot write the report to {candidate}: it is a directory") from None
        except OSError as exc:
            raise InputError(f"cannot write the report to {candidate}: {exc.strerror or exc}") from None
    if exact:
        raise InputError(f"{path} already exists; msdiag does not overwrite reports: {hint}")
    raise InputError(f"too many reports named like {path} already exist in {path.parent}")


@dataclass
class Emitted:
    """What routing did: the text for stdout (in route order) and the files written (absolute)."""

    stdout: str
    written: list[Path]


def emit(
    report: R,
    routes: Sequence[Route[R]],
    options: RenderOptions,
    *,
    out: TextIO | None = None,
    hint: str = "remove it or choose another --output",
) -> Emitted:
    """Write each file route, then render the routes for stdout; ``options.color`` is for stdout
    only (files never get colour). Each format gets the paths written before it
    (``RenderOptions.report_paths``: the ticket names the full report).

    A file that cannot be written does not stop the text for stdout (the answer is still shown);
    its error is raised after. With ``out``, the text for stdout is written there; without, the
    caller prints ``Emitted.stdout``."""
    written: list[Path] = []
    failure: InputError | None = None
    for route in routes:
        if route.path is None or failure is not None:
            continue
        paths = tuple(str(p) for p in written)
        text = route.fmt.render(report, replace(options, color=False, report_paths=paths))
        try:
            written.append(write_new(route.path, text, exact=route.exact, hint=hint))
        except InputError as exc:
            failure = exc
    printed: list[str] = []
    for route in routes:
        if route.path is not None:
            continue
        text = route.fmt.render(report, replace(options, report_paths=tuple(str(p) for p in written)))
        printed.append(text)
        if out is not None:
            out.write(text)
    if failure is not None:
        raise failure
    return Emitted("".join(printed), written)
