"""Locked-down and defended hosts end to end: the real pypsrp client, the lab's WinRM/PSRP endpoint.

The lab answers as such a host's PowerShell would (msdiag/lab/responder.py): Constrained Language
Mode, antivirus (AMSI) refusing one check's or one helper file's script, a runner stopped with a
terminating error half-way. Each must end as one clear host status, with every check that could
still run kept, in ONE pipeline (the lab counts them).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from msdiag.capture.models import Capture, CheckStatus, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.collectors.runner_output import UNFINISHED
from msdiag.collectors.runner_script import build_runner
from msdiag.errors import InputError
from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts
from msdiag.lab.config import builtin_hosts_dir
from msdiag.lab.responder import AMSI_MESSAGE

USER = "LAB\\helpdesk"
PASSWORD = "L0ckd0wn-Lab-pw"
CREDS = Credentials(USER, PASSWORD)

HOSTS = {
    "healthy": Faults(),
    "clm": Faults(constrained_language=True),
    "amsi-proxy": Faults(amsi_blocks=("proxy",)),
    "amsi-wininet": Faults(amsi_blocks=("MsdiagWinInet.ps1",)),
    "stops-in-time": Faults(stop_during="time", script_error="The pipeline has been stopped."),
}


def _reference() -> Capture:
    return next(h for h in load_lab_hosts() if h.name == "healthy-ja-jp").capture


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    capture = _reference()
    hosts = [LabHost(name, capture, faults) for name, faults in HOSTS.items()]
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as server:
        yield server


def _scan(lab: LabServer, name: str) -> Capture:
    target = RemoteTarget(host="127.0.0.1", port=lab.port_of(name), transport="http", auth="ntlm", timeout=20)
    return collect_remote(target, CREDS, CHECK_NAMES)


def _one_pipeline(lab: LabServer, name: str, before: int) -> None:
    stats = lab.host_stats(name)
    assert stats.commands == before + 1, "the scan must stay one pipeline"
    assert stats.shells_created == stats.shells_deleted


def test_healthy_host_is_one_pipeline_with_every_check(lab: LabServer) -> None:
    before = lab.host_stats("healthy").commands
    capture = _scan(lab, "healthy")
    assert capture.host_status.state is HostState.OK, capture.host_status
    assert all(capture.checks[n].status is CheckStatus.OK for n in CHECK_NAMES)
    _one_pipeline(lab, "healthy", before)


def test_constrained_language_is_one_clear_status_and_no_check_is_shown_as_run(lab: LabServer) -> None:
    before = lab.host_stats("clm").commands
    capture = _scan(lab, "clm")
    status = capture.host_status
    assert status.state is HostState.CONSTRAINED_LANGUAGE
    assert "ConstrainedLanguage" in (status.detail or "") and "AppLocker" in (status.detail or "")
    assert "export-script" in (status.hint or "") and "Do not turn the policy off" in (status.hint or "")
    for name in CHECK_NAMES:
        result = capture.checks[name]
        assert result.status is CheckStatus.NOT_RUN, name
        assert "ConstrainedLanguage mode" in (result.reason or "")
    Capture.model_validate_json(capture.model_dump_json())
    _one_pipeline(lab, "clm", before)


def test_antivirus_blocking_one_check_loses_only_that_check(lab: LabServer) -> None:
    before = lab.host_stats("amsi-proxy").commands
    capture = _scan(lab, "amsi-proxy")
    assert capture.host_status.state is HostState.BLOCKED_BY_ANTIVIRUS
    assert f"1 of {len(CHECK_NAMES)} checks" in (capture.host_status.detail or "") and "proxy" in (
        capture.host_status.detail or ""
    )
    assert "Do not turn the antivirus off" in (capture.host_status.hint or "")
    proxy = capture.checks["proxy"]
    assert proxy.status is CheckStatus.BLOCKED
    assert proxy.reason == f"blocked by antivirus software (AMSI) before it ran: {AMSI_MESSAGE}"
    reference = _reference()
    for name in CHECK_NAMES:
        if name != "proxy":
            assert capture.checks[name].status is CheckStatus.OK, name
            assert capture.checks[name].document == reference.checks[name].document
    _one_pipeline(lab, "amsi-proxy", before)  # found without another round trip


def test_a_blocked_helper_file_blocks_exactly_the_checks_that_need_it(lab: LabServer) -> None:
    capture = _scan(lab, "amsi-wininet")
    blocked = sorted(n for n in CHECK_NAMES if capture.checks[n].status is CheckStatus.BLOCKED)
    assert blocked == ["endpoints", "proxy"]  # the two checks that load MsdiagWinInet.ps1
    assert "MsdiagWinInet.ps1" in (capture.checks["proxy"].reason or "")
    assert all(capture.checks[n].status is CheckStatus.OK for n in CHECK_NAMES if n not in blocked)
    assert capture.host_status.state is HostState.BLOCKED_BY_ANTIVIRUS


def test_the_same_block_loses_every_check_when_the_checks_are_part_of_the_script(lab: LabServer) -> None:
    # What isolation buys: the self-contained runner (export-script's form, every check embedded)
    # is one script for AMSI, refused as a whole before any of it runs.
    options: dict[str, Any] = dict(
        username=USER, password=PASSWORD, ssl=False, auth="ntlm", operation_timeout=3, read_timeout=6
    )
    with WSMan("127.0.0.1", port=lab.port_of("amsi-proxy"), **options) as wsman, RunspacePool(wsman) as pool:
        ps = PowerShell(pool)
        ps.add_script(build_runner(CHECK_NAMES)).add_parameter("Checks", list(CHECK_NAMES))
        output = ps.invoke()
    assert output == []
    assert ps.had_errors
    assert any(AMSI_MESSAGE in str(record) for record in ps.streams.error)


def test_a_runner_refused_as_a_whole_is_reported_as_blocked(
    lab: LabServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # msdiag's own runner refused (here: a runner with the checks embedded, as before isolation)
    monkeypatch.setattr(
        "msdiag.collectors.remote.session.cached_runner", lambda checks: build_runner(list(checks))
    )
    capture = _scan(lab, "amsi-proxy")
    assert capture.host_status.state is HostState.BLOCKED_BY_ANTIVIRUS
    assert "before any of it ran" in (capture.host_status.detail or "")
    assert AMSI_MESSAGE in (capture.host_status.detail or "")
    for name in CHECK_NAMES:
        assert capture.checks[name].status is CheckStatus.NOT_RUN
        assert capture.checks[name].reason == "the scan did not run (blocked_by_antivirus)"


def test_a_runner_stopped_during_a_check_leaves_it_and_the_rest_unfinished(lab: LabServer) -> None:
    capture = _scan(lab, "stops-in-time")
    assert capture.host_status.state is HostState.SCRIPT_ERROR
    order = list(CHECK_NAMES)
    stopped = order.index("time")
    for name in order[:stopped]:
        assert capture.checks[name].status is CheckStatus.OK, name
    # the check the runner was in when it stopped: started, never finished, never a pass
    assert capture.checks["time"].status is CheckStatus.NOT_RUN
    assert capture.checks["time"].reason == UNFINISHED
    for name in order[stopped + 1 :]:
        assert capture.checks[name].status is not CheckStatus.OK, name


def test_locked_down_faults_load_from_a_hosts_folder_and_bad_names_are_refused(tmp_path: Path) -> None:
    shutil.copyfile(builtin_hosts_dir() / "healthy-ja-jp.json", tmp_path / "pc-clm.json")
    shutil.copyfile(builtin_hosts_dir() / "healthy-ja-jp.json", tmp_path / "pc-av.json")
    (tmp_path / "lab.toml").write_text(
        "[hosts.pc-clm]\nconstrained_language = true\n\n"
        '[hosts.pc-av]\namsi_blocks = ["proxy", "MsdiagWinInet.ps1"]\nstop_during = "tls"\n',
        encoding="utf-8",
    )
    faults = {host.name: host.faults for host in load_lab_hosts(tmp_path)}
    assert faults["pc-clm"].active() == ["constrained_language"]
    assert faults["pc-av"].amsi_blocks == ("proxy", "MsdiagWinInet.ps1")
    assert faults["pc-av"].active() == ["amsi_blocks=proxy,MsdiagWinInet.ps1", "stop_during=tls"]
    (tmp_path / "pc-av.faults.toml").write_text('amsi_blocks = ["Get-MsdiagProxy.ps1"]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"not a check or helper file name: Get-MsdiagProxy\.ps1"):
        load_lab_hosts(tmp_path)
