"""The playbook end to end: real ansible-playbook, its psrp connection (real pypsrp, NTLM, message
encryption) and ansible.windows.win_powershell's module wrapper, against lab hosts.

The lab runs no PowerShell: for the module wrapper it answers what win_powershell returns when the
script is msdiag's exported collector on the captured machine (msdiag/lab/ansible_module.py). So
this checks everything around the collector: the role, the connection, the module's arguments and
result, check mode, failures and unreachable hosts, the capture files on the controller and that
msdiag reads them; the collector itself is checked by tests/ps/.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.ansible_env import INTEGRATION, AnsibleTools

from msdiag.collectors.capture_file import load_capture
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import Status
from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts

pytestmark = pytest.mark.slow

USER = "labuser"
PASSWORD = "Ansible-Lab-pw:9"
HEALTHY = ("healthy-ja-jp", "proxy-mismatch")
SCRIPT_ERROR = "The term 'Get-CimInstance' is not recognized as the name of a cmdlet."


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    hosts = {h.name: h for h in load_lab_hosts()}
    served = [hosts[name] for name in HEALTHY]
    served.append(LabHost("pc-broken", hosts["healthy-ja-jp"].capture, Faults(script_error=SCRIPT_ERROR)))
    served.append(LabHost("pc-gone", hosts["healthy-ja-jp"].capture, Faults(refuse_connection=True)))
    with LabServer(served, transport="http", username=USER, password=PASSWORD) as server:
        yield server


@pytest.fixture(scope="module")
def project(lab: LabServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """integrations/ansible/ copied, with the collector made by the documented command and an
    inventory of the lab hosts (the password in an owner-only inventory, never on a command line)."""
    folder = tmp_path_factory.mktemp("ansible") / "ansible"
    folder.parent.chmod(0o700)
    shutil.copytree(INTEGRATION, folder)
    script = folder / "roles" / "msdiag_collect" / "files" / "msdiag-collect.ps1"
    made = subprocess.run(
        [sys.executable, "-m", "msdiag", "export-script", "--output", str(script)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    hosts = {e.name: {"ansible_port": e.port} for e in lab.endpoints()}
    inventory = {
        "windows": {
            "hosts": hosts,
            "vars": {
                "ansible_host": "127.0.0.1",
                "ansible_connection": "psrp",
                "ansible_psrp_protocol": "http",
                "ansible_psrp_auth": "ntlm",
                "ansible_psrp_message_encryption": "always",
                "ansible_user": USER,
                "ansible_password": PASSWORD,
                "ansible_psrp_connection_timeout": 5,
                "ansible_psrp_operation_timeout": 5,
                "ansible_psrp_read_timeout": 10,
            },
        }
    }
    path = folder / "lab-inventory.json"
    path.write_text(json.dumps(inventory), encoding="utf-8")
    path.chmod(0o600)
    return folder


def _playbook(tools: AnsibleTools, project: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    done = subprocess.run(
        [str(tools.bin / "ansible-playbook"), "-i", "lab-inventory.json", "collect.yml", *args],
        cwd=project,
        env=tools.env(ANSIBLE_STDOUT_CALLBACK="ansible.posix.jsonl", ANSIBLE_FORKS="4"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, events, done.stdout + done.stderr


def _results(events: list[dict[str, Any]], task: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """host -> (event, result) of one task's runner events."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for event in events:
        if event["_event"].startswith("v2_runner_on_") and event["task"]["name"].endswith(task):
            for host, result in event["hosts"].items():
                found[host] = (event["_event"], result)
    return found


@pytest.fixture(scope="module")
def collected(ansible_tools: AnsibleTools, project: Path) -> tuple[int, list[dict[str, Any]], str]:
    return _playbook(ansible_tools, project)


def test_every_reachable_host_s_capture_lands_on_the_controller_owner_only(
    collected: tuple[int, list[dict[str, Any]], str], project: Path
) -> None:
    _rc, _events, output = collected
    folder = project / "msdiag-captures"
    assert sorted(p.name for p in folder.iterdir()) == [f"{name}.json" for name in HEALTHY], output
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_captures_load_and_diagnose_as_the_machines_they_came_from(
    collected: tuple[int, list[dict[str, Any]], str], project: Path
) -> None:
    hosts = {h.name: h.capture for h in load_lab_hosts()}
    for name in HEALTHY:
        capture = load_capture(project / "msdiag-captures" / f"{name}.json")
        original = hosts[name]
        assert capture.mode == "exported-script"
        assert capture.host == original.host
        assert {n: r.document for n, r in capture.checks.items()} == {
            n: r.document for n, r in original.checks.items()
        }
        failing = {f.id for f in diagnose(capture).findings if f.status is Status.FAIL}
        assert failing == {f.id for f in diagnose(original).findings if f.status is Status.FAIL}
    proxy = load_capture(project / "msdiag-captures" / "proxy-mismatch.json")
    assert any(f.status is Status.FAIL and f.id.startswith("proxy.") for f in diagnose(proxy).findings)


def test_the_collector_task_reports_no_change_and_failures_say_why(
    collected: tuple[int, list[dict[str, Any]], str],
) -> None:
    rc, events, output = collected
    assert rc != 0, "a failed and an unreachable host must fail the run"
    run = _results(events, "Run the msdiag collector on the host")
    for name in HEALTHY:
        event, result = run[name]
        assert event == "v2_runner_on_ok" and result["changed"] is False
    # the broken host ran the module, which failed; the role's check says why, without the capture
    assert run["pc-broken"][0] == "v2_runner_on_ok"
    checked = _results(events, "Check that the collector printed one capture")
    event, result = checked["pc-broken"]
    assert event == "v2_runner_on_failed"
    assert SCRIPT_ERROR in result["msg"]
    # nothing listens on pc-gone's port: unreachable, and the others went on without it
    assert run["pc-gone"][0] == "v2_runner_on_unreachable" or any(
        e["_event"] == "v2_runner_on_unreachable" and "pc-gone" in e["hosts"] for e in events
    ), output
    stats = next(e for e in events if e["_event"] == "v2_playbook_on_stats")["stats"]
    assert stats["pc-gone"]["unreachable"] == 1 and stats["pc-broken"]["failures"] == 1
    assert all(stats[name]["failures"] == 0 and stats[name]["unreachable"] == 0 for name in HEALTHY)


def test_neither_the_capture_nor_the_password_reaches_ansible_s_output_by_default(
    collected: tuple[int, list[dict[str, Any]], str],
) -> None:
    _rc, events, output = collected
    assert PASSWORD not in output
    hosts = {h.name: h.capture for h in load_lab_hosts()}
    for name in HEALTHY:
        assert hosts[name].host not in output  # the computer name is in the capture only
    run = _results(events, "Run the msdiag collector on the host")
    assert "output" not in run["healthy-ja-jp"][1]


def test_with_log_capture_the_callback_output_holds_each_capture_as_one_json_string(
    ansible_tools: AnsibleTools, project: Path, lab: LabServer
) -> None:
    rc, events, output = _playbook(
        ansible_tools, project, "-e", "msdiag_collect_log_capture=true", "--limit", ",".join(HEALTHY)
    )
    assert rc == 0, output
    assert PASSWORD not in output
    run = _results(events, "Run the msdiag collector on the host")
    hosts = {h.name: h.capture for h in load_lab_hosts()}
    for name in HEALTHY:
        result = run[name][1]
        assert isinstance(result["output"], list) and len(result["output"]) == 1
        document = json.loads(result["output"][0])
        assert document["format"] == "msdiag-capture" and document["host"] == hosts[name].host
        # the collector is read from the controller's file; its 100 kB text is not echoed back
        assert result["invocation"]["module_args"]["script"] is None


def test_check_mode_connects_runs_nothing_and_saves_nothing(
    ansible_tools: AnsibleTools, project: Path, lab: LabServer, tmp_path: Path
) -> None:
    dest = tmp_path / "check-mode-captures"
    before = lab.host_stats("healthy-ja-jp").commands
    rc, events, output = _playbook(
        ansible_tools, project, "--check", "-e", f"msdiag_collect_dest={dest}", "--limit", ",".join(HEALTHY)
    )
    assert rc == 0, output
    assert not dest.exists()
    run = _results(events, "Run the msdiag collector on the host")
    for name in HEALTHY:
        event, result = run[name]
        assert event == "v2_runner_on_ok" and result["changed"] is False
    # the module wrapper did reach the host (a preflight of connection, login and PowerShell)
    assert lab.host_stats("healthy-ja-jp").commands > before
    saved = _results(events, "Write the capture file, readable by its owner only")
    assert all(event == "v2_runner_on_skipped" for event, _ in saved.values())


def test_msdiag_ingest_reads_the_captures_folder_and_the_callback_output(
    collected: tuple[int, list[dict[str, Any]], str], project: Path, tmp_path: Path
) -> None:
    """Every host once: the healthy ones from their capture files, the failed and the unreachable
    one from Ansible's own JSON Lines output (the role keeps captures out of it by default)."""
    _, events, _ = collected
    callback = tmp_path / "run.jsonl"
    callback.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    results = tmp_path / "fleet.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "msdiag", "ingest", str(project / "msdiag-captures"), str(callback),
         "--results", str(results)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    states = {r["target"]["host"]: r["capture"]["host_status"]["state"] for r in records}
    assert states == {"healthy-ja-jp": "ok", "proxy-mismatch": "ok", "pc-broken": "script_error", "pc-gone": "unreachable"}
