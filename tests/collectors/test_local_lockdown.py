"""Local scans of locked-down and defended machines, with a stand-in `pwsh` on PATH.

The stand-in is a real executable started through a real subprocess. It checks what msdiag hands
the runner (the runner file without any check in it, the checks as a -SourcePath JSON file), then
answers as PowerShell does on such a machine: refused by an execution policy set by Group Policy,
refused by antivirus (AMSI) as a whole, running the runner in Constrained Language Mode, or
running it with one check blocked. The refusal texts are PowerShell's, as public transcripts show
them (/work/research/samples/facts.md sections 5-7).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from support.stand_in import HOSTS, install_stand_in

from msdiag.capture.models import Capture, CheckResult, CheckStatus, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.local import LocalCollector, find_powershell

AMSI_EN = "This script contains malicious content and has been blocked by your antivirus software."

# Windows PowerShell 5.1 (-File, the runner file refused by an AllSigned policy from Group Policy).
POLICY_51 = (
    "File C:\\Users\\taro\\AppData\\Local\\Temp\\msdiag-k2x\\Invoke-MsdiagScan.ps1 cannot be loaded. The file "
    "C:\\Users\\taro\\AppData\\Local\\Temp\\msdiag-k2x\\Invoke-MsdiagScan.ps1 is not digitally signed. You cannot "
    "run this script on the current system. For more information about running scripts and setting execution "
    "policy, see about_Execution_Policies at https:/go.microsoft.com/fwlink/?LinkID=135170.\r\n"
    "    + CategoryInfo          : SecurityError: (:) [], PSSecurityException\r\n"
    "    + FullyQualifiedErrorId : UnauthorizedAccess\r\n"
)
# PowerShell 7 prints the same message without the CategoryInfo lines (ConciseView).
POLICY_7 = (
    "/tmp/msdiag-k2x/Invoke-MsdiagScan.ps1: File /tmp/msdiag-k2x/Invoke-MsdiagScan.ps1 cannot be loaded. "
    "The file /tmp/msdiag-k2x/Invoke-MsdiagScan.ps1 is not digitally signed. You cannot run this script on "
    "the current system. For more information about running scripts and setting execution policy, see "
    "about_Execution_Policies at https://go.microsoft.com/fwlink/?LinkID=135170.\n"
)
# A Japanese Windows PowerShell 5.1: the sentence is translated, the error record lines are not.
POLICY_JA = (
    "ファイル C:\\Users\\taro\\AppData\\Local\\Temp\\msdiag-k2x\\Invoke-MsdiagScan.ps1 はデジタル署名されていません。"
    "このスクリプトはシステムで実行されません。\r\n"
    "    + CategoryInfo          : SecurityError: (:) [], PSSecurityException\r\n"
    "    + FullyQualifiedErrorId : UnauthorizedAccess\r\n"
)
# The runner file refused by AMSI, Japanese Windows (the gist transcript in facts.md section 7).
AMSI_RUNNER_JA = (
    "発生場所 行:1 文字:1\r\n+ <#\r\n+ ~~\r\n"
    "このスクリプトには、悪質なコンテンツが含まれているため、ウイルス対策ソフトウェアによりブロックされています。\r\n"
    "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\r\n"
    "    + FullyQualifiedErrorId : ScriptContainedMaliciousContent\r\n"
)

STAND_IN = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys
    args = sys.argv[1:]
    assert "-NoProfile" in args and "-ExecutionPolicy" in args, args
    runner = open(args[args.index("-File") + 1], encoding="utf-8-sig").read()
    # the runner carries no check: the checks arrive as data, to be compiled one by one
    assert "$msdiagChecks['" not in runner and "Write-MsdiagDocument -Check" not in runner
    units = json.load(open(args[args.index("-SourcePath") + 1], encoding="utf-8"))["units"]
    by_name = {{unit["name"]: unit for unit in units}}
    checks = args[args.index("-Checks") + 1].split(",")
    assert all(by_name[name]["kind"] == "check" for name in checks)
    mode = os.environ["FAKE_PWSH_MODE"]
    if mode in ("policy-51", "policy-7", "policy-ja", "amsi-runner"):
        sys.stderr.buffer.write(os.environ["FAKE_PWSH_STDERR"].encode("utf-8"))
        sys.exit(1)
    capture = json.load(open(os.environ["FAKE_PWSH_CAPTURE"], encoding="utf-8"))
    def line(obj):
        sys.stdout.buffer.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\\n")
        sys.stdout.flush()
    start = {{"msdiag_runner": "start", "protocol": 2, "host": capture["host"], "ps_edition": "Desktop",
             "ps_version": "5.1.22621.4391", "utc": capture["collected_utc"], "language_mode": "FullLanguage"}}
    if mode == "clm":
        line(dict(start, language_mode="ConstrainedLanguage"))
        line({{"msdiag_runner": "end", "elapsed_ms": 0, "stopped": "language_mode"}})
        sys.exit(0)
    line(start)
    for name in checks:
        line({{"msdiag_runner": "check_start", "check": name}})
        if mode == "amsi-proxy" and "Resolve-MsdiagInternetSettingsScope -Scope" in by_name[name]["text"]:
            line({{"msdiag_runner": "check_blocked", "check": name, "by": "antimalware",
                  "message": os.environ["FAKE_AMSI_MESSAGE"], "elapsed_ms": 4}})
            continue
        if mode == "stops" and name == "time":
            sys.stderr.write("The pipeline has been stopped.\\n")
            sys.exit(1)
        line(capture["checks"][name]["document"])
    line({{"msdiag_runner": "end", "elapsed_ms": 1234}})
    """
)


@pytest.fixture()
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FAKE_AMSI_MESSAGE", AMSI_EN)
    return install_stand_in(tmp_path, monkeypatch, STAND_IN)


def _scan(
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    stderr: str = "",
    on_result: Callable[[str, CheckResult], None] | None = None,
) -> Capture:
    monkeypatch.setenv("FAKE_PWSH_MODE", mode)
    monkeypatch.setenv("FAKE_PWSH_STDERR", stderr)
    return LocalCollector(find_powershell(), timeout=20, on_result=on_result).collect(CHECK_NAMES)


@pytest.mark.parametrize(
    ("mode", "stderr"), [("policy-51", POLICY_51), ("policy-7", POLICY_7), ("policy-ja", POLICY_JA)]
)
def test_execution_policy_from_group_policy_is_explained_not_worked_around(
    stand_in: Path, monkeypatch: pytest.MonkeyPatch, mode: str, stderr: str
) -> None:
    capture = _scan(monkeypatch, mode, stderr)
    status = capture.host_status
    detail, hint = status.detail or "", status.hint or ""
    assert status.state is HostState.EXECUTION_POLICY
    assert "Group Policy" in detail and "AllSigned" in detail
    assert ("not digitally signed" in detail) or ("デジタル署名されていません" in detail)
    assert "Set-AuthenticodeSignature" in hint and "does not work around" in hint
    for name in CHECK_NAMES:
        result = capture.checks[name]
        assert result.status is CheckStatus.NOT_RUN
        assert result.reason == "the scan did not run (execution_policy)"


def test_a_runner_file_refused_by_antivirus_is_blocked_not_a_script_error(
    stand_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = _scan(monkeypatch, "amsi-runner", AMSI_RUNNER_JA)
    status = capture.host_status
    assert status.state is HostState.BLOCKED_BY_ANTIVIRUS
    assert "ウイルス対策ソフトウェアによりブロックされています" in (status.detail or "")
    assert all(r.status is CheckStatus.NOT_RUN for r in capture.checks.values())


def test_constrained_language_mode_is_one_status(stand_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture = _scan(monkeypatch, "clm")
    assert capture.host_status.state is HostState.CONSTRAINED_LANGUAGE
    assert all(r.status is CheckStatus.NOT_RUN for r in capture.checks.values())
    assert "ConstrainedLanguage mode" in (capture.checks["os"].reason or "")


def test_checks_blocked_by_antivirus_are_marked_and_the_rest_are_kept(
    stand_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, CheckResult]] = []
    capture = _scan(monkeypatch, "amsi-proxy", on_result=lambda name, result: seen.append((name, result)))
    assert capture.host_status.state is HostState.BLOCKED_BY_ANTIVIRUS
    checks = capture.checks
    assert [n for n in CHECK_NAMES if checks[n].status is CheckStatus.BLOCKED] == ["proxy", "endpoints"]
    assert [n for n in CHECK_NAMES if checks[n].status is CheckStatus.OK] == [
        n for n in CHECK_NAMES if n not in ("proxy", "endpoints")
    ]
    assert AMSI_EN in (checks["proxy"].reason or "")
    expected = json.loads((HOSTS / "healthy-ja-jp.json").read_text(encoding="utf-8"))
    assert checks["locale"].document == expected["checks"]["locale"]["document"]
    # progress hears one outcome per check, as it arrives; check_start lines are not outcomes
    assert [name for name, _ in seen] == list(CHECK_NAMES)
    assert dict(seen)["proxy"].status is CheckStatus.BLOCKED


def test_a_runner_stopped_during_a_check_never_shows_it_as_run(
    stand_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = _scan(monkeypatch, "stops")
    checks = capture.checks
    assert capture.host_status.state is HostState.SCRIPT_ERROR
    assert checks["locale"].status is CheckStatus.OK
    assert checks["time"].status is CheckStatus.NOT_RUN
    assert "started but did not finish" in (checks["time"].reason or "")
    assert all(checks[n].status is not CheckStatus.OK for n in CHECK_NAMES[CHECK_NAMES.index("time") :])
