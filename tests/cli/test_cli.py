"""The CLI as a user meets it: real subprocesses, exit codes, and no tracebacks on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOSTS = ROOT / "msdiag" / "lab" / "hosts"


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "msdiag", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
    )


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_help_documents_exit_codes() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for line in (
        "0  nothing failed",
        "1  at least one finding failed",
        "2  usage or input error",
        "3  collection failed",
        "4  fleet scan",
    ):
        assert line in proc.stdout


def test_checks_lists_every_check() -> None:
    proc = run("checks")
    assert proc.returncode == 0
    for name in ("os", "locale", "time", "proxy", "network", "endpoints", "services", "tls", "identity"):
        assert f"\n{name} " in proc.stdout


def test_scan_without_powershell_explains_and_exits_3(tmp_path: Path) -> None:
    proc = run("scan", env={"PATH": str(tmp_path)}, cwd=tmp_path)
    assert proc.returncode == 3
    assert_no_traceback(proc)
    assert "no PowerShell found" in proc.stderr and "pwsh" in proc.stderr
    assert "msdiag scan --host" in proc.stderr


def test_unknown_check_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("scan", "--checks", "os,bogus", cwd=tmp_path)
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert "bogus" in proc.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"hello": 1}', "not an msdiag capture"),
        ('{"format": "msdiag-capture", "checks": {}}', "invalid capture envelope"),
    ],
)
def test_malformed_capture_file_is_a_clear_input_error(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    proc = run("diagnose", str(bad), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert_no_traceback(proc)
    assert message in proc.stderr


def test_missing_capture_file(tmp_path: Path) -> None:
    proc = run("diagnose", str(tmp_path / "nope.json"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "not found" in proc.stderr
    assert_no_traceback(proc)


def test_diagnose_capture_as_json_to_stdout(tmp_path: Path) -> None:
    proc = run("diagnose", str(HOSTS / "wlidsvc-disabled.json"), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    result = json.loads(proc.stdout)
    failed = {f["id"] for f in result["findings"] if f["status"] == "fail"}
    assert "services.wlidsvc_disabled" in failed


def test_diagnose_healthy_capture_exits_0(tmp_path: Path) -> None:
    proc = run("diagnose", str(HOSTS / "healthy-ja-jp.json"), "--format", "table", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_unparseable_error_code_is_rejected_before_anything_runs(tmp_path: Path) -> None:
    proc = run("diagnose", str(HOSTS / "healthy-ja-jp.json"), "--error", "hello there", cwd=tmp_path)
    assert proc.returncode == 2
    assert_no_traceback(proc)


def test_unwritable_capture_path_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "file-not-dir"
    target.write_text("x", encoding="utf-8")
    proc = run(
        "diagnose",
        str(HOSTS / "healthy-ja-jp.json"),
        "--format",
        "json",
        "--output",
        str(target / "out.json"),
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert_no_traceback(proc)
