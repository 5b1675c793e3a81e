"""Where reports go (msdiag/cli/output.py): stdout, reports/, --output; never overwriting; clear
errors; colour rules."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from support.report_results import hand_result, load_capture

from msdiag.cli.output import capture_timestamp, safe_host_for_filename
from msdiag.cli.reporting import write_reports
from msdiag.diagnosis.models import DiagnosisResult
from msdiag.errors import ExitCode, InputError
from msdiag.formats.catalog import HOST_FORMATS


@pytest.fixture(scope="module")
def result() -> DiagnosisResult:
    return hand_result(load_capture("pii"))


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _write(result: DiagnosisResult, formats: list[str], tmp: Path, **kw: object) -> tuple[list[Path], str]:
    out = io.StringIO()
    params: dict[str, Any] = {
        "output": None,
        "lang": "en",
        "redaction": "standard",
        "show_phone": False,
        "reports_dir": tmp / "reports",
        "stdout": out,
    }
    params.update(kw)
    paths = write_reports(result, formats, **params)
    return paths, out.getvalue()


def test_parse_formats() -> None:
    assert [f.name for f in HOST_FORMATS.parse("table")] == ["table"]
    assert [f.name for f in HOST_FORMATS.parse(" JSON , html,json")] == ["json", "html"]
    for bad in ("", "pdf", "table,xml", "csv"):  # csv is a fleet format only
        with pytest.raises(InputError) as info:
            HOST_FORMATS.parse(bad)
        assert info.value.exit_code is ExitCode.USAGE


def test_single_json_goes_to_stdout(result: DiagnosisResult, tmp_path: Path) -> None:
    paths, text = _write(result, ["json"], tmp_path)
    assert paths == [] and json.loads(text)["redaction"] == "standard"
    assert not (tmp_path / "reports").exists()


def test_html_goes_to_reports_with_host_and_capture_time(result: DiagnosisResult, tmp_path: Path) -> None:
    paths, text = _write(result, ["html"], tmp_path)
    assert [p.name for p in paths] == ["msdiag-YAMADA-TARO-PC-20261125T010203Z.html"]
    assert f"report written: {paths[0]}" in text
    assert paths[0].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_several_formats_table_to_stdout_rest_to_files(result: DiagnosisResult, tmp_path: Path) -> None:
    paths, _ = _write(result, ["table", "json", "html"], tmp_path, stdout=Tty())
    assert sorted(p.suffix for p in paths) == [".html", ".json"]
    for path in paths:
        assert "\x1b[" not in path.read_text(encoding="utf-8")  # files never get colour


def test_never_overwrites_reports(result: DiagnosisResult, tmp_path: Path) -> None:
    first, _ = _write(result, ["html"], tmp_path)
    second, _ = _write(result, ["html"], tmp_path)
    assert first[0] != second[0] and second[0].name.endswith("-2.html")
    assert first[0].exists() and second[0].exists()


def test_output_path_exactly_one_format_and_no_overwrite(result: DiagnosisResult, tmp_path: Path) -> None:
    target = tmp_path / "ticket.json"
    _write(result, ["json"], tmp_path, output=target)
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"] == 1
    with pytest.raises(InputError, match=r"ticket\.json"):
        _write(result, ["json"], tmp_path, output=target)
    with pytest.raises(InputError, match="exactly one format"):
        _write(result, ["json", "html"], tmp_path, output=tmp_path / "x")


def test_unwritable_path_is_an_input_error(result: DiagnosisResult, tmp_path: Path) -> None:
    # /proc refuses new files even to root (CI runs as root, so permission bits prove nothing)
    with pytest.raises(InputError, match="cannot"):
        _write(result, ["html"], tmp_path, output=Path("/proc/msdiag-report.html"))
    with pytest.raises(InputError, match="cannot"):
        _write(result, ["html"], tmp_path, reports_dir=Path("/proc/msdiag-reports"))


def test_directory_or_missing_parent_is_an_input_error(result: DiagnosisResult, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot"):
        _write(result, ["html"], tmp_path, output=tmp_path / "file" / "r.html")  # parent is a file
    with pytest.raises(InputError):
        _write(result, ["json"], tmp_path, output=tmp_path)  # a directory


def test_colour_only_on_a_terminal_without_no_color(
    result: DiagnosisResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, piped = _write(result, ["table"], tmp_path)
    assert "\x1b[" not in piped
    tty = Tty()
    _write(result, ["table"], tmp_path, stdout=tty)
    assert "\x1b[1;31m" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    tty = Tty()
    _write(result, ["table"], tmp_path, stdout=tty)
    assert "\x1b[" not in tty.getvalue()


def test_file_name_parts_are_safe() -> None:
    assert safe_host_for_filename("<script>alert('x')</script>\x1b[2J") == "script_alert_x_script_2J"
    assert safe_host_for_filename("../../etc/passwd") == "etc_passwd"
    assert safe_host_for_filename("...") == "host"
    assert capture_timestamp("2026-11-25T10:02:03.5630000+09:00") == "20261125T010203Z"
    assert capture_timestamp("garbage") == "unknown-time"


def test_bad_language_is_an_input_error(result: DiagnosisResult, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="language"):
        _write(result, ["table"], tmp_path, lang="fr")
