"""The answer first: what the terminal report and the ticket summary put at the top.

The "do this first" steps, the failing and warning findings with their one-line fix, the checks
that did not run grouped by why (a failed scan is one line, not one per rule), and the count of
what passed. Shared by msdiag.formats.table and msdiag.formats.ticket, so they never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from msdiag.capture.models import Capture, CheckStatus
from msdiag.diagnosis.models import DiagnosisResult, Finding, Status, Step
from msdiag.formats.labels import LANGS, label, value_label
from msdiag.formats.summary import all_findings, likely_cause
from msdiag.sanitize import one_line

MAX_CHECKS_NAMED = 5  # a not-checked group names this many checks, then "+N"
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z?$")


def scan_time(collected_utc: str) -> str:
    """The capture's UTC time to the second ("2026-11-25 01:02:03"); any other form as it is."""
    match = _ISO_TIME.match(collected_utc.strip())
    return f"{match.group(1)} {match.group(2)}" if match else one_line(collected_utc)


@dataclass(frozen=True)
class FirstSteps:
    """The steps to show first, and whether they are the diagnosis' "do this first" list."""

    steps: list[Step]
    do_first: bool
    #: finding id -> the 1-based numbers of its steps in ``steps`` (do-first steps name their finding)
    by_finding: dict[str, list[int]] = field(default_factory=dict)


def missing_reason(capture: Capture, check: str, lang: str) -> str:
    """Why ``check`` has no data, in ``lang``: "not run, not selected", 「未実行、選択されていません」."""
    outcome = capture.checks.get(check)
    status = outcome.status.value if outcome is not None else CheckStatus.NOT_RUN.value
    reason = one_line(outcome.reason) if outcome is not None and outcome.reason else "no reason given"
    status_text = value_label("check_status", status, lang).replace("_", " ")
    separator = "、" if lang == "ja" else ", "
    return f"{status_text}{separator}{value_label('check_reason', reason, lang)}"


def first_steps(result: DiagnosisResult) -> FirstSteps:
    """``result.do_first`` when the diagnosis made one, else the steps of the most likely cause of
    the first reported error that has some (what the reports showed before the do-first list)."""
    if result.do_first:
        by_finding: dict[str, list[int]] = {}
        for n, action in enumerate(result.do_first, 1):
            if action.finding_id is not None:
                by_finding.setdefault(action.finding_id, []).append(n)
        return FirstSteps([a.text for a in result.do_first], True, by_finding)
    for error in result.errors:
        steps = likely_cause(error).steps
        if steps:
            return FirstSteps(list(steps), False)
    return FirstSteps([], False)


def problems(result: DiagnosisResult) -> list[Finding]:
    """Failing, then warning findings (most severe first)."""
    return [f for f in all_findings(result) if f.status in (Status.FAIL, Status.WARN)]


def with_status(result: DiagnosisResult, status: Status) -> list[Finding]:
    return [f for f in all_findings(result) if f.status is status]


def fix_text(finding: Finding, first: FirstSteps, lang: str, more_key: str = "more_steps") -> str | None:
    """The finding's one-line fix: where it is in the do-first list, or its first step (and how
    many more it has, said by the label ``more_key``); None when the rule gives no step."""
    numbers = first.by_finding.get(finding.id)
    if numbers:
        return f"{label('do_first', lang)} {', '.join(str(n) for n in numbers)}"
    if not finding.remediation:
        return None
    text = one_line(finding.remediation[0].get(lang))
    more = len(finding.remediation) - 1
    gap = "" if lang == "ja" else " "  # no space after a Japanese sentence's 。
    return text + (f"{gap}({label(more_key, lang, n=more)})" if more else "")


@dataclass
class NotChecked:
    """Findings that could not be judged for one reason."""

    reason: str  # what groups them: the capture's reason in English, or the finding's own
    reason_text: dict[str, str]  # the capture's reason in each language (missing_reason); {} for a finding's own
    checks: list[str]  # the checks without data (none: the rule found its own data missing)
    findings: list[Finding]

    def line(self, lang: str) -> str:
        if not self.checks:  # the rule's own reason: one finding, said in its own words
            finding = self.findings[0]
            detail = finding.detail.get(lang) if finding.detail is not None else self.reason
            return one_line(f"{finding.title.get(lang)}: {detail}")
        named = ", ".join(self.checks[:MAX_CHECKS_NAMED])
        if len(self.checks) > MAX_CHECKS_NAMED:
            named += f" +{len(self.checks) - MAX_CHECKS_NAMED}"
        return label("not_checked.group", lang, checks=named, reason=self.reason_text[lang], n=len(self.findings))


def not_checked(result: DiagnosisResult) -> list[NotChecked]:
    """The not-collected findings, one group per reason a check has no data (in the order met).

    The reason is the capture's: a check not selected, one that failed, a scan that ended early.
    A finding whose checks all ran (the rule found its own data missing) is a group of its own."""
    groups: dict[str, NotChecked] = {}
    checks = result.capture.checks
    for finding in with_status(result, Status.NOT_COLLECTED):
        missing = [c for c in finding.checks if c not in checks or checks[c].status is not CheckStatus.OK]
        if not missing:
            key = f"{finding.id}:{finding.detail.en if finding.detail else ''}"
            groups.setdefault(key, NotChecked(key, {}, [], [])).findings.append(finding)
            continue
        reason = missing_reason(result.capture, missing[0], "en")
        texts = {lang: missing_reason(result.capture, missing[0], lang) for lang in LANGS}
        group = groups.setdefault(reason, NotChecked(reason, texts, [], []))
        group.findings.append(finding)
        if missing[0] not in group.checks:  # the rule stopped at its first input without data
            group.checks.append(missing[0])
    return list(groups.values())


def count_line(result: DiagnosisResult, lang: str) -> str | None:
    """"24 checks passed, 6 not applicable: --all to list them" (None when there are none)."""
    passed = len(with_status(result, Status.PASS))
    na = len(with_status(result, Status.NOT_APPLICABLE))
    if passed and na:
        return label("count.passed_na", lang, passed=passed, na=na)
    if passed:
        return label("count.passed", lang, passed=passed)
    if na:
        return label("count.na", lang, na=na)
    return None
