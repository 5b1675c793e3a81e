"""The Ansible tools for these tests (tests/support/ansible_env.py makes them on demand)."""

from __future__ import annotations

import os

import pytest
from support.ansible_env import AnsibleTools, AnsibleUnavailable, ensure


@pytest.fixture(scope="session")
def ansible_tools() -> AnsibleTools:
    try:
        return ensure()
    except AnsibleUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the Ansible checks, and their tools cannot be made: {exc}")
        pytest.skip(f"Ansible tools unavailable: {exc}")
