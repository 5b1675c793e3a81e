"""The ticket summary: plain text to paste into a support ticket, at most 40 lines.

Host, verdict, the reported error and what it means, the most likely cause, the masked phone
number, "do this first", the failing and warning findings, the checks that did not run, and where
the full report is (``RenderOptions.report_paths``: the CLI passes the files it wrote before this
one). Rendered from the redacted result like every report; host text is cleaned (msdiag.sanitize).
When everything does not fit, the last steps and findings give way to a line saying how many more
the full report has; the head (host, verdict, error) and the tail (report, redaction) always stay.
"""

from __future__ import annotations

from msdiag.diagnosis.models import DiagnosisResult, Finding, PhoneAnalysis
from msdiag.formats.answer import first_steps, fix_text, not_checked, problems, scan_time
from msdiag.formats.interface import HOST_FORMATS, RenderOptions, Stdout
from msdiag.formats.labels import check_lang, label, value_label
from msdiag.formats.summary import counts_text, likely_cause, redaction_text
from msdiag.formats.wrap import cell_width, wrap_cells
from msdiag.sanitize import clean_text, one_line

MAX_LINES = 40
WIDTH = 80  # a ticket is pasted, not shown on this terminal: a fixed width
MAX_ERRORS = 3


def _wrap(text: str, first: str = "", indent: str = "") -> list[str]:
    first = first or indent
    hang = indent or " " * cell_width(first)
    lines = wrap_cells(clean_text(text), WIDTH - max(cell_width(first), cell_width(hang)))
    return [(first if i == 0 else hang) + line for i, line in enumerate(lines)]


def _phone(phone: PhoneAnalysis, lang: str) -> str:
    facts = [phone.region or "?"]
    if phone.number_type:
        facts.append(value_label("number_type", phone.number_type, lang))
    facts.append(label("ticket.phone_valid" if phone.valid else "ticket.phone_invalid", lang))
    text = f"{label('source.phone', lang)}: {one_line(phone.input)} ({', '.join(facts)})"
    if phone.corrected_input:
        text += f"; {label('phone.corrected', lang)}: {one_line(phone.corrected_input)}"
    return text


def _head(result: DiagnosisResult, lang: str) -> list[str]:
    capture = result.capture
    lines = [label("ticket.title", lang)]
    lines += _wrap(
        f"{label('host', lang)}: {capture.host} · {label('scanned', lang)} {scan_time(capture.collected_utc)}"
        f" · {label('mode', lang)}: {value_label('mode', capture.mode, lang)} · msdiag {result.msdiag_version}"
    )
    verdict = label(f"verdict.{result.verdict}", lang)
    lines += _wrap(f"{label('verdict', lang)}: {verdict} ({counts_text(result, lang)})")
    state = capture.host_status.state.value
    if state != "ok":
        detail = f": {capture.host_status.detail}" if capture.host_status.detail else ""
        lines += _wrap(label("banner.host_status", lang, state=value_label("host_state", state, lang)) + detail)
    for error in result.errors[:MAX_ERRORS]:
        name = f" ({error.name})" if error.name else ""
        meaning = error.meaning.get(lang) if error.meaning else label("unknown_code", lang)
        lines += _wrap(f"{label('error', lang)} {error.input}{name}: {meaning}")
        likely = likely_cause(error)
        if likely.cause is not None and likely.confirmed:
            verdict_label = label(f"verdict_cause.{likely.cause.verdict.value}", lang)
            text = f"{label('most_likely', lang)} [{verdict_label}]: {likely.cause.text.get(lang)}"
            lines += _wrap(text, indent="  ")
        elif likely.cause is not None:
            lines += _wrap(label("ticket.no_cause", lang), indent="  ")
    if result.phone is not None:
        lines += _wrap(_phone(result.phone, lang))
    return lines


def _finding(finding: Finding, fix: str | None, lang: str) -> list[str]:
    status = label(f"status.{finding.status.value}", lang)
    status = status.upper() if lang == "en" else status
    severity = label(f"severity.{finding.severity.value}", lang)
    detail = f": {finding.detail.get(lang)}" if finding.detail is not None else ""
    lines = _wrap(f"{finding.title.get(lang)}{detail}", first=f"- {status} ({severity}): ", indent="    ")
    if fix is not None:
        lines += _wrap(f"{label('fix', lang)}: {fix}", indent="    ")
    return lines


def render_ticket(result: DiagnosisResult, *, lang: str, report_paths: tuple[str, ...] = ()) -> str:
    """The summary, newline-terminated, at most :data:`MAX_LINES` lines of at most 80 cells (a
    report's path, never wrapped, may be longer)."""
    check_lang(lang)
    head = _head(result, lang)
    tail = [""]
    if report_paths:  # never wrapped: a path is copied whole
        tail += [f"{label('ticket.full_report', lang)}: {clean_text(path)}" for path in report_paths]
    else:
        tail += _wrap(f"{label('ticket.full_report', lang)}: {label('ticket.no_report', lang)}")
    tail += _wrap(f"{label('redaction', lang)}: {redaction_text(result, lang)}")

    first = first_steps(result)
    sections: list[tuple[str, list[list[str]]]] = []
    if first.steps:
        key = "do_first" if first.do_first else "steps"
        blocks = [_wrap(step.get(lang), first=f"{n}. ") for n, step in enumerate(first.steps, 1)]
        sections.append((key, blocks))
    found = problems(result)
    if found:
        fixes = [fix_text(f, first, lang, "more_steps.report") for f in found]
        sections.append(("problems", [_finding(f, fix, lang) for f, fix in zip(found, fixes, strict=True)]))
    groups = not_checked(result)
    if groups:
        sections.append(("not_checked", [_wrap(g.line(lang), first="- ", indent="  ") for g in groups]))

    lines = list(head)
    budget = MAX_LINES - len(head) - len(tail)
    whole = sum(2 + sum(len(b) for b in blocks) for _, blocks in sections)
    if whole > budget:
        budget -= 1  # room for the "... N more" line
    left_out = 0
    for key, blocks in sections:
        shown: list[str] = ["", label(key, lang) + ":"]
        for block in blocks:
            if len(shown) + len(block) <= budget:
                shown += block
            else:
                left_out += 1
        if len(shown) > 2:
            lines += shown
            budget -= len(shown)
    if left_out:
        lines += _wrap(label("ticket.more", lang, n=left_out))
    lines += tail
    return "\n".join(line.rstrip() for line in lines[:MAX_LINES]) + "\n"


@HOST_FORMATS.register("ticket", extension="txt", stdout=Stdout.ALWAYS, summary="support ticket")
def ticket_report(report: DiagnosisResult, options: RenderOptions) -> str:
    return render_ticket(report, lang=options.lang, report_paths=options.report_paths)
