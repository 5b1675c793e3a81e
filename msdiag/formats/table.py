"""The terminal report: summary line, most likely cause with steps, findings table (tabulate).

Everything shown is passed through the sanitiser (msdiag.sanitize) first: the capture comes from the
scanned machine, and an ANSI escape in an adapter name must not repaint the helpdesk's terminal. Colour (by status
only) is added afterwards, by us, and only when the caller says the stream is a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tabulate import tabulate
from wcwidth import wcswidth, wcwidth

from msdiag.diagnosis.models import DiagnosisResult, Finding, Localized, Status
from msdiag.formats.interface import HOST_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import check_lang, label
from msdiag.formats.summary import (
    all_findings,
    banners,
    counts_text,
    likely_cause,
    redaction_text,
)
from msdiag.sanitize import clean_text

_COLORS: dict[str, str] = {
    Status.FAIL.value: "\x1b[1;31m",
    Status.WARN.value: "\x1b[33m",
    Status.PASS.value: "\x1b[32m",
    Status.NOT_COLLECTED.value: "\x1b[35m",
    Status.NOT_APPLICABLE.value: "\x1b[2m",
    "fail-verdict": "\x1b[1;41;97m",
}
_RESET = "\x1b[0m"
_OUR_COLOURS = re.compile("\x1b\\[[0-9;]*m")
MIN_WIDTH = 60
DEFAULT_WIDTH = 100


def _cell_width(text: str) -> int:
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def _strip_ours(text: str) -> str:
    return _OUR_COLOURS.sub("", text)


def wrap_cells(text: str, width: int) -> list[str]:
    """Wrap by terminal cells (a Japanese character takes two), preferring breaks at spaces."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width, last_space = "", 0, -1
        for ch in paragraph:
            w = max(wcwidth(ch), 0)
            if line_width + w > width and line:
                # Latin text breaks at the last space; between CJK characters any point is a break.
                cjk_break = w == 2 or wcwidth(line[-1]) == 2
                if last_space > 0 and ch != " " and not cjk_break:
                    lines.append(line[:last_space].rstrip())
                    line = line[last_space + 1 :]
                else:
                    lines.append(line.rstrip())
                    line = ""
                line = line.lstrip() if ch != " " else line
                line_width, last_space = _cell_width(line), line.rfind(" ")
                if ch == " " and not line:
                    continue
            line += ch
            line_width += w
            if ch == " ":
                last_space = len(line) - 1
        lines.append(line.rstrip())
    return lines


def _wrap(text: str, width: int) -> str:
    return "\n".join(wrap_cells(clean_text(text), max(width, 8)))


class _Writer:
    def __init__(self, lang: str, color: bool, width: int) -> None:
        self.lang, self.color, self.width = lang, color, width
        self.lines: list[str] = []

    def t(self, text: Localized | None) -> str:
        return clean_text(text.get(self.lang)) if text is not None else ""

    def paint(self, text: str, key: str) -> str:
        return f"{_COLORS[key]}{text}{_RESET}" if self.color and key in _COLORS else text

    def para(self, text: str, indent: str = "", first: str | None = None) -> None:
        lead = first if first is not None else indent
        wrapped = wrap_cells(clean_text(text), self.width - _cell_width(lead))
        for i, line in enumerate(wrapped):
            self.lines.append((lead if i == 0 else " " * _cell_width(lead)) + line)

    def steps(self, steps: Sequence[Localized], indent: str = "  ") -> None:
        for n, step in enumerate(steps, 1):
            self.para(self.t(step), first=f"{indent}{n}. ")


def _status_cell(writer: _Writer, status: Status) -> str:
    return writer.paint(label(f"status.{status.value}", writer.lang), status.value)


def _detail_cell(writer: _Writer, finding: Finding) -> str:
    parts = []
    if finding.detail is not None:
        parts.append(writer.t(finding.detail))
    return " ".join(parts)


def render_table(result: DiagnosisResult, *, lang: str, color: bool, width: int = DEFAULT_WIDTH) -> str:
    """The terminal report, wrapped to ``width`` cells; ANSI colours only when ``color``."""
    check_lang(lang)
    width = max(width, MIN_WIDTH)
    w = _Writer(lang, color, width)
    capture = result.capture
    w.para(
        f"msdiag {result.msdiag_version} · {label('host', lang)} {capture.host} · "
        f"{label('scanned', lang)} {capture.collected_utc}"
    )
    verdict = label(f"verdict.{result.verdict}", lang)
    verdict_key = "fail-verdict" if result.verdict == "fail" else result.verdict
    painted = w.paint(verdict.upper(), verdict_key)
    w.lines.append(f"{label('verdict', lang)}: {painted} ({counts_text(result, lang)})")
    for banner in banners(result, lang):
        w.para(banner, first=w.paint("!! ", Status.WARN.value))

    for error in result.errors:
        w.lines.append("")
        likely = likely_cause(error)
        name = f" ({clean_text(error.name)})" if error.name else ""
        w.para(f"{label('error', lang)} {clean_text(error.input)}{name}")
        if error.meaning is not None:
            w.para(w.t(error.meaning), indent="  ")
        elif error.entry_id is None:
            w.para(label("unknown_code", lang), indent="  ")
        if likely.cause is not None:
            verdict_label = label(f"verdict_cause.{likely.cause.verdict.value}", lang)
            heading = label("most_likely", lang) if likely.confirmed else label("no_likely", lang)
            w.para(heading)
            w.para(f"{w.t(likely.cause.text)} [{verdict_label}]", indent="  ")
        if likely.others:
            w.para(label("other_causes", lang) + ":")
            for cause in likely.others:
                verdict_label = label(f"verdict_cause.{cause.verdict.value}", lang)
                w.para(f"{w.t(cause.text)} [{verdict_label}]", first="  - ")

    if result.do_first:  # one ordered list: the confirmed cause's steps, then every other fix
        w.lines.append("")
        w.para(label("steps", lang) + ":")
        w.steps([action.text for action in result.do_first])

    findings = all_findings(result)
    w.lines.append("")
    w.lines.append(label("findings", lang))
    if findings:
        # Column budget at the requested width: status and severity are short, the texts share the rest.
        status_w, severity_w = 13, 8
        text_w = width - status_w - severity_w - 13  # borders and padding of the "grid" format
        finding_w = max(16, text_w * 2 // 5)
        detail_w = max(16, text_w - finding_w)
        headers = [label(k, lang) for k in ("col.status", "col.severity", "col.finding", "col.detail")]
        table = ""
        for _ in range(4):  # tabulate's padding depends on the content: shrink the detail column to fit
            rows = [
                [
                    _status_cell(w, f.status),
                    label(f"severity.{f.severity.value}", lang),
                    _wrap(w.t(f.title), finding_w),
                    _wrap(_detail_cell(w, f), detail_w),
                ]
                for f in findings
            ]
            table = tabulate(rows, headers=headers, tablefmt="grid", disable_numparse=True)
            overflow = max(_cell_width(_strip_ours(line)) for line in table.splitlines()) - width
            if overflow <= 0 or detail_w <= 16:
                break
            detail_w = max(16, detail_w - overflow)
        w.lines.extend(table.splitlines())
    else:
        w.lines.append(label("no_findings", lang))

    w.lines.append("")
    w.para(f"{label('redaction', lang)}: {redaction_text(result, lang)}")
    return "\n".join(line.rstrip() for line in w.lines) + "\n"


@HOST_FORMATS.register("table", extension="txt", stdout=Stdout.ALWAYS, summary="terminal")
def table_report(report: DiagnosisResult, options: RenderOptions) -> str:
    return render_table(report, lang=options.lang, color=options.color, width=options.width or DEFAULT_WIDTH)
