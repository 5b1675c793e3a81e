"""What a report format is, and the two registries the command line builds ``--format`` from.

A format turns one report into a string and nothing else: it never writes a file and never prints
(the CLI decides where the text goes: msdiag/cli/output.py). Each format module registers its format
when it is imported; msdiag/formats/catalog.py imports them all (its ``FORMAT_MODULES``), so take the
registries from there. Adding a format is its module, one line in the catalog, and a test.

A format is its render function, registered with what it declares::

    @HOST_FORMATS.register("json", extension="json", stdout=Stdout.ALONE, summary="scripts")
    def json_report(report: DiagnosisResult, options: RenderOptions) -> str: ...

Type safety: a registration that misses a declaration fails mypy ("Missing named argument"), and
so does a render function of the wrong shape. Nothing branches on format names: the CLI looks
a name up once. The one branch on what a format declares, :class:`Stdout`, is an enum matched with
:func:`assert_never`, so a new policy without its routing fails mypy too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Generic, NoReturn, TypeVar

from msdiag.errors import InputError

if TYPE_CHECKING:
    from msdiag.diagnosis.models import DiagnosisResult
    from msdiag.fleet.report import FleetReport


class Stdout(Enum):
    """Where a format's text goes when no ``--output`` is given."""

    ALWAYS = "always"  # printed, also next to other formats (the terminal table)
    ALONE = "alone"  # printed when it is the only format asked for (JSON pipes); else a file
    NEVER = "never"  # always a file under the reports folder (HTML, CSV)


def assert_never(value: NoReturn) -> NoReturn:
    """Exhaustiveness check: mypy fails the caller when a branch for an enum member is missing."""
    raise AssertionError(f"unhandled value: {value!r}")


@dataclass(frozen=True)
class RenderOptions:
    """How to render: chosen by the CLI, the same for every format of one run."""

    lang: str = "en"
    color: bool = False  # ANSI colour: the CLI turns it on for a terminal only (never for files)
    width: int | None = None  # terminal width in cells; None: the format's own default
    show_all: bool = False  # list every finding, passed and not applicable too (--all)
    #: absolute paths of the other reports of this run written before this one (the ticket names them)
    report_paths: tuple[str, ...] = ()


R = TypeVar("R")


@dataclass(frozen=True)
class ReportFormat(Generic[R]):
    """A report format: one report in, one string out (pip-audit's ``VulnerabilityFormat`` shape).

    Made by :meth:`FormatRegistry.register` around the format's render function."""

    name: str  # the ``--format`` name (lower case)
    extension: str  # file name extension without the dot, for files under the reports folder
    stdout: Stdout  # whether the text can print to stdout
    summary: str  # a few words for ``--help``: what this format is for
    #: the whole report as text (newline-terminated); never writes or prints
    render: Callable[[R, RenderOptions], str]

    @property
    def prints_alone(self) -> bool:
        """A lone ``--format NAME`` prints to stdout."""
        return self.stdout is not Stdout.NEVER


class FormatRegistry(Generic[R]):
    """The formats for one kind of report, in registration order (the order help lists them)."""

    def __init__(self, kind: str, example: str) -> None:
        self.kind = kind  # "report", "fleet report": used in messages
        self.example = example  # a comma-separated example for messages and help
        self._formats: dict[str, ReportFormat[R]] = {}

    def register(
        self, name: str, *, extension: str, stdout: Stdout, summary: str
    ) -> Callable[[Callable[[R, RenderOptions], str]], ReportFormat[R]]:
        """Decorator: register the decorated render function as the format ``name``."""

        def wrap(render: Callable[[R, RenderOptions], str]) -> ReportFormat[R]:
            return self.add(ReportFormat(name, extension, stdout, summary, render))

        return wrap

    def add(self, fmt: ReportFormat[R]) -> ReportFormat[R]:
        """Register ``fmt`` (at import of its module); a second format with the same name is a bug."""
        name = fmt.name
        if not name or name != name.strip().lower() or "," in name:
            raise ValueError(f"format name {name!r} must be lower case, without commas or spaces")
        if name in self._formats:
            raise ValueError(f"two {self.kind} formats are named {name!r}")
        self._formats[name] = fmt
        return fmt

    def order_by_module(self, modules: Sequence[str]) -> None:
        """List the formats in the order of their modules in ``modules`` (others last, as added)."""
        rank = {name: i for i, name in enumerate(modules)}
        ordered = sorted(self._formats.values(), key=lambda f: rank.get(f.render.__module__, len(rank)))
        self._formats = {f.name: f for f in ordered}

    def names(self) -> tuple[str, ...]:
        return tuple(self._formats)

    def __iter__(self) -> Iterator[ReportFormat[R]]:
        return iter(self._formats.values())

    def __contains__(self, name: object) -> bool:
        return name in self._formats

    def get(self, name: str) -> ReportFormat[R]:
        try:
            return self._formats[name]
        except KeyError:
            raise InputError(f"unknown {self.kind} format {name!r}; use {', '.join(self.names())}") from None

    def parse(self, value: str | Sequence[str]) -> list[ReportFormat[R]]:
        """``table``, ``json`` ... or a comma-separated mix; duplicates dropped, order kept."""
        names = split_names(value)
        if not names:
            raise InputError(
                f"no {self.kind} format given: use one or more of {', '.join(self.names())} (comma-separated)"
            )
        unknown = [n for n in names if n not in self._formats]
        if unknown:
            raise InputError(
                f"unknown {self.kind} format(s): {', '.join(repr(n) for n in unknown)}; use "
                f"{', '.join(self.names())} (several at once: --format {self.example})"
            )
        return [self._formats[n] for n in names]


def split_names(value: str | Sequence[str]) -> list[str]:
    """Format names from ``a,b`` (or several such strings), lower-cased, duplicates dropped."""
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    return list(dict.fromkeys(p.strip().lower() for p in parts if p.strip()))


#: Formats for one host's diagnosis (``msdiag scan``, ``msdiag diagnose``).
HOST_FORMATS: FormatRegistry[DiagnosisResult] = FormatRegistry("report", "table,json,html")
#: Formats for a fleet's results (``msdiag report``, ``msdiag scan --inventory``).
FLEET_FORMATS: FormatRegistry[FleetReport] = FormatRegistry("fleet report", "table,html,csv")
