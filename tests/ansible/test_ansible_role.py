"""integrations/ansible/ passes `ansible-playbook --syntax-check` and ansible-lint's production profile.

The real tools, pinned in integrations/ansible/requirements-dev.txt, in their own environment.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
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


def _syntax_check(tools: AnsibleTools, folder: Path) -> subprocess.CompletedProcess[str]:
    return _run(
        tools, ["ansible-playbook", "-i", "inventory.example.yml", "--syntax-check", PLAYBOOK], folder
    )


def _copy_with_tasks_edited(tmp_path: Path, edits: dict[str, str]) -> Path:
    """integrations/ansible/ copied, the role's tasks with each ``old`` replaced by ``new``."""
    copy = tmp_path / "ansible"
    shutil.copytree(INTEGRATION, copy)
    tasks = copy / ROLE_TASKS
    text = tasks.read_text(encoding="utf-8")
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new)
    tasks.write_text(text, encoding="utf-8")
    return copy


def test_the_playbook_passes_syntax_check(ansible_tools: AnsibleTools) -> None:
    done = _syntax_check(ansible_tools, INTEGRATION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"playbook: {PLAYBOOK}" in done.stdout


def test_the_role_and_playbook_pass_ansible_lint_production_profile(ansible_tools: AnsibleTools) -> None:
    done = _run(ansible_tools, ["ansible-lint"], INTEGRATION)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Profile 'production' was required, and it passed" in output
    assert "0 failure(s), 0 warning(s)" in output


@pytest.mark.parametrize(
    ("edits", "check", "expected"),
    [
        (
            # a builtin module's short name, a task name in lower case
            {
                "ansible.builtin.copy:": "copy:",
                "- name: Run the msdiag collector on the host": "- name: run the msdiag collector on the host",
            },
            "lint",
            ["fqcn[action-core]", "name[casing]"],
        ),
        ({"ansible.windows.win_powershell:": "ansible.windows.win_powershel:"}, "syntax", ["win_powershel"]),
    ],
    ids=["lint-rejects-short-names-and-lower-case", "syntax-check-rejects-an-unknown-module"],
)
def test_the_checks_reject_a_copy_of_the_role_with_a_fault(
    ansible_tools: AnsibleTools, tmp_path: Path, edits: dict[str, str], check: str, expected: list[str]
) -> None:
    copy = _copy_with_tasks_edited(tmp_path, edits)
    done = (
        _run(ansible_tools, ["ansible-lint"], copy) if check == "lint" else _syntax_check(ansible_tools, copy)
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert all(text in output for text in expected), output
