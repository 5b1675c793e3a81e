"""The remote collector package: its public names, and a target that costs no transport import.

The package-wide shape (no import cycles, module size, no private-name imports) is checked by
tests/test_architecture.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import msdiag.collectors.remote


def test_remote_package_exports_its_public_names() -> None:
    remote = msdiag.collectors.remote
    for name in remote.__all__:
        value = getattr(remote, name)
        assert not name.startswith("_") and value is not None
    assert set(remote.__all__) <= set(dir(remote))
    with pytest.raises(AttributeError):
        remote.not_a_name  # noqa: B018


def test_remote_target_is_importable_without_the_transport_stack() -> None:
    # the CLI builds and validates targets before any scan: that must not cost the pypsrp import
    code = (
        "import sys\n"
        "from msdiag.collectors.remote import RemoteTarget, validate_target\n"
        "validate_target(RemoteTarget(host='pc01.corp.example.jp'))\n"
        "loaded = sorted(m for m in ('pypsrp', 'requests', 'spnego') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == ""
