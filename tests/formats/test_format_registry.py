"""The format registries: what each format declares, name parsing, and a new format needing no CLI edit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.report_results import load_capture

from msdiag.cli import main
from msdiag.diagnosis.models import DiagnosisResult
from msdiag.errors import ExitCode, InputError
from msdiag.formats.catalog import FLEET_FORMATS, HOST_FORMATS
from msdiag.formats.interface import FormatRegistry, RenderOptions, Stdout

ROOT = Path(__file__).resolve().parents[2]


def test_the_registries_hold_the_shipped_formats_in_help_order() -> None:
    assert HOST_FORMATS.names() == ("table", "json", "html", "ticket")
    assert FLEET_FORMATS.names() == ("table", "json", "html", "csv")
    for registry in (HOST_FORMATS, FLEET_FORMATS):
        for fmt in registry:
            assert fmt.name == fmt.name.lower() and fmt.extension.isalnum() and fmt.summary
            assert isinstance(fmt.stdout, Stdout)
    # the routing the README documents, as the formats declare it
    assert [f.name for f in HOST_FORMATS if f.prints_alone] == ["table", "json", "ticket"]
    assert [f.name for f in FLEET_FORMATS if not f.prints_alone] == ["html", "csv"]


def test_parsing_names() -> None:
    assert [f.name for f in FLEET_FORMATS.parse(["html", "CSV,table", "csv"])] == ["html", "csv", "table"]
    for bad in ("", " , ", "pdf", "table,xml"):
        with pytest.raises(InputError) as info:
            FLEET_FORMATS.parse(bad)
        assert info.value.exit_code is ExitCode.USAGE
    with pytest.raises(InputError, match="'pdf'; use table, json, html, csv"):
        FLEET_FORMATS.parse("table,pdf")


def test_a_second_format_with_the_same_name_is_refused() -> None:
    registry: FormatRegistry[DiagnosisResult] = FormatRegistry("report", "a,b")
    registry.add(HOST_FORMATS.get("json"))
    with pytest.raises(ValueError, match="two report formats are named 'json'"):
        registry.add(HOST_FORMATS.get("json"))


def markdown(report: DiagnosisResult, options: RenderOptions) -> str:
    """A throwaway format: registering it is all the CLI needs to offer and route it."""
    return f"# {report.capture.host}: {report.verdict}\n"


def test_a_registered_format_is_taken_by_the_cli_without_editing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(HOST_FORMATS, "_formats", dict(HOST_FORMATS._formats))
    HOST_FORMATS.register("markdown", extension="md", stdout=Stdout.NEVER, summary="a ticket")(markdown)
    capture = tmp_path / "pc.json"
    capture.write_text(load_capture("clock-skew").model_dump_json(), encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["diagnose", str(capture), "--format", "markdown", "--reports-dir", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert info.value.code in (0, 1), err
    [written] = (tmp_path / "out").glob("msdiag-*.md")
    assert written.read_text(encoding="utf-8").startswith("# ")
    assert f"report written: {written}" in out


def _mypy(source: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("mypy") is None and not (Path(sys.executable).parent / "mypy").exists():
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    path = tmp_path / "snippet.py"
    path.write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--cache-dir",
         str(tmp_path / "cache"), str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


SNIPPET = '''
from __future__ import annotations

from msdiag.diagnosis.models import DiagnosisResult
from msdiag.formats.interface import HOST_FORMATS, RenderOptions, Stdout, assert_never


@HOST_FORMATS.register("markdown", extension="md",{stdout} summary="a ticket")
def markdown(report: DiagnosisResult, options: RenderOptions) -> str:
    return ""


def where(policy: Stdout) -> str:
    if policy is Stdout.ALWAYS:
        return "stdout"
{alone}    if policy is Stdout.NEVER:
        return "file"
    assert_never(policy)
'''


def test_an_incomplete_format_or_a_missing_branch_fails_the_type_check(tmp_path: Path) -> None:
    broken = _mypy(SNIPPET.format(stdout="", alone=""), tmp_path)
    assert broken.returncode == 1, broken.stdout
    assert 'Missing named argument "stdout" for "register"' in broken.stdout
    assert 'Argument 1 to "assert_never" has incompatible type "Literal[Stdout.ALONE]"' in broken.stdout
    complete = _mypy(
        SNIPPET.format(
            stdout=" stdout=Stdout.NEVER,",
            alone='    if policy is Stdout.ALONE:\n        return "stdout when alone"\n',
        ),
        tmp_path,
    )
    assert complete.returncode == 0, complete.stdout
