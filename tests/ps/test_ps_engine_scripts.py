"""`msdiag export-script --for intune|configmgr`: scripts that parse, lint and use only 5.1 commands,
print the compact line last, and exit 1 only for Intune and only on a known fault."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.pstools import catalog_problems, lint, syntax_problems

from msdiag.engines.engine_script import TARGETS, build_engine_script


@pytest.mark.parametrize("target", TARGETS)
def test_the_engine_script_passes_the_script_checks(target: str) -> None:
    text = build_engine_script(target)  # type: ignore[arg-type]
    assert syntax_problems(text) == []
    assert lint(text) == []  # 5.1 compatible, read-only, unattended (no Write-Host)
    assert catalog_problems(text) == []
    assert "@@MSDIAG" not in text
    assert "$msdiagRunnerMode = 'capture'" in text


@pytest.mark.parametrize("target", TARGETS)
def test_the_compact_line_is_the_last_thing_written(target: str) -> None:
    text = build_engine_script(target)  # type: ignore[arg-type]
    # the last two statements: the line to the output stream, then the exit; nothing after them
    assert text.rstrip().splitlines()[-2:] == ["$msdiagLine", "exit $msdiagExit"]
    # the runner's other streams are dropped, and the preferences keep cmdlets quiet
    assert "& $msdiagRunner 3>$null 4>$null 5>$null 6>$null" in text
    for preference in (
        "$ProgressPreference",
        "$WarningPreference",
        "$VerbosePreference",
        "$InformationPreference",
    ):
        assert f"{preference} = 'SilentlyContinue'" in text


def test_only_intune_exits_1_on_a_fault() -> None:
    intune, configmgr = build_engine_script("intune"), build_engine_script("configmgr")
    assert "$msdiagCompactTarget = 'intune'" in intune and "$msdiagCompactTarget = 'configmgr'" in configmgr
    assert re.search(
        r"if \(\$msdiagCompactTarget -eq 'intune' -and @\(\$msdiagView\['fa'\]\)\.Count -gt 0\) \{\s+\$msdiagExit = 1",
        intune,
    )
    assert intune.count("$msdiagExit = 1") == 1  # a failed collection exits 0: no remediation for it


def test_cli_writes_an_ascii_crlf_script_under_the_size_limit(tmp_path: Path) -> None:
    target = tmp_path / "detect.ps1"
    proc = subprocess.run(
        [sys.executable, "-m", "msdiag", "export-script", "--for", "intune", "--output", str(target)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = target.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and data.decode("ascii")  # UTF-8 without a BOM: plain ASCII
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert len(data) < 200 * 1024  # platform scripts: "less than 200 KB (ASCII)" (docs/compact-format.md)
    assert "2,048" in proc.stderr


def test_cli_refuses_an_unknown_engine() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "msdiag", "export-script", "--for", "sccm"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "intune" in proc.stderr
