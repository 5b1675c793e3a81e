"""The terminal side of `scan` and `diagnose` (issue 13): width from the terminal, absolute paths of
the files written, --open, --all, the ticket next to the HTML, Japanese for `report` and `demo`,
and the scanning account masked in what a remote scan writes (issue 14 item 10)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fleet_results import results_file
from support.report_results import LAB_HOSTS, load_capture
from wcwidth import wcswidth

from msdiag.cli import main, reporting
from msdiag.cli.reporting import terminal_width
from msdiag.diagnosis.engine import diagnose
from msdiag.lab import LabHost, LabServer

CAPTURE = str(LAB_HOSTS / "proxy-mismatch.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of the real entry point (which always exits)."""
    try:
        main(list(args))
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0
    return (code, *capsys.readouterr())


@pytest.fixture(autouse=True)
def _english_and_no_terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MSDIAG_LANG", "LC_ALL", "LC_MESSAGES", "COLUMNS", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.mark.parametrize("columns", ["60", "80", "100"])
def test_the_table_fits_COLUMNS(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = run(capsys, "diagnose", CAPTURE, "--error", "0x800704cf", "--lang", "ja")
    assert code == 1
    assert max(wcswidth(line) for line in out.splitlines()) <= int(columns)
    assert max(wcswidth(line) for line in out.splitlines()) > int(columns) - 10  # and uses the room


def test_width_comes_from_the_real_terminal_else_80(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(reporting.shutil, "get_terminal_size", lambda fallback: os.terminal_size((132, 50)))
    assert terminal_width(Tty()) == 132
    assert terminal_width(io.StringIO()) == 80  # a pipe or a file
    monkeypatch.setenv("COLUMNS", "70")
    assert terminal_width(Tty()) == 70 and terminal_width(io.StringIO()) == 70


def test_paths_of_written_reports_are_absolute(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "diagnose", CAPTURE, "--format", "table,html,json", "--reports-dir", "out")
    assert code == 1
    written = re.findall(r"^report written: (.+)$", out, re.M)
    assert len(written) == 2
    for path in written:
        assert Path(path).is_absolute() and Path(path).is_file()
        assert Path(path).parent == tmp_path / "out"


def test_open_opens_the_html_report(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    opened: list[str] = []
    monkeypatch.setattr(reporting.webbrowser, "open", lambda url: opened.append(url) or True)
    code, out, err = run(capsys, "diagnose", CAPTURE, "--open", "--reports-dir", str(tmp_path))
    assert code == 1, err
    [html] = tmp_path.glob("*.html")  # --open wrote the HTML report although --format is the table
    assert opened == [html.absolute().as_uri()]
    assert "Verdict: PROBLEMS FOUND" in out  # the table still printed


def test_open_without_a_browser_says_where_the_report_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(reporting.webbrowser, "open", lambda url: False)
    code, _, err = run(capsys, "diagnose", CAPTURE, "--open", "--format", "html", "--reports-dir", str(tmp_path))
    assert code == 1
    [html] = tmp_path.glob("*.html")
    assert f"no browser could be started; open {html.absolute().as_uri()}" in err


def test_all_lists_what_passed(capsys: pytest.CaptureFixture[str]) -> None:
    _, short, _ = run(capsys, "diagnose", CAPTURE)
    _, full, _ = run(capsys, "diagnose", CAPTURE, "--all")
    assert "Active network adapter" not in short and "--all to list them" in short
    passed = sum(f.status.value == "pass" for f in diagnose(load_capture("proxy-mismatch")).findings)
    assert "Active network adapter" in full and f"Passed ({passed}):" in full


def test_the_ticket_next_to_the_html_names_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        capsys, "diagnose", CAPTURE, "--error", "0x800704cf", "--format", "html,ticket", "--reports-dir", str(tmp_path)
    )
    assert code == 1
    [html] = tmp_path.glob("*.html")
    ticket = out.split("report written:")[0]
    assert ticket.startswith("msdiag summary for a support ticket")
    assert f"Full report: {html.absolute()}" in ticket
    assert len(ticket.splitlines()) <= 40


def test_the_ticket_prints_and_goes_to_a_file_with_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out, _ = run(capsys, "diagnose", CAPTURE, "--format", "json,ticket", "--reports-dir", str(tmp_path))
    assert out.startswith("msdiag summary for a support ticket")  # printed; the JSON goes to a file
    assert [p.suffix for p in tmp_path.iterdir()] == [".json"]
    target = tmp_path / "ticket.txt"
    run(capsys, "diagnose", CAPTURE, "--format", "ticket", "--output", str(target))
    assert target.read_text(encoding="utf-8").startswith("msdiag summary for a support ticket")


@pytest.mark.parametrize("env", [{"LANG": "ja_JP.UTF-8"}, {"MSDIAG_LANG": "ja"}])
def test_report_follows_the_locale(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _, out, err = run(capsys, "report", str(results_file(tmp_path)), "--format", "table")
    assert "ホスト 7 台" in out and "結果: 問題あり 5" in out and "マスキング: 標準" in out, out + err
    assert "接続できません" in out  # the host state, translated
    _, out, _ = run(capsys, "report", str(results_file(tmp_path)), "--format", "table", "--lang", "en")
    assert "7 hosts: scanned 6, could not connect 1" in out


@pytest.mark.slow
def test_demo_follows_the_locale(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    code, out, err = run(capsys, "demo", "--reports-dir", str(tmp_path / "r"))
    assert code == 0, err
    assert "ラボのホスト 8 台をスキャンしました" in out
    assert "スキャンできませんでした: wrong-password-pc (ホストへのログオンを拒否)" in out
    for english in ("Fleet report:", "Host report:", "Results file:", "could not scan", "host(s) failing", "Done in"):
        assert english not in out
    fleet = Path(re.search(r"フリート レポート: (\S+)", out).group(1))  # type: ignore[union-attr]
    assert fleet.is_absolute() and fleet.is_file() and 'lang="ja"' in fleet.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the scanning account, over the lab
ACCOUNT = "svc-helpdesk07"
PASSWORD = "Kx9!lab-S3cret-pass"


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    capture = load_capture("proxy-mismatch")
    identity = capture.checks["identity"].document
    assert identity is not None
    # the host's own error text names the account msdiag connected with, and nothing else does
    identity["errors"] = [{"probe": "dsregcmd", "message": f"Access is denied for {ACCOUNT}", "category": "access_denied"}]
    with LabServer([LabHost("named", capture)], transport="http", username=ACCOUNT, password=PASSWORD) as server:
        yield server


def test_the_scanning_account_is_masked_in_what_a_scan_writes(lab: LabServer, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "msdiag", "scan", "--host", "127.0.0.1", "--port", str(lab.port_of("named")),
         "--transport", "http", "--auth", "ntlm", "--timeout", "30", "--username", ACCOUNT,
         "--format", "table,json,html,ticket", "--save-capture", "cap.json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "MSDIAG_PASSWORD": PASSWORD, "LANG": "C.UTF-8"},
    )
    assert proc.returncode == 1, proc.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".json", ".html"} and len(files) == 3
    for text in [proc.stdout, *(p.read_text(encoding="utf-8") for p in files)]:
        assert ACCOUNT not in text
    saved = json.loads((tmp_path / "cap.json").read_text(encoding="utf-8"))
    assert "Access is denied for user-" in json.dumps(saved["checks"]["identity"])
