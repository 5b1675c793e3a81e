"""The lab answers Ansible's PowerShell module wrapper (the real pypsrp client, pipeline input over WinRM).

Ansible's psrp connection plugin (ansible-core 2.19 ``plugins/connection/psrp.py``) runs a Windows
module as one pipeline: the script ``bootstrap_wrapper.ps1`` with, as pipeline input, the lines of
``module_manifest.py``'s ``_get_bootstrap_input``: the exec wrapper's JSON, four NUL characters,
then the exec manifest (scripts in base64, actions ending with ``module_wrapper.ps1`` and the
module's ``complex_args``). The shapes below follow those files; tests/ansible/ runs the real
ansible-playbook against the lab.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pypsrp.exceptions import WSManFaultError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from msdiag.capture.models import Capture, HostState
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.capture_file import parse_capture_text
from msdiag.collectors.runner_script import build_runner
from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts
from msdiag.lab import shells as lab_shells
from msdiag.lab.responder import AMSI_MESSAGE

USER = "labuser"
PASSWORD = "Module-Wrapper-pw1"
#: The start of ansible-core's bootstrap_wrapper.ps1 (its comment is what the lab recognises).
BOOTSTRAP = """if ($PSVersionTable.PSVersion -lt [Version]"5.1") {
    '{"failed":true,"msg":"Ansible requires PowerShell v5.1"}'
    exit 1
}

# First input is a JSON string with name/script/params of what to run. This
# ends with a line of 4 null bytes and subsequent input is piped to the code
# provided.
$codeJson = foreach ($in in $input) { if ([string]::Equals($in, "`0`0`0`0")) { break }; $in }
"""
WIN_POWERSHELL = "ansible_collections.ansible.windows.plugins.modules.win_powershell.ps1"
COLLECTOR = build_runner(CHECK_NAMES, mode="capture").replace("\n", "\r\n")  # as export-script writes it

HOSTS = {
    "healthy": Faults(),
    "clm": Faults(constrained_language=True),
    "amsi": Faults(amsi_blocks=("proxy",)),
    "broken": Faults(script_error="Access is denied."),
    "cut": Faults(malformed_output=True),
}


def _reference() -> Capture:
    return next(h for h in load_lab_hosts() if h.name == "proxy-mismatch").capture


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    hosts = [LabHost(name, _reference(), faults) for name, faults in HOSTS.items()]
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as server:
        yield server


def _wrapper_input(module: str, arguments: dict[str, Any]) -> list[str]:
    bootstrap = {"name": "exec_wrapper", "script": "# exec_wrapper.ps1", "params": {"MinOSVersion": None,
                 "MinPSVersion": None, "TempPath": "C:\\Windows\\TEMP"}}  # fmt: skip
    module_source = base64.b64encode(b"#!powershell\n# the module").decode()
    manifest = {
        "scripts": {"module_wrapper.ps1": {"path": "module_wrapper.ps1", "script": module_source},
                    module: {"path": f"/collections/{module}", "script": module_source}},
        "actions": [{"name": "module_wrapper.ps1", "secure_params": {}, "params": {
            "Script": module, "Environment": {},
            "Variables": [{"Name": "complex_args", "Value": arguments, "Scope": "Global"}],
            "CSharpModules": ["Ansible.Basic.cs"], "PowerShellModules": [], "ForModule": True}}],
        "signed_hashlist": [],
    }  # fmt: skip
    text = f"{json.dumps(bootstrap, ensure_ascii=True)}\n\0\0\0\0\n{json.dumps(manifest)}"
    return text.splitlines()  # what the psrp connection plugin pipes in


def _arguments(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "script": COLLECTOR, "path": None, "parameters": {}, "depth": 2, "error_action": "continue",
        "_ansible_check_mode": False, "_ansible_no_log": True, "_ansible_tmpdir": "C:\\Windows\\TEMP\\ansible-tmp",
    }  # fmt: skip
    arguments.update(overrides)
    return arguments


def _run_module(lab: LabServer, host: str, piped: list[str]) -> list[Any]:
    with WSMan("127.0.0.1", port=lab.port_of(host), username=USER, password=PASSWORD, ssl=False, auth="ntlm",
               operation_timeout=5, read_timeout=10) as wsman, RunspacePool(wsman) as pool:  # fmt: skip
        ps = PowerShell(pool)
        ps.add_script(BOOTSTRAP)
        return list(ps.invoke(input=piped))


def _result(lab: LabServer, host: str, module: str = WIN_POWERSHELL, **arguments: Any) -> dict[str, Any]:
    output = _run_module(lab, host, _wrapper_input(module, _arguments(**arguments)))
    assert len(output) == 1 and isinstance(output[0], str), output
    result: dict[str, Any] = json.loads(output[0])
    return result


def test_the_collector_returns_the_machine_s_capture_as_one_string_in_output(lab: LabServer) -> None:
    result = _result(lab, "healthy")
    assert not result.get("failed") and result["error"] == []
    assert result["changed"] is True  # win_powershell's default; the role says changed_when false
    assert len(result["output"]) == 1 and isinstance(result["output"][0], str)
    capture = parse_capture_text(result["output"][0], source="win_powershell output")
    reference = _reference()
    assert capture.host == reference.host and capture.mode == "exported-script"
    assert capture.host_status.state is HostState.OK
    assert {n: r.document for n, r in capture.checks.items()} == {
        n: r.document for n, r in reference.checks.items()
    }


def test_check_mode_skips_the_collector_as_win_powershell_does(lab: LabServer) -> None:
    result = _result(lab, "healthy", _ansible_check_mode=True)
    assert result["msg"] == "skipped, running in check mode"
    assert result["output"] == [] and not result.get("failed")


def test_the_collector_s_checks_parameter_selects_checks_and_an_unknown_parameter_fails(
    lab: LabServer,
) -> None:
    result = _result(lab, "healthy", parameters={"Checks": "os,proxy"})
    capture = json.loads(result["output"][0])
    assert sorted(capture["checks"]) == ["os", "proxy"]
    failed = _result(lab, "healthy", parameters={"Verbose2": True})
    assert failed["failed"] is True and failed["output"] == []
    assert "Verbose2" in failed["error"][0]["exception"]["message"]


@pytest.mark.parametrize(
    ("module", "script", "why"),
    [
        (WIN_POWERSHELL, "Get-Process", "only msdiag's exported collector"),
        (WIN_POWERSHELL, COLLECTOR.replace("Read-only", "Read-write"), "only msdiag's exported collector"),
        ("ansible_collections.ansible.windows.plugins.modules.win_command.ps1", COLLECTOR, "win_command"),
    ],
    ids=["another-script", "an-altered-collector", "another-module"],
)
def test_anything_the_lab_cannot_answer_truthfully_fails_and_says_so(
    lab: LabServer, module: str, script: str, why: str
) -> None:
    result = _result(lab, "healthy", module=module, script=script)
    assert result["failed"] is True and "runs no PowerShell" in result["msg"] and why in result["msg"]
    assert "output" not in result or result["output"] == []


def test_a_host_s_faults_reach_the_module_result(lab: LabServer) -> None:
    amsi = _result(lab, "amsi")
    assert amsi["failed"] is True and amsi["error"][0]["exception"]["message"] == AMSI_MESSAGE
    broken = _result(lab, "broken")
    assert broken["failed"] is True and broken["error"][0]["exception"]["message"] == "Access is denied."
    clm = parse_capture_text(_result(lab, "clm")["output"][0])
    assert clm.host_status.state is HostState.CONSTRAINED_LANGUAGE
    assert all(r.status.value == "not_run" for r in clm.checks.values())
    cut = _result(lab, "cut")["output"][0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut)


def test_a_pipeline_with_input_that_is_not_the_module_wrapper_gets_no_output(lab: LabServer) -> None:
    with WSMan("127.0.0.1", port=lab.port_of("healthy"), username=USER, password=PASSWORD, ssl=False, auth="ntlm",
               operation_timeout=5, read_timeout=10) as wsman, RunspacePool(wsman) as pool:  # fmt: skip
        ps = PowerShell(pool)
        ps.add_script("$input | Measure-Object")
        assert ps.invoke(input=["one", "two"]) == []


def test_too_much_pipeline_input_is_refused_with_a_wsman_fault(
    lab: LabServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lab_shells, "MAX_INPUT_ITEMS", 3)
    with pytest.raises(WSManFaultError, match="too much pipeline input"):
        _run_module(lab, "healthy", [f"line {n}" for n in range(8)])
