"""Ansible for the tests of integrations/ansible/, in a virtual environment of its own.

ansible-core, ansible-lint and pypsrp are pip-installed into ``.venv-ansible/`` (about 100 MB, a
few seconds from a warm cache); the collections the role uses (ansible.windows, and ansible.posix
for its JSON callbacks) are taken from the ``ansible`` community package's wheel (one 54 MB
download: installing that package would put 45,000 files and 550 MB of other collections on the
machine). None of it goes into msdiag's own [test] extra.

The environment is made once and reused while the pins below and in
integrations/ansible/requirements-dev.txt stay the same. When it cannot be made (no registry,
Python too old for ansible-core 2.19) the tests skip with the reason; under CI (``CI=true``) they
fail instead, and .ci/run makes it before the tests with ``python tests/support/ansible_env.py``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "integrations" / "ansible"
REQUIREMENTS = INTEGRATION / "requirements-dev.txt"
VENV = Path(os.environ.get("MSDIAG_ANSIBLE_VENV", ROOT / ".venv-ansible"))
#: The community package whose wheel carries the collections, and the collections taken from it.
COLLECTIONS_FROM = "ansible==12.3.0"
COLLECTIONS = ("ansible/windows/", "ansible/posix/")
INSTALL_TIMEOUT_S = 900


@dataclass(frozen=True)
class AnsibleTools:
    bin: Path
    collections: Path

    def env(self, **extra: str) -> dict[str, str]:
        """A child environment for the Ansible commands: no user config, the pinned collections only."""
        keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "USER")}
        return {
            **keep,
            "PATH": f"{self.bin}{os.pathsep}/usr/bin:/bin",
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            **extra,
        }


class AnsibleUnavailable(RuntimeError):
    """The Ansible environment could not be made (the message says why)."""


def _stamp() -> str:
    text = REQUIREMENTS.read_text(encoding="utf-8") + COLLECTIONS_FROM + "".join(COLLECTIONS) + sys.version
    return hashlib.sha256(text.encode()).hexdigest()


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AnsibleUnavailable(f"{command[0]} {command[1]}: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise AnsibleUnavailable(f"`{' '.join(command[:4])} ...` failed: {' / '.join(tail)}")


def _extract_collections(pip: Path, target: Path) -> None:
    with tempfile.TemporaryDirectory() as download:
        _run(
            [str(pip), "download", "-q", "--no-deps", "--only-binary=:all:", "-d", download, COLLECTIONS_FROM]
        )
        wheel = next(Path(download).glob("*.whl"), None)
        if wheel is None:
            raise AnsibleUnavailable(f"pip download {COLLECTIONS_FROM} gave no wheel")
        prefixes = tuple(f"ansible_collections/{name}" for name in COLLECTIONS)
        with zipfile.ZipFile(wheel) as archive:
            members = [m for m in archive.namelist() if m.startswith(prefixes) and ".." not in m]
            if not members:
                raise AnsibleUnavailable(f"{wheel.name} holds none of {', '.join(COLLECTIONS)}")
            archive.extractall(target, members)


def ensure() -> AnsibleTools:
    """The Ansible environment, made if missing or out of date; AnsibleUnavailable says why not."""
    if sys.version_info < (3, 11):
        raise AnsibleUnavailable("ansible-core 2.19 and ansible-lint 26 need Python 3.11 or newer")
    tools = AnsibleTools(bin=VENV / "bin", collections=VENV / "collections")
    ready = VENV / ".msdiag-ready"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / ".venv-ansible.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the suite and .ci/run may both ask for it
        if ready.is_file() and ready.read_text() == _stamp():
            return tools
        shutil.rmtree(VENV, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(VENV)])
        pip = VENV / "bin" / "pip"
        _run([str(pip), "install", "-q", "--disable-pip-version-check", "-r", str(REQUIREMENTS)])
        _extract_collections(pip, tools.collections)
        ready.write_text(_stamp())
    return tools


if __name__ == "__main__":
    try:
        made = ensure()
    except AnsibleUnavailable as exc:
        print(f"cannot make the Ansible test environment: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"Ansible test environment ready: {made.bin} (collections in {made.collections})")
