"""integrations/ansible/ passes `ansible-playbook --syntax-check` and ansible-lint's production profile.

The real tools, pinned in integrations/ansible/requirements-dev.txt, in their own environment.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from support.ansible_env import INTEGRATION, AnsibleTools

PLAYBOOK = "collect.yml"
ROLE_TASKS = Path("roles") / "msdiag_collect" / "tasks" / "main.yml"


def _run(tools: AnsibleTools, command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(tools.bin / command[0]), *command[1:]],
        cwd=cwd,
        env=tools.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_playbook_passes_syntax_check(ansible_tools: AnsibleTools) -> None:
    done = _run(
        ansible_tools,
        ["ansible-playbook", "-i", "inventory.example.yml", "--syntax-check", PLAYBOOK],
        INTEGRATION,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"playbook: {PLAYBOOK}" in done.stdout


def test_the_role_and_playbook_pass_ansible_lint_production_profile(ansible_tools: AnsibleTools) -> None:
    done = _run(ansible_tools, ["ansible-lint"], INTEGRATION)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Profile 'production' was required, and it passed" in output
    assert "0 failure(s), 0 warning(s)" in output


def test_ansible_lint_here_catches_what_the_production_profile_forbids(
    ansible_tools: AnsibleTools, tmp_path: Path
) -> None:
    # the same check on a copy with a builtin module's short name and a lower-case task name
    copy = tmp_path / "ansible"
    shutil.copytree(INTEGRATION, copy)
    tasks = copy / ROLE_TASKS
    text = tasks.read_text(encoding="utf-8")
    broken = text.replace("ansible.builtin.copy:", "copy:").replace(
        "- name: Run the msdiag collector on the host", "- name: run the msdiag collector on the host"
    )
    assert broken != text
    tasks.write_text(broken, encoding="utf-8")
    done = _run(ansible_tools, ["ansible-lint"], copy)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "fqcn[action-core]" in output
    assert "name[casing]" in output


def test_the_syntax_check_fails_on_a_task_naming_a_module_that_does_not_exist(
    ansible_tools: AnsibleTools, tmp_path: Path
) -> None:
    copy = tmp_path / "ansible"
    shutil.copytree(INTEGRATION, copy)
    tasks = copy / ROLE_TASKS
    tasks.write_text(
        tasks.read_text(encoding="utf-8").replace(
            "ansible.windows.win_powershell:", "ansible.windows.win_powershel:"
        ),
        encoding="utf-8",
    )
    done = _run(
        ansible_tools, ["ansible-playbook", "-i", "inventory.example.yml", "--syntax-check", PLAYBOOK], copy
    )
    assert done.returncode != 0
    assert "win_powershel" in done.stdout + done.stderr
