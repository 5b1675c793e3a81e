"""What the scripts promise about whose facts they read and how probes end, checked in their text.

No PowerShell here: tests/ps/test_ps_real.py runs them for real where there is one (the Windows
workflow). These pin the structure that the Python side relies on.
"""

from __future__ import annotations

import re

import pytest
from support import reference_machine as reference
from support.pstools import all_script_sources

from msdiag.capture.user_context import CONSOLE_LOGON_TYPES, REMOTE_LOGON_TYPES, SERVICE_SIDS
from msdiag.checks import CHECKS, CHECKS_BY_NAME

SCRIPTS = all_script_sources()
COMMON = SCRIPTS["MsdiagCommon.ps1"]


@pytest.mark.parametrize("check", [c.name for c in CHECKS])
def test_per_user_checks_say_whose_facts_they_read(check: str) -> None:
    text = SCRIPTS[CHECKS_BY_NAME[check].script]
    says = "-UserContext $user.context" in text
    assert says == (check in reference.HIVE_CHECKS), check
    if says:
        assert "Get-MsdiagUserContext" in text
    # the session's own hive is never taken for the user's
    assert "HKCU:" not in text, f"{check} reads the scan account's HKCU"


def test_the_script_rule_uses_the_same_logon_types_and_service_accounts_as_python() -> None:
    body = COMMON[COMMON.index("function Select-MsdiagInteractiveUser") :]
    body = body[: body.index("\nfunction ")]
    assert f"@({', '.join(str(t) for t in sorted(CONSOLE_LOGON_TYPES))}) -contains" in body
    assert f"@({', '.join(str(t) for t in sorted(REMOTE_LOGON_TYPES))}) -contains" in body
    assert all(f"'{sid}'" in body for sid in SERVICE_SIDS)


def test_get_localuser_runs_only_on_windows_powershell() -> None:
    identity = SCRIPTS["Get-MsdiagIdentity.ps1"]
    guard = identity.index("$PSVersionTable.PSEdition -eq 'Desktop'")
    assert identity.index("Get-LocalUser -SID") > guard
    calls = [line for line in identity.splitlines() if "Get-LocalUser" in line and not line.strip().startswith("#")]
    assert [c.strip() for c in calls if "=" in c and "throw" not in c] == ["$localUser = Get-LocalUser -SID $sid"]


def test_a_native_program_is_waited_for_after_its_output_ends_before_it_is_stopped() -> None:
    body = COMMON[COMMON.index("function Invoke-MsdiagNativeCommand") :]
    body = body[: body.index("\nfunction ")]
    assert body.index("$process.WaitForExit($remaining)") < body.index("$process.Kill()")
    assert "timed_out = $true" in body and "exit_code = [int]$process.ExitCode" in body.replace("$result.", "")


def test_endpoints_never_writes_a_failure_into_dns_and_keeps_partial_steps() -> None:
    endpoints = SCRIPTS["Get-MsdiagEndpoints.ps1"]
    assert not re.search(r"dns\s*=\s*\[ordered\]@\{[^}]*error\s*=\s*\$(Message|failure)", endpoints)
    for step in ("dns", "tcp", "tls", "http"):
        assert f"$State['{step}'] = ${step}" in endpoints, step
    assert "timed_out_at = $StoppedAt" in endpoints and "timed_out_at = 'proxy_discovery'" in endpoints
    assert "$tcp.connect_status = [int]$Matches[1]" in endpoints


def test_endpoints_changes_the_security_protocol_only_inside_the_try_that_restores_it() -> None:
    endpoints = SCRIPTS["Get-MsdiagEndpoints.ps1"]
    block = endpoints[endpoints.index("Invoke-MsdiagProbe 'probes' {") :]
    change = block.index("[System.Net.ServicePointManager]::SecurityProtocol = $originalProtocols -bor")
    assert block.index("try {") < change < block.index("} finally {")
    assert block.index("if ($null -ne $originalProtocols)") > block.index("} finally {")


def test_tls_is_left_to_the_operating_system() -> None:
    endpoints = SCRIPTS["Get-MsdiagEndpoints.ps1"]
    assert "$ssl.AuthenticateAsClient($HostName)" in endpoints
    assert "SslProtocols]::Tls" not in endpoints and "'Tls13'" not in endpoints
