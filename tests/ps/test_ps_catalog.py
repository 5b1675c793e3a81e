"""Every command and parameter the scripts use exists in Windows PowerShell 5.1 (the catalog)."""

from __future__ import annotations

import json

import pytest
from support.pstools import (
    SHARED_CATALOG,
    TEST_EXAMPLE_SOURCES,
    TRIMMED_CATALOG,
    all_script_sources,
    catalog_problems,
    helper_functions,
    load_catalog,
    trim_catalog,
)

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.runner_script import build_runner

SCRIPTS = all_script_sources()
#: The functions of the helper files (MsdiagCommon.ps1 ...), which the check scripts load.
HELPERS = helper_functions()


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_uses_only_51_commands_and_parameters(name: str) -> None:
    # Every other command a script calls must be a 5.1 cmdlet: a helper it calls that the helper
    # files do not define fails here like a misspelt cmdlet.
    assert catalog_problems(SCRIPTS[name], known_functions=HELPERS) == []


def test_a_check_calling_a_helper_nobody_defines_is_caught() -> None:
    problems = catalog_problems("Invoke-MsdiagProbee 'os' { 1 }\n", known_functions=HELPERS)
    assert any("Invoke-MsdiagProbee is not a Windows PowerShell 5.1 command" in p for p in problems)


def test_composed_runner_uses_only_51_commands() -> None:
    assert catalog_problems(build_runner(CHECK_NAMES)) == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("Get-Servce -Name W32Time\n", "Get-Servce is not a Windows PowerShell 5.1 command"),
        ("ConvertTo-Json -InputObject 1 -AsArray\n", "-AsArray: PowerShell 7 only"),
        ("Get-ChildItem -Path C:\\ -FollowSymlink\n", "-FollowSymlink: PowerShell 7 only"),
        ("Get-Service -Nmae W32Time\n", "-Nmae: unknown"),
        ("Get-Service -In W32Time\n", "ambiguous"),
        ("Get-Date -ProgressAction SilentlyContinue\n", "-ProgressAction"),
        ("Start-ThreadJob { 1 }\n", "Start-ThreadJob"),
    ],
)
def test_checker_catches(snippet: str, expected: str) -> None:
    problems = catalog_problems(snippet)
    assert any(expected in p for p in problems), problems


def test_checker_accepts_prefixes_aliases_and_common_parameters() -> None:
    snippet = (
        "Get-Service -Na W32Time -ea Stop\n"  # prefix of Name, alias of ErrorAction
        "Get-ItemProperty -PSPath HKCU:\\X -ErrorVariable e\n"  # parameter alias, common parameter
        "function Get-Mine {\n    1\n}\nGet-Mine -Anything 1\n"  # the script's own function
        "netsh.exe winhttp show proxy\n"  # native program
    )
    assert catalog_problems(snippet) == []


def test_trimmed_catalog_matches_the_shared_one() -> None:
    if not SHARED_CATALOG.is_file():
        pytest.skip(f"{SHARED_CATALOG} is not here (CI without ../shared): the trimmed copy is used")
    shared = json.loads(SHARED_CATALOG.read_text(encoding="utf-8"))
    trimmed = json.loads(TRIMMED_CATALOG.read_text(encoding="utf-8"))
    expected = trim_catalog(shared, [*SCRIPTS.values(), *TEST_EXAMPLE_SOURCES])
    assert trimmed == json.loads(json.dumps(expected)), (
        "tests/data/powershell-catalog-trimmed.json is stale: regenerate it with "
        "pstools.write_trimmed_catalog()"
        " (see its docstring)"
    )


def test_trimmed_catalog_covers_every_command_the_scripts_use() -> None:
    trimmed = json.loads(TRIMMED_CATALOG.read_text(encoding="utf-8"))
    for name, text in SCRIPTS.items():
        assert catalog_problems(text, trimmed, HELPERS) == [], name
    assert load_catalog()["common_parameters"]
