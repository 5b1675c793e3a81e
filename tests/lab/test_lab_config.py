"""Lab host configuration (captures + TOML faults), the runner answer, and `msdiag lab serve`."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan
from support.lab_serve import start_lab_serve

from msdiag.capture.models import CheckResult, CheckStatus
from msdiag.errors import InputError
from msdiag.lab import Faults, load_lab_hosts
from msdiag.lab.config import builtin_hosts_dir
from msdiag.lab.responder import runner_lines


def _copy_host(tmp_path: Path, name: str, as_name: str | None = None) -> None:
    source = builtin_hosts_dir() / f"{name}.json"
    (tmp_path / f"{as_name or name}.json").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


def test_builtin_hosts_load_with_no_faults() -> None:
    hosts = load_lab_hosts()
    names = [h.name for h in hosts]
    assert "healthy-ja-jp" in names and names == sorted(names)
    assert all(h.faults == Faults() for h in hosts)


def test_faults_from_lab_toml_and_per_host_file(tmp_path: Path) -> None:
    _copy_host(tmp_path, "healthy-ja-jp", "pc01")
    _copy_host(tmp_path, "healthy-ja-jp", "pc02")
    (tmp_path / "lab.toml").write_text(
        '[hosts.pc01]\nlatency_ms = 200\nwsman_fault = { code = 2150859173, message = "MaxShellsPerUser" }\n'
        "[hosts.pc02]\nhang = true\n",
        encoding="utf-8",
    )
    (tmp_path / "pc02.faults.toml").write_text(
        'script_error = "ファイルが見つかりません"\n', encoding="utf-8"
    )
    hosts = {h.name: h for h in load_lab_hosts(tmp_path)}
    assert hosts["pc01"].faults.latency_ms == 200
    assert (
        hosts["pc01"].faults.wsman_fault is not None and hosts["pc01"].faults.wsman_fault.code == 0x803381A5
    )
    assert hosts["pc02"].faults == Faults(script_error="ファイルが見つかりません")  # the host's own file wins


@pytest.mark.parametrize(
    "toml",
    [
        "[hosts.pc01]\nlatency_ms = -5\n",
        "[hosts.pc01]\nexplode = true\n",
        "[hosts.ghost]\nhang = true\n",
        "[hosts",
    ],
)
def test_bad_fault_files_are_input_errors(tmp_path: Path, toml: str) -> None:
    _copy_host(tmp_path, "healthy-ja-jp", "pc01")
    (tmp_path / "lab.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(InputError):
        load_lab_hosts(tmp_path)


def test_bad_capture_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "pc01.json").write_text('{"format": "msdiag-capture"', encoding="utf-8")
    with pytest.raises(InputError, match=r"pc01\.json"):
        load_lab_hosts(tmp_path)


def test_runner_lines_cover_every_check_outcome() -> None:
    capture = next(h for h in load_lab_hosts() if h.name == "healthy-ja-jp").capture.model_copy(deep=True)
    capture.checks["tls"] = CheckResult(
        status=CheckStatus.ERROR, reason="validation: data.dotnet", raw="{oops"
    )
    capture.checks["identity"] = CheckResult(status=CheckStatus.ERROR, reason="dsregcmd が見つかりません")
    capture.checks["services"] = CheckResult(status=CheckStatus.NOT_RUN, reason="not selected")
    lines = runner_lines(capture, ["os", "tls", "identity", "services"])
    assert json.loads(lines[0])["host"] == capture.host
    # each check that ran: check_start, then its outcome (runner protocol 2)
    started = [json.loads(lines[i]) for i in (1, 3, 5)]
    assert started == [{"msdiag_runner": "check_start", "check": c} for c in ("os", "tls", "identity")]
    assert json.loads(lines[2]) == capture.checks["os"].document
    assert lines[4] == "{oops"  # raw kept as the script printed it
    failed = json.loads(lines[6])
    assert failed == {
        "msdiag_runner": "check_failed",
        "check": "identity",
        "message": "dsregcmd が見つかりません",
        "elapsed_ms": 0,
    }
    assert json.loads(lines[7])["msdiag_runner"] == "end"  # services never started
    assert len(lines) == 8


@pytest.mark.slow
def test_lab_serve_prints_addresses_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    password = "Serve-Test-Pw-7"
    env = {**os.environ, "MSDIAG_LAB_USERNAME": "tester", "MSDIAG_LAB_PASSWORD": password}
    inventory = tmp_path / "inv.csv"
    proc, text = start_lab_serve(tmp_path, "--inventory", str(inventory), env=env, wait_s=20)
    try:
        assert "healthy-ja-jp" in text and "http://127.0.0.1:" in text
        assert password not in text  # given through the environment: never printed
        row = next(r for r in inventory.read_text(encoding="utf-8").splitlines() if "healthy-ja-jp" in r)
        host, port = row.split(",")[:2]
        assert host == "127.0.0.1"
        with (
            WSMan(
                host,
                port=int(port),
                username="tester",
                password=password,
                ssl=False,
                auth="ntlm",
                operation_timeout=3,
                read_timeout=6,
            ) as conn,
            RunspacePool(conn) as pool,
        ):
            ps = PowerShell(pool)
            ps.add_script("runner").add_parameter("Checks", ["os"])
            assert json.loads(ps.invoke()[1])["check"] == "os"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "stopped" in out
        assert password not in out + err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
