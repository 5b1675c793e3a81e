"""`msdiag demo`: a real fleet scan of the lab hosts; the command writes the reports it announces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.cli_run import run


@pytest.mark.slow
def test_demo_writes_the_fleet_report_and_the_host_report_it_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "demo", "--reports-dir", str(tmp_path / "reports"))
    assert code == 0, err
    fleet = Path(re.search(r"Fleet report:\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    host = Path(re.search(r"Host report:\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    results = Path(re.search(r"Results file:\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    assert fleet.parent == results.parent == tmp_path / "reports"
    page = fleet.read_text(encoding="utf-8")
    assert host.is_file() and host.relative_to(fleet.parent).as_posix() in page  # linked from the fleet page
    assert "could not scan offline-pc" in out and "could not scan wrong-password-pc" in out


def test_demo_with_an_unusable_reports_folder_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "demo", "--reports-dir", "/proc/msdiag-demo")
    assert code == 2 and "cannot create the report folder /proc/msdiag-demo" in err
