"""Hostile output from a host or in a capture file: every documented bound holds, nothing crashes.

A number of 5,000 digits, 1,000 levels of nesting, a lone surrogate, a 5 Mi-character document and
half a million keys each make that check (or that file) an error with a clear reason; none of them
reaches the user as an internal error (exit 70).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.check_documents import EN_US

from msdiag.capture.models import CheckStatus
from msdiag.collectors.capture_file import load_capture, parse_capture_text
from msdiag.collectors.runner_output import parse_runner_output
from msdiag.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
HEALTHY = ROOT / "tests" / "fixtures" / "captures" / "healthy-en-us.json"
START = '{"msdiag_runner":"start","protocol":1,"host":"PC01","ps_edition":"Desktop","ps_version":"5.1","utc":"2026-11-25T01:02:03Z"}'
END = '{"msdiag_runner":"end","elapsed_ms":5}'
HUGE_NUMBER = "1" * 5000
DEEP = "[" * 1000 + "]" * 1000


def doc_line(check: str, extra_data: str = "") -> str:
    """The check's real document as the runner prints it, with ``extra_data`` spliced into its data."""
    text = json.dumps(EN_US[check], ensure_ascii=False, separators=(",", ":"))
    if extra_data:
        text = text.replace('"data":{', '"data":{' + extra_data + ",", 1)
    return text


def run_lines(*lines: str) -> dict[str, Any]:
    out = parse_runner_output([START, *lines, END], ["os", "locale"])
    return out.results


# ------------------------------------------------------------------ runner output (scan, fleet)


@pytest.mark.parametrize(
    ("hostile", "reason"),
    [
        (f'"zz":{HUGE_NUMBER}', "number of 5000 characters"),
        (f'"zz":-{HUGE_NUMBER}.5e3', "number of 5005 characters"),
        (f'"zz":{DEEP}', "nested too deeply"),
        ('"zz":' + "[" * 40 + "]" * 40, "nested deeper than 32 levels"),
        ('"zz":{' + ",".join(f'"k{i}":0' for i in range(120_000)) + "}", "more than 100,000 object members"),
    ],
    ids=["long-int", "long-float", "deep-1000", "deep-40", "many-keys"],
)
def test_hostile_check_line_makes_only_that_check_an_error(hostile: str, reason: str) -> None:
    results = run_lines(doc_line("os", hostile), doc_line("locale"))
    assert results["os"].status is CheckStatus.ERROR
    assert reason in (results["os"].reason or "")
    assert results["os"].raw  # kept (bounded) for the report
    assert results["locale"].status is CheckStatus.OK


def test_lone_surrogate_escape_is_replaced_and_the_check_stays_ok() -> None:
    line = doc_line("os").replace('"caption":"', '"caption":"\\ud800', 1)
    results = run_lines(line)
    assert results["os"].status is CheckStatus.OK
    assert results["os"].document is not None
    caption = results["os"].document["data"]["caption"]
    assert caption.startswith("\ufffd") and caption[1:] == EN_US["os"]["data"]["caption"]


def test_lone_surrogate_in_the_text_itself_is_replaced() -> None:
    # PSRP strings are decoded from CLIXML _xHHHH_ escapes: a hostile host can send half a pair
    line = doc_line("os").replace('"caption":"', '"caption":"\udc00', 1)
    results = run_lines(line, doc_line("locale", '"zz":' + HUGE_NUMBER + "\udc00"))
    assert results["os"].status is CheckStatus.OK
    assert results["os"].document["data"]["caption"].startswith("\ufffd")
    assert results["locale"].status is CheckStatus.ERROR
    json.dumps(results["locale"].model_dump(mode="json")).encode("utf-8")  # writable as UTF-8


def test_a_hostile_runner_line_is_ignored_not_fatal() -> None:
    out = parse_runner_output(
        [START.replace('"protocol":1', f'"protocol":{HUGE_NUMBER}'), doc_line("os"), END], ["os"]
    )
    assert out.results["os"].status is CheckStatus.OK
    assert "protocol" not in (out.start or {})


# ------------------------------------------------------------------ capture files (diagnose)


def healthy() -> dict[str, Any]:
    return json.loads(HEALTHY.read_text(encoding="utf-8"))


def with_os_data(data: dict[str, Any], splice: str) -> str:
    text = json.dumps(data)
    marker = '"caption": '
    assert marker in text
    return text.replace(marker, splice + ", " + marker, 1)


@pytest.mark.parametrize(
    ("splice", "reason"),
    [
        (f'"zz": {HUGE_NUMBER}', "number of 5000 characters"),
        ('"zz": ' + "[" * 300 + "]" * 300, "nested deeper than"),
        ('"zz": "' + "x" * (5 * 1024 * 1024) + '"', "characters (at most 4,194,304)"),
    ],
    ids=["long-number", "deep-300", "5-mi-document"],
)
def test_hostile_document_in_a_capture_file_makes_that_check_an_error(splice: str, reason: str) -> None:
    capture = parse_capture_text(with_os_data(healthy(), splice), "pc01.json")
    assert capture.checks["os"].status is CheckStatus.ERROR
    assert reason in (capture.checks["os"].reason or "")
    assert capture.checks["locale"].status is CheckStatus.OK
    capture.model_dump_json().encode("utf-8")  # every format can write it


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"format": "msdiag-capture", "duration_ms": ' + HUGE_NUMBER + "}", "number of 5000 characters"),
        ('{"format": "msdiag-capture", "zz": ' + DEEP + "}", "nested too deeply"),
        (
            '{"format": "msdiag-capture", "zz": {' + ",".join(f'"k{i}": 0' for i in range(500_001)) + "}}",
            "more than 400,000 object members",
        ),
    ],
    ids=["long-number", "deep-1000", "half-a-million-keys"],
)
def test_hostile_capture_envelope_is_a_clear_input_error(text: str, reason: str) -> None:
    with pytest.raises(InputError, match=r"pc01\.json") as caught:
        parse_capture_text(text, "pc01.json")
    assert reason in caught.value.message


def test_lone_surrogates_in_a_capture_file_become_replacement_characters() -> None:
    text = json.dumps(healthy()).replace('"caption": "', '"caption": "\\ud800', 1)
    text = text.replace('"host": "', '"host": "\\udfff', 1)
    capture = parse_capture_text(text, "pc01.json")
    assert capture.host.startswith("\ufffd")
    assert capture.checks["os"].status is CheckStatus.OK
    assert capture.checks["os"].document["data"]["caption"].startswith("\ufffd")


def test_utf16_capture_with_half_a_surrogate_pair_is_read(tmp_path: Path) -> None:
    # Windows PowerShell's `>` writes UTF-16 LE; a truncated pair there is one lone 0xD800 unit
    text = json.dumps(healthy(), ensure_ascii=False)
    raw = b"\xff\xfe" + text.replace('"caption": "', '"caption": "\ud800', 1).encode(
        "utf-16-le", "surrogatepass"
    )
    path = tmp_path / "utf16.json"
    path.write_bytes(raw)
    capture = load_capture(path)
    assert capture.checks["os"].status is CheckStatus.OK
    assert capture.checks["os"].document["data"]["caption"].startswith("\ufffd")


def msdiag(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MSDIAG_DEBUG": ""}
    return subprocess.run(
        [sys.executable, "-m", "msdiag", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_diagnose_of_hostile_captures_never_exits_70(tmp_path: Path) -> None:
    data = healthy()
    files = {
        "long-number.json": with_os_data(data, f'"zz": {HUGE_NUMBER}'),
        "deep-doc.json": with_os_data(data, '"zz": ' + DEEP),
        "deep-envelope.json": json.dumps(data).replace('"format"', '"zz": ' + DEEP + ', "format"', 1),
        "surrogate.json": json.dumps(data).replace('"caption": "', '"caption": "\\ud800', 1),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        for fmt in ("table", "json", "html"):
            proc = msdiag("diagnose", name, "--format", fmt, "--output", f"{name}.{fmt}", cwd=tmp_path)
            assert proc.returncode in (0, 1, 2), (name, fmt, proc.stderr[-500:])
            assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
