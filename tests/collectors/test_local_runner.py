"""The local runner's process boundary, with a stand-in `pwsh` on PATH (this machine has no PowerShell).

The stand-in is a real executable started through a real subprocess: it checks the arguments msdiag
passes, then behaves like a healthy, slow, failing, mis-encoded or runaway PowerShell.
"""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest
from support.stand_in import HOSTS, install_stand_in

from msdiag.capture.models import CheckStatus, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.local import LocalCollector, find_powershell
from msdiag.errors import CollectionError

STAND_IN = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys, time
    args = sys.argv[1:]
    assert "-NoProfile" in args and "-NonInteractive" in args, args
    script = args[args.index("-File") + 1]
    text = open(script, encoding="utf-8-sig").read()
    assert "Set-StrictMode" in text
    checks = args[args.index("-Checks") + 1].split(",")
    mode = os.environ.get("FAKE_PWSH_MODE", "healthy")
    capture = json.load(open(os.environ["FAKE_PWSH_CAPTURE"], encoding="utf-8"))
    out = sys.stdout.buffer
    def line(obj):
        out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\\n")
        out.flush()
    line({{"msdiag_runner": "start", "protocol": 1, "host": capture["host"], "ps_edition": "Core",
          "ps_version": "7.4.6", "utc": capture["collected_utc"]}})
    for i, name in enumerate(checks):
        doc = capture["checks"][name]["document"]
        if mode == "hang" and i == 2:
            time.sleep(600)
        if mode == "crash" and i == 3:
            sys.stderr.write("Get-CimInstance : Access denied\\r\\n")
            sys.exit(1)
        if mode == "cp932" and name == "locale":
            out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("cp932") + b"\\r\\n")
            continue
        if mode == "truncated" and name == "network":
            out.write(json.dumps(doc)[:200].encode() + b"\\n")
            continue
        if mode == "flood" and name == "time":
            chunk = b"x" * 1_000_000 + b"\\n"
            for _ in range(40):
                out.write(chunk)
            continue
        line(doc)
    line({{"msdiag_runner": "end", "elapsed_ms": 1234}})
    if mode == "stderr":
        sys.stderr.write("WARNING: something harmless\\n")
    """
)


@pytest.fixture()
def fake_pwsh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return install_stand_in(tmp_path, monkeypatch, STAND_IN)


def _collect(mode: str, monkeypatch: pytest.MonkeyPatch, timeout: float = 20.0) -> tuple:
    monkeypatch.setenv("FAKE_PWSH_MODE", mode)
    exe = find_powershell()
    started = time.monotonic()
    capture = LocalCollector(exe, timeout=timeout).collect(CHECK_NAMES)
    return capture, time.monotonic() - started


def test_healthy_scan_collects_every_check_in_one_process(
    fake_pwsh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture, _ = _collect("healthy", monkeypatch)
    assert capture.host_status.state is HostState.OK
    assert [n for n, r in capture.checks.items() if r.status is not CheckStatus.OK] == []
    expected = json.loads((HOSTS / "healthy-ja-jp.json").read_text(encoding="utf-8"))
    assert capture.host == expected["host"]
    assert capture.powershell is not None and capture.powershell.version == "7.4.6"
    assert capture.checks["locale"].document == expected["checks"]["locale"]["document"]


def test_selected_checks_only(fake_pwsh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_PWSH_MODE", "healthy")
    capture = LocalCollector(find_powershell(), timeout=20).collect(("os", "time"))
    assert capture.checks["os"].status is CheckStatus.OK
    assert capture.checks["time"].status is CheckStatus.OK
    assert capture.checks["proxy"].status is CheckStatus.NOT_RUN


def test_hang_is_stopped_at_the_deadline_keeping_what_arrived(
    fake_pwsh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture, elapsed = _collect("hang", monkeypatch, timeout=2.0)
    assert elapsed < 8
    assert capture.host_status.state is HostState.TIMEOUT
    assert capture.checks["os"].status is CheckStatus.OK
    assert capture.checks["locale"].status is CheckStatus.OK
    # never shown as collected: the ones after the hang did not run (the diagnosis is incomplete)
    assert capture.checks["time"].status is CheckStatus.NOT_RUN
    assert capture.checks["identity"].status is CheckStatus.NOT_RUN
    assert {"time", "identity"} <= set(capture.unfinished_checks)


def test_crash_with_stderr_becomes_script_error(fake_pwsh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _ = _collect("crash", monkeypatch)
    assert capture.host_status.state is HostState.SCRIPT_ERROR
    assert "Access denied" in (capture.host_status.detail or "")
    assert capture.checks["time"].status is CheckStatus.OK
    assert capture.checks["proxy"].status is CheckStatus.NOT_RUN and "proxy" in capture.unfinished_checks


def test_cp932_output_is_decoded_and_flagged(fake_pwsh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _ = _collect("cp932", monkeypatch)
    assert capture.checks["locale"].status is CheckStatus.OK
    culture = capture.checks["locale"].document["data"]["culture"]  # type: ignore[index]
    assert culture["display_name"] == "日本語 (日本)"
    assert any("cp932" in w for w in capture.warnings)


def test_truncated_document_is_an_error_with_raw_kept(
    fake_pwsh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture, _ = _collect("truncated", monkeypatch)
    network = capture.checks["network"]
    assert network.status is CheckStatus.ERROR
    assert network.raw and len(network.raw) == 200
    assert capture.host_status.state is HostState.BAD_OUTPUT
    assert capture.checks["endpoints"].status is CheckStatus.OK


def test_runaway_output_is_bounded(fake_pwsh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _ = _collect("flood", monkeypatch)
    assert capture.host_status.state is HostState.BAD_OUTPUT
    assert capture.checks["os"].status is CheckStatus.OK
    assert len(capture.model_dump_json()) < 2_000_000


def test_harmless_stderr_does_not_fail_the_scan(fake_pwsh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _ = _collect("stderr", monkeypatch)
    assert capture.host_status.state is HostState.OK


def test_no_powershell_is_a_clear_collection_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CollectionError) as info:
        find_powershell()
    assert "pwsh" in info.value.message and "msdiag scan --host" in info.value.message
    assert info.value.exit_code == 3
