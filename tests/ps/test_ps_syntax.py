"""Every bundled script and the composed runner parse with a real PowerShell grammar."""

from __future__ import annotations

import re

import pytest
from support.pstools import REPO, all_script_sources, syntax_problems

from msdiag.checks import CHECK_NAMES, CHECKS, CHECKS_BY_NAME, DEFAULT_ENDPOINT_HOSTS, HELPER_SCRIPTS
from msdiag.collectors.runner_script import build_runner, helper_files

SCRIPTS = all_script_sources()


def test_every_registered_check_has_its_script() -> None:
    assert {c.script for c in CHECKS} | {"Invoke-MsdiagRunner.ps1", "MsdiagCompact.ps1", *HELPER_SCRIPTS} == set(SCRIPTS)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_parses(name: str) -> None:
    assert syntax_problems(SCRIPTS[name]) == []


@pytest.mark.parametrize("mode", ["lines", "capture"])
def test_composed_runner_parses(mode: str) -> None:
    runner = build_runner(CHECK_NAMES, mode=mode)  # type: ignore[arg-type]
    assert syntax_problems(runner) == []


def test_grammar_catches_broken_scripts() -> None:
    # The parse test above is only worth something if the grammar rejects real mistakes.
    assert syntax_problems("function Get-X {\n    $a = @{ b = 1\n}\n")
    assert syntax_problems("$x = 'unterminated\n")
    assert syntax_problems("if ($a -eq 1 {\n}\n")


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_scripts_are_ascii(name: str) -> None:
    # Windows PowerShell 5.1 reads a .ps1 without a BOM in the ANSI code page (cp932 on ja-JP).
    text = (REPO / "ps_scripts" / name).read_bytes()
    assert text.isascii(), "non-ASCII text in a script breaks on Windows PowerShell 5.1"


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_each_script_writes_its_own_check_name(check: str) -> None:
    text = SCRIPTS[CHECKS_BY_NAME[check].script]
    assert re.findall(r"Write-MsdiagDocument -Check '(\w+)'", text) == [check]


def test_endpoint_default_hosts_match_python() -> None:
    text = SCRIPTS["Get-MsdiagEndpoints.ps1"]
    block = text[text.index("[string[]]$Hosts") : text.index("[int]$TimeoutMs")]
    assert tuple(re.findall(r"'([^']+)'", block)) == DEFAULT_ENDPOINT_HOSTS


def test_whose_proxy_settings_logic_is_shared_by_proxy_and_endpoints() -> None:
    # The endpoints check must probe the PAC of the same user whose settings the proxy check reports:
    # both call the one definition in MsdiagWinInet.ps1.
    for check in ("proxy", "endpoints"):
        assert helper_files(check) == ["MsdiagCommon.ps1", "MsdiagWinInet.ps1"]
        assert "Resolve-MsdiagInternetSettingsScope -Scope" in SCRIPTS[CHECKS_BY_NAME[check].script]
    assert "function Resolve-MsdiagInternetSettingsScope" in SCRIPTS["MsdiagWinInet.ps1"]


def test_endpoints_and_runner_take_a_pac_url() -> None:
    assert "[string]$PacUrl" in SCRIPTS["Get-MsdiagEndpoints.ps1"]
    runner = SCRIPTS["Invoke-MsdiagRunner.ps1"]
    assert "[string]$PacUrl" in runner and "$arguments['PacUrl'] = $PacUrl" in runner
