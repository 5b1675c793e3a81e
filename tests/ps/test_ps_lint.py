"""The 5.1-compatibility and read-only rules, on the real scripts and on bad snippets."""

from __future__ import annotations

import pytest
from support.pstools import all_script_sources, lint

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.runner_script import build_runner

SCRIPTS = all_script_sources()

GOOD_HEADER = """<#
.SYNOPSIS
    test
.DESCRIPTION
    test
.NOTES
    Read-only.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest
"""


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_follows_the_rules(name: str) -> None:
    assert lint(SCRIPTS[name]) == []


def test_composed_runner_follows_the_rules() -> None:
    assert lint(build_runner(CHECK_NAMES, mode="capture")) == []


def test_good_snippet_is_clean() -> None:
    assert lint(GOOD_HEADER + "Get-Service -Name W32Time | Select-Object -Property Name\n") == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("gci C:\\ | Out-Null\n", "alias 'gci'"),
        ("$a | ? { $_ } | % { $_ }\n", "alias '?'"),
        ("Get-Process | select Name\n", "alias 'select'"),
        ("Set-ItemProperty -Path HKCU:\\X -Name A -Value 1\n", "Set-ItemProperty changes"),
        ("New-Item -Path C:\\x\n", "New-Item changes"),
        ("Remove-Item C:\\x\n", "Remove-Item changes"),
        ("Stop-Service W32Time\n", "Stop-Service changes"),
        ("Restart-Service W32Time\n", "Restart-Service changes"),
        ("Start-Service wlidsvc\n", "Start-Service changes"),
        ("Clear-DnsClientCache\n", "Clear-DnsClientCache changes"),
        ("Rename-Item a b\n", "Rename-Item changes"),
        ("Move-Item a b\n", "Move-Item changes"),
        ("Copy-Item a b\n", "Copy-Item changes"),
        ("'x' | Out-File C:\\x.txt\n", "Out-File changes"),
        ("Add-Content -Path a -Value b\n", "Add-Content changes"),
        ("Set-Content -Path a -Value b\n", "Set-Content changes"),
        ("[Microsoft.Win32.Registry]::SetValue('HKEY_CURRENT_USER\\X', 'a', 1)\n", "writes the registry"),
        ("$key = Get-Item HKCU:\\X\n$key.CreateSubKey('y')\n", "writes the registry"),
        ("$key.DeleteValue('y')\n", "writes the registry"),
        ("Get-Date > C:\\x.txt\n", "redirection to a file"),
        ("Get-Date && Get-Date\n", "PowerShell 7 only"),
        ("Get-Date || Get-Date\n", "PowerShell 7 only"),
        ("$x = $a ?? $b\n", "PowerShell 7 only"),
        ("$x = $a ? 1 : 2\n", "PowerShell 7 only"),
        ("$x = $a?.b\n", "PowerShell 7 only"),
        ("1..3 | ForEach-Object -Parallel { $_ }\n", "ForEach-Object -Parallel"),
        ("function Fetch-Thing {\n    1\n}\n", "approved verb"),
        # Windows PowerShell 5.1 runtime traps (each one was in a script before the review)
        ("$lines = @(& $netsh.Source winhttp show proxy 2>$null)\n", "redirects a native program's stderr"),
        ("$out = & dsregcmd.exe /status 2>&1\n", "redirects a native program's stderr"),
        ("if ($IsWindows) { 1 }\n", "does not exist in Windows PowerShell 5.1"),
        ("$p = [System.Security.Authentication.SslProtocols]::Tls13\n", "before .NET Framework 4.8"),
        ("Test-Path -LiteralPath 'HKU:\\S-1-5-21-1\\Software'\n", "HKU: is not a drive"),
        ("Get-Item HKU:\\S-1-5-21-1\n", "HKU: is not a drive"),
        (
            "function Get-Value {\n    $key = Get-Item -LiteralPath $Path\n    return $key.GetValue($Name, $null)\n}\n",
            "unary comma",
        ),
        ("$answer = Read-Host 'Continue?'\n", "talks to a person"),
        ("Write-Host 'done'\n", "talks to a person"),
        ("$credential = Get-Credential\n", "talks to a person"),
    ],
)
def test_lint_catches(snippet: str, expected: str) -> None:
    problems = lint(GOOD_HEADER + snippet)
    assert any(expected in p for p in problems), problems


def test_lint_requires_help_cmdletbinding_and_strict_mode() -> None:
    problems = lint("param()\nGet-Date\n")
    assert any("comment-based help" in p for p in problems)
    assert any("CmdletBinding" in p for p in problems)
    assert any("Set-StrictMode" in p for p in problems)


def test_help_must_say_read_only() -> None:
    header = GOOD_HEADER.replace("Read-only.", "Collects things.")
    assert any("comment-based help" in p for p in lint(header))


def test_null_redirection_is_allowed() -> None:
    assert lint(GOOD_HEADER + "Get-Date 3>$null\n") == []


RUNSPACE_SCRIPT = (
    GOOD_HEADER
    + """function Get-MsdiagInnerMessage {
    param($Exception)
    return $Exception.Message
}
$probe = {
    param([string]$HostName)
    BODY
}
$shell = [powershell]::Create()
$null = $shell.AddScript($probe).AddArgument('login.live.com')
"""
)


def test_runspace_block_calling_an_outer_function_is_caught() -> None:
    # The function exists in the script, not in the pool's fresh runspace: fails only on Windows.
    text = RUNSPACE_SCRIPT.replace("BODY", "Get-MsdiagInnerMessage $null")
    problems = lint(text)
    assert any("Get-MsdiagInnerMessage is defined outside the script block" in p for p in problems), problems


def test_runspace_block_defining_its_own_helpers_is_clean() -> None:
    inner = "function Get-MsdiagInnerMessage {\n        param($E)\n        return 'x'\n    }\n    Get-MsdiagInnerMessage $null"
    assert lint(RUNSPACE_SCRIPT.replace("BODY", inner)) == []


def test_returning_a_registry_value_with_the_unary_comma_is_clean() -> None:
    snippet = "function Get-Value {\n    $key = Get-Item -LiteralPath $Path\n    return , $key.GetValue($Name, $null)\n}\n"
    assert lint(GOOD_HEADER + snippet) == []


def test_enum_member_looked_up_by_name_is_clean() -> None:
    snippet = "$p = [System.Enum]::Parse([System.Security.Authentication.SslProtocols], 'Tls13')\n"
    assert lint(GOOD_HEADER + snippet) == []
