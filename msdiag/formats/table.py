"""The terminal report: the answer first, then what else was found, fitted to the terminal.

Order: the verdict; the reported error, what it means and its most likely cause; "do this first";
each failing or warning finding with its one-line fix; the other possible causes; the checks that
did not run, one line per reason; one line counting what passed or does not apply (``--all``
lists them). Lines are wrapped to ``RenderOptions.width`` terminal cells (Japanese by display
width, with kinsoku: msdiag.formats.wrap).

Everything shown is passed through the sanitiser (msdiag.sanitize) first: the capture comes from the
scanned machine, and an ANSI escape in an adapter name must not repaint the helpdesk's terminal. Colour (by status
only) is added afterwards, by us, and only when the caller says the stream is a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from msdiag.diagnosis.models import CauseVerdict, DiagnosisResult, ErrorAnalysis, Finding, Localized, Status
from msdiag.formats.answer import (
    count_line,
    first_steps,
    fix_text,
    not_checked,
    problems,
    scan_time,
    with_status,
)
from msdiag.formats.interface import HOST_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import check_lang, label
from msdiag.formats.summary import banners, counts_text, likely_cause, redaction_text
from msdiag.formats.wrap import cell_width, wrap_cells
from msdiag.sanitize import clean_text

__all__ = ["DEFAULT_WIDTH", "MAX_WIDTH", "MIN_WIDTH", "render_table", "wrap_cells"]

_COLORS: dict[str, str] = {
    Status.FAIL.value: "\x1b[1;31m",
    Status.WARN.value: "\x1b[33m",
    Status.PASS.value: "\x1b[32m",
    Status.NOT_COLLECTED.value: "\x1b[35m",
    Status.NOT_APPLICABLE.value: "\x1b[2m",
    "fail-verdict": "\x1b[1;41;97m",
}
_RESET = "\x1b[0m"
MIN_WIDTH = 40
MAX_WIDTH = 120  # wider lines are hard to read: a wide terminal gets 120 columns
DEFAULT_WIDTH = 80  # a file, a pipe, a terminal of unknown size


class _Writer:
    def __init__(self, lang: str, color: bool, width: int) -> None:
        self.lang, self.color, self.width = lang, color, width
        self.lines: list[str] = []

    def t(self, text: Localized | None) -> str:
        return clean_text(text.get(self.lang)) if text is not None else ""

    def paint(self, text: str, key: str) -> str:
        return f"{_COLORS[key]}{text}{_RESET}" if self.color and key in _COLORS else text

    def para(self, text: str, indent: str = "", first: str | None = None, painted: str | None = None) -> None:
        """``text`` wrapped after ``first`` (``painted``: the same lead with colour), then under ``indent``."""
        lead = first if first is not None else indent
        hang = indent if first is not None and indent else " " * cell_width(lead)
        width = self.width - max(cell_width(lead), cell_width(hang))
        for i, line in enumerate(wrap_cells(clean_text(text), width)):
            self.lines.append(((painted or lead) if i == 0 else hang) + line)

    def heading(self, key: str, count: int | None = None) -> None:
        self.lines.append("")
        self.lines.append(label(key, self.lang) + (f" ({count}):" if count is not None else ":"))

    def steps(self, steps: Sequence[Localized], indent: str = "  ") -> None:
        for n, step in enumerate(steps, 1):
            self.para(self.t(step), first=f"{indent}{n}. ")

    def status(self, status: Status) -> str:
        text = label(f"status.{status.value}", self.lang)
        return text.upper() if self.lang == "en" else text


def _header(w: _Writer, result: DiagnosisResult) -> None:
    lang, capture = w.lang, result.capture
    w.para(
        f"msdiag {result.msdiag_version} · {label('host', lang)} {capture.host} · "
        f"{label('scanned', lang)} {scan_time(capture.collected_utc)}"
    )
    verdict = label(f"verdict.{result.verdict}", lang)
    verdict_key = "fail-verdict" if result.verdict == "fail" else result.verdict
    start = len(w.lines)
    w.para(f"{verdict.upper()} ({counts_text(result, lang)})", first=f"{label('verdict', lang)}: ", indent="  ")
    # colour after wrapping: escape codes take no cells
    w.lines[start] = w.lines[start].replace(verdict.upper(), w.paint(verdict.upper(), verdict_key), 1)
    for banner in banners(result, lang):
        w.para(banner, first="!! ", painted=w.paint("!! ", Status.WARN.value))


def _error(w: _Writer, error: ErrorAnalysis, *, show_all: bool) -> None:
    lang = w.lang
    w.lines.append("")
    name = f" ({clean_text(error.name)})" if error.name else ""
    w.para(f"{label('error', lang)} {clean_text(error.input)}{name}")
    if error.meaning is not None:
        w.para(w.t(error.meaning), indent="  ")
    elif error.entry_id is None:
        w.para(label("unknown_code", lang), indent="  ")
    likely = likely_cause(error)
    if likely.cause is not None:
        verdict_label = label(f"verdict_cause.{likely.cause.verdict.value}", lang)
        heading = label("most_likely", lang) if likely.confirmed else label("no_likely", lang)
        w.para(heading + (f" [{verdict_label}]:" if likely.confirmed else ""))
        w.para(w.t(likely.cause.text) + ("" if likely.confirmed else f" [{verdict_label}]"), indent="  ")


def _other_causes(w: _Writer, result: DiagnosisResult, *, show_all: bool) -> None:
    """The error's other causes: those still possible listed, those this machine ruled out counted
    (--all lists them too): the answer stays on the first screen."""
    for error in result.errors:
        others = likely_cause(error).others
        shown = others if show_all else [c for c in others if c.verdict is not CauseVerdict.RULED_OUT]
        hidden = len(others) - len(shown)
        if not others:
            continue
        w.heading("other_causes")
        for cause in shown:
            verdict_label = label(f"verdict_cause.{cause.verdict.value}", w.lang)
            w.para(f"{w.t(cause.text)} [{verdict_label}]", first="  - ", indent="    ")
        if hidden:
            w.para(label("ruled_out_count", w.lang).format(n=hidden), first="  ", indent="    ")


def _problem(w: _Writer, finding: Finding, fix: str | None, *, show_all: bool) -> None:
    status = w.status(finding.status)
    severity = label(f"severity.{finding.severity.value}", w.lang)
    lead = f"- {status} ({severity}): "
    painted = f"- {w.paint(status, finding.status.value)} ({severity}): "
    w.para(w.t(finding.title), first=lead, indent="    ", painted=painted)
    if finding.detail is not None:
        w.para(w.t(finding.detail), indent="    ")
    if show_all and finding.remediation:
        w.steps(finding.remediation, indent="    ")
    elif fix is not None:
        w.para(f"{label('fix', w.lang)}: {fix}", indent="    ")


def _listed(w: _Writer, findings: Sequence[Finding], key: str) -> None:
    if findings:
        w.heading(key, len(findings))
        for finding in findings:
            detail = f": {w.t(finding.detail)}" if finding.detail is not None else ""
            w.para(w.t(finding.title) + detail, first="  - ", indent="    ")


def render_table(
    result: DiagnosisResult, *, lang: str, color: bool, width: int = DEFAULT_WIDTH, show_all: bool = False
) -> str:
    """The terminal report, wrapped to ``width`` cells; ANSI colours only when ``color``;
    ``show_all`` lists passed and not-applicable findings and every step."""
    check_lang(lang)
    w = _Writer(lang, color, min(max(width, MIN_WIDTH), MAX_WIDTH))
    _header(w, result)
    for error in result.errors:
        _error(w, error, show_all=show_all)

    first = first_steps(result)
    if first.steps:
        w.heading("do_first" if first.do_first else "steps")
        w.steps(first.steps)

    found = problems(result)
    if found:
        w.heading("problems", len(found))
        for finding in found:
            _problem(w, finding, fix_text(finding, first, lang), show_all=show_all)
    _other_causes(w, result, show_all=show_all)

    if show_all:
        _listed(w, with_status(result, Status.NOT_COLLECTED), "not_checked")
        _listed(w, with_status(result, Status.PASS), "passed")
        _listed(w, with_status(result, Status.NOT_APPLICABLE), "not_applicable")
    else:
        groups = not_checked(result)
        if groups:
            w.heading("not_checked", sum(len(g.findings) for g in groups))
            for group in groups:
                w.para(group.line(lang), first="  - ", indent="    ")
        counted = count_line(result, lang)
        if counted is not None:
            w.lines.append("")
            w.para(counted)
    if not result.findings and not (result.phone and result.phone.findings):
        w.lines.append("")
        w.lines.append(label("no_findings", lang))
    w.lines.append("")
    w.para(f"{label('redaction', lang)}: {redaction_text(result, lang)}")
    return "\n".join(line.rstrip() for line in w.lines) + "\n"


@HOST_FORMATS.register("table", extension="txt", stdout=Stdout.ALWAYS, summary="terminal")
def table_report(report: DiagnosisResult, options: RenderOptions) -> str:
    return render_table(
        report,
        lang=options.lang,
        color=options.color,
        width=options.width or DEFAULT_WIDTH,
        show_all=options.show_all,
    )
