"""The runner's composition and the parsing of its (untrusted) "lines" output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from support.check_documents import EN_US, JA_JP

from msdiag.capture.models import CheckStatus
from msdiag.checks import CHECK_NAMES, script_text
from msdiag.collectors.capture_file import load_capture
from msdiag.collectors.runner_output import (
    MAX_LINES,
    MAX_STRAY,
    NOT_REPORTED,
    STRAY_CHARS,
    parse_runner_output,
)
from msdiag.collectors.runner_script import (
    build_check_script,
    build_runner,
    runner_command_arguments,
    runner_parameters,
)
from msdiag.errors import InputError
from msdiag.lab.responder import Invocation, answer

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"

START = {
    "msdiag_runner": "start",
    "protocol": 1,
    "host": "TARO-PC",
    "ps_edition": "Desktop",
    "ps_version": "5.1.22621.4391",
    "utc": "2026-11-25T01:02:03.0000000Z",
}
END = {"msdiag_runner": "end", "elapsed_ms": 1234}


def line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------ build_runner


def test_runner_embeds_only_the_selected_checks_in_canonical_order() -> None:
    runner = build_runner(["locale", "os"])
    assert runner.index("$msdiagChecks['os'] = {") < runner.index("$msdiagChecks['locale'] = {")
    assert "$msdiagChecks['proxy']" not in runner
    assert script_text("os").strip() in runner
    assert "$msdiagRunnerMode = 'lines'" in runner and "@@MSDIAG" not in runner


def test_capture_mode_runner_says_how_to_diagnose_its_output() -> None:
    runner = build_runner(CHECK_NAMES, mode="capture")
    assert "$msdiagRunnerMode = 'capture'" in runner
    assert "msdiag diagnose capture.json" in runner
    assert all(f"$msdiagChecks['{name}'] = {{" in runner for name in CHECK_NAMES)


@pytest.mark.parametrize("checks", [["os", "bogus"], [], "os"])
def test_build_runner_rejects_bad_selection(checks: Any) -> None:
    with pytest.raises(InputError):
        build_runner(checks)


def test_runner_defines_the_shared_helpers_once_for_all_checks() -> None:
    runner = build_runner(CHECK_NAMES)
    assert runner.count("function Invoke-MsdiagProbe {") == 1
    assert runner.count("function Resolve-MsdiagInternetSettingsScope {") == 1
    assert "@@MSDIAG" not in runner


def test_build_check_script_is_one_standalone_check() -> None:
    text = build_check_script("services")
    assert text.count("function Write-MsdiagDocument {") == 1
    code = re.sub(r"<#.*?#>", "", text, flags=re.DOTALL)  # help may show examples
    assert re.findall(r"Write-MsdiagDocument -Check '(\w+)'", code) == ["services"]
    assert "$msdiagChecks" not in code


@pytest.mark.parametrize("check", ["bogus", "", "OS; Remove-Item C:\\"])
def test_build_check_script_rejects_unknown_checks(check: str) -> None:
    with pytest.raises(InputError):
        build_check_script(check)


@pytest.mark.parametrize("form", ["standalone", "script file"])
def test_lab_answers_a_one_check_script_with_that_checks_document(form: str) -> None:
    # pypsrp's Client.execute_ps sends the script as the Command of one pipeline.
    capture = load_capture(CAPTURES / "healthy-en-us.json")
    script = build_check_script("time") if form == "standalone" else script_text("time")
    reply = answer(capture, Invocation([("Invoke-Expression", False, [("Command", script)])]))
    assert [json.loads(text)["check"] for text in reply.output] == ["time"]
    assert answer(capture, Invocation([("Invoke-Expression", False, [("Command", "Get-Date")])])).output == []


# ------------------------------------------------------------------ runner_parameters


def test_runner_parameters_and_command_line() -> None:
    params = runner_parameters(["os", "endpoints"], ["login.live.com", "account.live.com"], 2000)
    assert params == {
        "Checks": ["os", "endpoints"],
        "EndpointHosts": ["login.live.com", "account.live.com"],
        "EndpointTimeoutMs": 2000,
    }
    assert runner_command_arguments(params) == [
        "-Checks",
        "os,endpoints",
        "-EndpointHosts",
        "login.live.com,account.live.com",
        "-EndpointTimeoutMs",
        "2000",
    ]
    assert runner_parameters(["os"]) == {"Checks": ["os"]}


@pytest.mark.parametrize(
    ("hosts", "timeout"),
    [(["login.live.com; Remove-Item C:\\"], None), (["a b"], None), ([], None), (None, 50), (None, 600000)],
)
def test_runner_parameters_reject_bad_values(hosts: list[str] | None, timeout: int | None) -> None:
    with pytest.raises(InputError):
        runner_parameters(["endpoints"], hosts, timeout)


# ------------------------------------------------------------------ parse_runner_output


def test_complete_run_ja_jp() -> None:
    texts = [line(START)] + [line(JA_JP[c]) for c in CHECK_NAMES] + [line(END)]
    out = parse_runner_output(texts, CHECK_NAMES)
    assert out.ended and out.stray == []
    assert out.start == {k: v for k, v in START.items() if k != "msdiag_runner"}
    assert list(out.results) == list(CHECK_NAMES)
    assert all(r.status is CheckStatus.OK for r in out.results.values())
    assert out.results["locale"].document["data"]["home_location"]["geo_id"] == 122  # type: ignore[index]


def test_stdout_text_with_crlf_and_bom_is_split_into_lines() -> None:
    stdout = "\ufeff" + "\r\n".join([line(START), line(EN_US["os"]), line(END)]) + "\r\n"
    out = parse_runner_output([stdout], ["os"])
    assert out.ended and out.results["os"].status is CheckStatus.OK


def test_check_failed_line_becomes_error_with_message() -> None:
    failed = {
        "msdiag_runner": "check_failed",
        "check": "identity",
        "message": "アクセスが拒否されました。",
        "elapsed_ms": 12,
    }
    out = parse_runner_output([line(START), line(failed), line(END)], ["identity"])
    result = out.results["identity"]
    assert result.status is CheckStatus.ERROR
    assert "アクセスが拒否されました" in (result.reason or "") and result.raw


def test_run_cut_short_marks_missing_checks() -> None:
    texts = [line(START), line(JA_JP["os"])]
    out = parse_runner_output(texts, ["os", "locale", "time"])
    assert not out.ended
    assert out.results["os"].status is CheckStatus.OK
    # the scan ended before these reported: not run (the diagnosis is then incomplete), never ok
    assert out.results["locale"].status is CheckStatus.NOT_RUN
    assert out.results["locale"].reason == NOT_REPORTED
    assert out.results["time"].reason == NOT_REPORTED


def test_truncated_document_is_attributed_to_its_check_with_raw_kept() -> None:
    truncated = line(JA_JP["network"])[:300]
    out = parse_runner_output([line(START), truncated, line(END)], ["network"])
    result = out.results["network"]
    assert result.status is CheckStatus.ERROR
    assert "not valid JSON" in (result.reason or "")
    assert result.raw == truncated


def test_wrong_types_are_errors_not_exceptions() -> None:
    bad = json.loads(json.dumps(EN_US["services"]))
    bad["data"]["services"][0]["status"] = 1  # 5.1 enum integer
    out = parse_runner_output([line(bad), line(END)], ["services"])
    assert out.results["services"].status is CheckStatus.ERROR
    assert out.results["services"].raw == line(bad)


@pytest.mark.parametrize(
    "hostile",
    [
        "[" * 100000,  # nesting bomb
        '{"check":"os","schema_version":1,"collected_utc":"x","data":' + '{"a":' * 5000 + "1" + "}" * 5001,
        "\x00\x01\x02 binary garbage",
        '{"check": ["os"]}',
        '{"msdiag_runner": {"x": 1}}',
        '{"msdiag_runner": "check_failed", "check": 7}',
        "null",
        "WARNING: 警告: something printed on stdout",
    ],
)
def test_hostile_lines_never_raise(hostile: str) -> None:
    out = parse_runner_output([line(START), hostile, line(JA_JP["os"]), line(END)], ["os"])
    assert out.results["os"].status in (CheckStatus.OK, CheckStatus.ERROR)
    assert out.ended


def test_huge_line_is_refused_but_kept_bounded() -> None:
    huge = '{"check":"os",' + '"pad":"' + "x" * (5 * 1024 * 1024) + '"}'
    out = parse_runner_output([huge, line(END)], ["os"])
    result = out.results["os"]
    assert result.status is CheckStatus.ERROR
    assert "too large" in (result.reason or "")
    assert result.raw is not None and len(result.raw) <= 262144


def test_stray_lines_are_bounded() -> None:
    noise = ["x" * 10000 for _ in range(MAX_STRAY * 3)]
    out = parse_runner_output([line(START), *noise, line(END)], ["os"])
    assert len(out.stray) == MAX_STRAY
    assert all(len(s) <= STRAY_CHARS for s in out.stray)


def test_line_count_is_bounded() -> None:
    out = parse_runner_output(["junk"] * (MAX_LINES + 100) + [line(JA_JP["os"]), line(END)], ["os"])
    assert out.results["os"].reason == NOT_REPORTED
    assert not out.ended


def test_unrequested_duplicate_and_late_documents_are_stray() -> None:
    texts = [line(JA_JP["os"]), line(EN_US["os"]), line(JA_JP["tls"]), line(END), line(JA_JP["locale"])]
    out = parse_runner_output(texts, ["os", "locale"])
    assert out.results["os"].document["data"]["computer_name"] == "TARO-PC"  # type: ignore[index]
    assert out.results["locale"].reason == NOT_REPORTED  # printed after "end"
    assert len(out.stray) == 3


def test_document_for_another_check_in_its_place_is_not_accepted() -> None:
    out = parse_runner_output([line(JA_JP["tls"]), line(END)], ["os"])
    assert out.results["os"].status is CheckStatus.NOT_RUN and out.results["os"].reason == NOT_REPORTED
