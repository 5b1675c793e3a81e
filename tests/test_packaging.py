"""The wheel carries the PowerShell scripts and works installed outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from msdiag.checks import CHECKS, HELPER_SCRIPTS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheels = list(out.glob("msdiag-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_contains_every_script_and_the_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for check in CHECKS:
        assert f"msdiag/ps_scripts/{check.script}" in names
    assert "msdiag/ps_scripts/Invoke-MsdiagRunner.ps1" in names
    for helper in HELPER_SCRIPTS:
        assert f"msdiag/ps_scripts/{helper}" in names
    assert "msdiag/capture/capture.schema.json" in names
    assert any(n.startswith("msdiag/lab/hosts/") and n.endswith(".json") for n in names)
    assert any(n.startswith("msdiag/knowledge/entries/") and n.endswith(".toml") for n in names)
    for asset in ("templates/rich.html.j2", "static/report.css", "static/fleet.css", "html_labels.toml", "fact_labels.toml"):
        assert f"msdiag/formats/{asset}" in names  # the HTML reports' templates, styles and words


@pytest.mark.slow
def test_installed_wheel_finds_its_scripts_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies come from this test environment (read-only .pth path, not its editable install);
    # msdiag itself only from the wheel.
    Path(target, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    msdiag = env_dir / "bin" / "msdiag"
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    listed = subprocess.run(
        [str(msdiag), "checks", "--format", "json"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    payload = json.loads(listed.stdout)
    assert payload["scripts_dir"].startswith(target)
    assert all(c["bundled"] for c in payload["checks"])
    exported = subprocess.run(
        [str(msdiag), "export-script"], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert exported.returncode == 0, exported.stderr
    assert "Set-StrictMode" in exported.stdout and "Get-TimeZone" in exported.stdout
