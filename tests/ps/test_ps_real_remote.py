"""A real remote scan: msdiag over WinRM to a real Windows host (the Windows CI scans itself).

Skipped unless MSDIAG_TEST_WINRM_HOST names a host and MSDIAG_USERNAME / MSDIAG_PASSWORD hold an
account that may connect to its default PowerShell endpoint (.github/workflows/windows.yml
creates a local account with a random password in the step that runs this test). The lab tests
the protocol; this is the same client against Windows itself: the per-user context and culture
paths run for real.
"""

from __future__ import annotations

import os
from pathlib import Path

import jsonschema
import pytest
from support.msdiag_cli import run_msdiag

from msdiag.capture.models import Capture, CheckStatus, HostState
from msdiag.capture.schema import check_data_schema
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote

HOST = os.environ.get("MSDIAG_TEST_WINRM_HOST")

pytestmark = [
    pytest.mark.pwsh,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (HOST and os.environ.get("MSDIAG_USERNAME") and os.environ.get("MSDIAG_PASSWORD")),
        reason="no Windows host to scan (MSDIAG_TEST_WINRM_HOST, MSDIAG_USERNAME, MSDIAG_PASSWORD)",
    ),
]


def test_remote_scan_over_http_with_ntlm_collects_every_check() -> None:
    assert HOST is not None
    target = RemoteTarget(host=HOST, transport="http", auth="ntlm", timeout=180)
    credentials = Credentials(os.environ["MSDIAG_USERNAME"], os.environ["MSDIAG_PASSWORD"])
    capture = collect_remote(target, credentials, CHECK_NAMES)
    assert capture.host_status.state is HostState.OK, capture.host_status
    assert capture.connection is not None and capture.connection.auth == "ntlm"
    for name in CHECK_NAMES:
        result = capture.checks[name]
        assert result.status is CheckStatus.OK, f"{name}: {result.reason}\n{(result.raw or '')[:2000]}"
        jsonschema.Draft202012Validator(check_data_schema(name)).validate(result.document)
    assert os.environ["MSDIAG_PASSWORD"] not in capture.model_dump_json()


def test_msdiag_scan_host_command_saves_a_valid_capture(tmp_path: Path) -> None:
    saved = tmp_path / "remote-capture.json"
    remote = ["--host", str(HOST), "--transport", "http", "--auth", "ntlm", "--timeout", "180"]
    proc = run_msdiag("scan", *remote, "--redact", "none", "--save-capture", str(saved))
    assert proc.returncode in (0, 1), proc.stderr
    capture = Capture.model_validate_json(saved.read_text(encoding="utf-8"))
    assert capture.mode == "remote" and capture.host_status.state is HostState.OK, capture.host_status
    assert os.environ["MSDIAG_PASSWORD"] not in proc.stdout + proc.stderr
