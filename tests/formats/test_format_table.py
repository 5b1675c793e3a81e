"""Terminal report: the answer first, the rest counted, fitted to the terminal in en and ja.

What a helpdesk sees in the first screen: the verdict, the error and its most likely cause, "do
this first", then each failing or warning finding with its one-line fix. Passed and not-applicable
checks are one count line (``--all`` lists them); a failed scan is one line per reason.
"""

from __future__ import annotations

import itertools

import pytest
from support.report_results import engine_result, hand_result, load_capture, result_for_browser
from wcwidth import wcswidth

from msdiag.capture.models import Capture, CheckResult, CheckStatus, HostState, HostStatus
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import ActionStep, DiagnosisResult, Status, Step
from msdiag.formats.redact import redact
from msdiag.formats.table import render_table, wrap_cells
from msdiag.formats.wrap import NO_LINE_END, NO_LINE_START
from msdiag.lab import load_lab_hosts

LAB = {h.name: h.capture for h in load_lab_hosts()}


def _lines(result: DiagnosisResult, lang: str = "en", **kw: object) -> list[str]:
    return render_table(redact(result, "standard"), lang=lang, color=False, **kw).splitlines()  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", ["proxy-mismatch", "pii", "hostile", "clock-skew"])
@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_every_line_fits_the_width(name: str, lang: str, width: int) -> None:
    result = result_for_browser(name)
    for show_all in (False, True):
        lines = _lines(result, lang, width=width, show_all=show_all)
        too_wide = [line for line in lines if wcswidth(line) > width]
        assert not too_wide, "\n".join(lines)


def test_the_default_is_80_columns_and_a_wide_terminal_is_capped() -> None:
    result = result_for_browser("proxy-mismatch")
    assert max(wcswidth(line) for line in _lines(result)) <= 80
    wide = _lines(result, width=400)
    assert max(wcswidth(line) for line in wide) <= 120


def test_the_answer_comes_first() -> None:
    result = engine_result("proxy-mismatch", errors=["0x800704cf"])
    lines = _lines(result)
    text = "\n".join(lines)
    assert lines[1].startswith("Verdict: PROBLEMS FOUND")
    order = [
        "Error 0x800704cf",
        "Most likely cause [confirmed]:",
        "Do this first:",
        "Failing and warning checks (1):",
        "- FAIL (high): The user's proxy (WinINET) and the system proxy (WinHTTP) differ",
        "Fix: Do this first 3, 4, 5",
        "Other possible causes:",
        "checks passed",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions), text
    # the whole answer is on the first screen (it was 122 lines, the first 50 of them pass/n-a rows)
    assert len(lines) <= 40, text


def test_passed_and_not_applicable_collapse_into_one_count_line() -> None:
    result = engine_result("proxy-mismatch")
    passed = [f for f in result.findings if f.status is Status.PASS]
    na = [f for f in result.findings if f.status is Status.NOT_APPLICABLE]
    assert passed and na
    text = "\n".join(_lines(result))
    assert f"{len(passed)} checks passed, {len(na)} not applicable: --all to list them" in text
    for finding in passed + na:
        assert finding.title.en not in text
    ja = "\n".join(_lines(result, "ja"))
    assert f"合格 {len(passed)} 件、対象外 {len(na)} 件" in ja


def test_all_lists_every_check_and_every_step() -> None:
    result = engine_result("proxy-mismatch")
    text = " ".join(" ".join(_lines(result, show_all=True)).split())
    for finding in result.findings:
        assert finding.title.en in text
    mismatch = next(f for f in result.findings if f.status is Status.FAIL)
    for n, step in enumerate(mismatch.remediation, 1):
        assert f"{n}. {' '.join(step.en.split())}" in text
    assert "--all to list them" not in text


def test_do_first_is_shown_first_and_findings_point_at_its_steps() -> None:
    result = engine_result("clock-skew", errors=["0x800704cf"])
    failing = [f for f in result.findings if f.status is Status.FAIL]
    assert len(failing) == 2
    result.do_first = [
        ActionStep(text=Step(en="Record the current time settings: w32tm /query /status", ja="現在の設定を記録: w32tm /query /status", kind="record"), finding_id=failing[0].id),
        ActionStep(text=Step(en="Turn on Set time automatically.", ja="時刻を自動的に設定する をオン", kind="change"), finding_id=failing[0].id),
        ActionStep(text=Step(en="Restart the sign-in.", ja="もう一度サインイン"), cause=("0x800704CF", "network")),
    ]
    text = "\n".join(_lines(result))
    assert text.index("Do this first:") < text.index("Failing and warning checks")
    assert "  1. Record the current time settings: w32tm /query /status" in text
    assert "  3. Restart the sign-in." in text
    assert "Fix: Do this first 1, 2" in text  # the finding's fix is not repeated
    assert "What to do:" not in text  # the do-first list replaces the cause's steps
    ja = "\n".join(_lines(result, "ja"))
    assert "まず行うこと:" in ja and "対処: まず行うこと 1, 2" in ja


def _failed_scan(reason: str, *, selected: tuple[str, ...] = ()) -> Capture:
    capture = LAB["proxy-mismatch"].model_copy(deep=True)
    for name in capture.checks:
        if name in selected:
            capture.checks[name] = CheckResult(status=CheckStatus.ERROR, reason=reason)
        elif selected:
            capture.checks[name] = CheckResult(status=CheckStatus.NOT_RUN, reason="not selected")
        else:
            capture.checks[name] = CheckResult(status=CheckStatus.ERROR, reason=reason)
    capture.host_status = HostStatus(
        state=HostState.SCRIPT_ERROR, detail="PowerShell exited with code 1 before any check reported."
    )
    return capture


def test_a_failed_scan_says_why_once_not_once_per_check() -> None:
    result = diagnose(_failed_scan("the scan ended before this check reported"))
    not_collected = [f for f in result.findings if f.status is Status.NOT_COLLECTED]
    assert len(not_collected) > 20
    lines = _lines(result)
    text = " ".join("\n".join(lines).split())
    assert text.count("the scan ended before this check reported") == 1, text
    assert f"Not checked ({len(not_collected)}):" in text
    assert "Host status: script_error: PowerShell exited with code 1" in text
    assert len(lines) <= 15, text
    assert "ホストの状態: スクリプトのエラー" in "".join(_lines(result, "ja"))


def test_checks_not_selected_are_one_line_and_the_failed_one_another() -> None:
    result = diagnose(_failed_scan("the scan ended before this check reported", selected=("proxy",)))
    text = "\n".join(_lines(result))
    group_lines = [line for line in text.split("Not checked")[1].splitlines() if line.startswith("  - ")]
    assert len(group_lines) == 2, text
    flat = " ".join(text.split())
    assert "not run, not selected" in flat and "proxy: error, the scan ended" in flat


def test_a_check_that_did_not_run_is_never_counted_as_passed() -> None:
    result = hand_result(load_capture("pii"))
    text = "\n".join(_lines(result, show_all=True))
    assert "Not checked (1):" in text and "TLS settings not collected" in text.split("Not checked")[1]
    assert "Passed (1):" in text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_colour_only_on_request_and_lines_still_fit(lang: str) -> None:
    result = redact(engine_result("clock-skew"), "standard")
    plain = render_table(result, lang=lang, color=False, width=60)
    painted = render_table(result, lang=lang, color=True, width=60)
    assert "\x1b[" not in plain and "\x1b[1;31m" in painted
    import re

    assert re.sub("\x1b\\[[0-9;]*m", "", painted) == plain


# ---------------------------------------------------------------- wrapping and kinsoku
def test_wrap_cells_counts_wide_characters_twice() -> None:
    lines = wrap_cells("この PC の時計が 5 分以上ずれています", 12)
    assert all(wcswidth(line) <= 12 for line in lines)
    assert "".join(lines).replace(" ", "") == "このPCの時計が5分以上ずれています"


def test_closing_punctuation_never_starts_a_line() -> None:
    # the case the old table printed: 「(個人の PC)\n。」
    for width in range(6, 30):
        lines = wrap_cells("どの組織にも参加していません(個人の PC)。「テスト」、次へ。", width)
        assert all(line[:1] not in NO_LINE_START for line in lines), (width, lines)
        assert all(line[-1:] not in NO_LINE_END for line in lines), (width, lines)
        assert all(wcswidth(line) <= width for line in lines), (width, lines)


def test_real_japanese_texts_wrap_by_the_rule() -> None:
    texts = []
    for capture in LAB.values():
        result = diagnose(capture, errors=["0x800704cf"], phone="+81 90-1234-5678")
        for finding in result.findings:
            texts.append(finding.title.ja)
            if finding.detail is not None:
                texts.append(finding.detail.ja)
            texts.extend(step.ja for step in finding.remediation)
        for error in result.errors:
            texts.extend(cause.text.ja for cause in error.causes)
    assert len(texts) > 100
    for width in (24, 37, 50, 71):
        for text in texts:
            lines = wrap_cells(text, width)
            assert all(wcswidth(line) <= width for line in lines), (width, lines)
            # a closing mark never starts a line unless the text has a space before it there
            # ("... %USERPROFILE%\\Desktop" breaks at the space; "50%" never splits)
            starts = [
                line
                for prev, line in itertools.pairwise(lines)
                if line[:1] in NO_LINE_START and f"{prev[-1:]} {line[:1]}" not in text
            ]
            assert not starts, (width, lines)
            assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\u3000", "\u3000")
