"""One source of truth for the checks' shared PowerShell helpers (ps_scripts/MsdiagCommon.ps1 ...).

Each helper is defined once, in a helper file. A check script run on its own loads the helper
files from its folder behind a guard; the composed runner and the standalone one-check scripts
(build_check_script) carry each helper definition exactly once and load nothing.
"""

from __future__ import annotations

import re

import pytest
from support.pstools import (
    all_script_sources,
    catalog_problems,
    command_calls,
    defined_functions,
    function_definition_counts,
    helper_functions,
    helper_sources,
    lint,
    parse,
    syntax_problems,
)

from msdiag.checks import CHECK_NAMES, CHECKS_BY_NAME, HELPER_SCRIPTS
from msdiag.collectors.runner_script import (
    HELPER_LOADER,
    build_check_script,
    build_runner,
    helper_files,
    identify_check_script,
)

SCRIPTS = all_script_sources()
HELPER_SOURCES = helper_sources()
HELPERS = helper_functions()
#: helper function (lower-case) -> the helper file that defines it
DEFINED_IN = {
    name: file_name for file_name, text in HELPER_SOURCES.items() for name in defined_functions(parse(text))
}
#: the helper functions every msdiag check needs: each check calls them
CORE_HELPERS = ("initialize-msdiagcheck", "invoke-msdiagprobe", "write-msdiagdocument")


def check_source(check: str) -> str:
    return SCRIPTS[CHECKS_BY_NAME[check].script]


def composed_scripts() -> list[tuple[str, str]]:
    """Every script msdiag composes: the runner in both modes and each standalone check."""
    scripts = [
        ("runner-lines", build_runner(CHECK_NAMES, mode="lines")),
        ("runner-capture", build_runner(CHECK_NAMES, mode="capture")),
    ]
    scripts.extend((f"standalone-{check}", build_check_script(check)) for check in CHECK_NAMES)
    return scripts


COMPOSED = composed_scripts()
COMPOSED_IDS = [name for name, _ in COMPOSED]


def test_helper_files_are_shipped_and_define_the_core_helpers() -> None:
    assert set(HELPER_SCRIPTS) <= set(SCRIPTS)
    assert all(name in HELPERS for name in CORE_HELPERS)
    assert DEFINED_IN["resolve-msdiaginternetsettingsscope"] == "MsdiagWinInet.ps1"


def test_no_helper_is_defined_in_two_helper_files() -> None:
    counts: dict[str, int] = {}
    for text in HELPER_SOURCES.values():
        for name, count in function_definition_counts(text).items():
            counts[name] = counts.get(name, 0) + count
    assert {name: n for name, n in counts.items() if n != 1} == {}


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_check_script_defines_no_helper_of_its_own(check: str) -> None:
    # (a) one source of truth: a helper copied back into a check would drift from the helper file.
    copied = defined_functions(parse(check_source(check))) & HELPERS
    assert copied == set()


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_every_helper_a_check_calls_is_defined_in_a_file_it_loads(check: str) -> None:
    # (b) a call to an msdiag helper that no loaded helper file defines fails only on Windows.
    text = check_source(check)
    own = defined_functions(parse(text))
    loaded = set(helper_files(check))
    for call in command_calls(parse(text)):
        name = call.name.lower()
        if "-msdiag" not in name or name in own:
            continue
        assert name in DEFINED_IN, f"line {call.line}: {call.name} is defined in no helper file"
        assert DEFINED_IN[name] in loaded, (
            f"line {call.line}: {call.name} is in {DEFINED_IN[name]}, which {check} does not load"
        )
    assert all(f"{name} " in text.lower() or f"{name}\n" in text.lower() for name in CORE_HELPERS)


def test_helper_files_call_only_helpers_that_exist() -> None:
    for file_name, text in HELPER_SOURCES.items():
        for call in command_calls(parse(text)):
            if "-msdiag" in call.name.lower():
                assert call.name.lower() in HELPERS, f"{file_name} line {call.line}: {call.name}"


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_check_script_loads_its_helpers_behind_a_guard(check: str) -> None:
    # (c) run on its own it dot-sources from $PSScriptRoot; inside the runner the guard skips it.
    text = check_source(check)
    loaders = list(HELPER_LOADER.finditer(text))
    assert [m.group("file") for m in loaders][:1] == ["MsdiagCommon.ps1"]
    for match in loaders:
        # the guard asks for a function that the file it loads really defines
        assert DEFINED_IN[match.group("function").lower()] == match.group("file")
    # every dot-source in a check is one of these guarded loaders, nothing else is loaded
    assert len(re.findall(r"^\s*\. ", text, re.MULTILINE)) == len(loaders)
    # the check's own state comes after its helpers are loaded, and before any probe runs
    init = text.index("$msdiagCheck = Initialize-MsdiagCheck")
    assert loaders[-1].end() <= init < text.index("Invoke-MsdiagProbe ")


def test_loader_pattern_rejects_an_unguarded_dot_source() -> None:
    unguarded = ". ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))\n"
    assert HELPER_LOADER.search(unguarded) is None


@pytest.mark.parametrize(("name", "text"), COMPOSED, ids=COMPOSED_IDS)
def test_composed_script_parses_lints_and_uses_only_51_commands(name: str, text: str) -> None:
    # (d) no helper comes from outside: the catalog check gets no extra known functions here.
    assert syntax_problems(text) == []
    assert lint(text) == []
    assert catalog_problems(text) == []


@pytest.mark.parametrize(("name", "text"), COMPOSED, ids=COMPOSED_IDS)
def test_composed_script_defines_each_helper_it_needs_exactly_once(name: str, text: str) -> None:
    counts = function_definition_counts(text)
    if name.startswith("runner"):
        needed = HELPERS  # every check is in: every helper file is
    else:
        check = name.removeprefix("standalone-")
        needed = frozenset(n for n, f in DEFINED_IN.items() if f in helper_files(check))
    assert {helper: counts.get(helper, 0) for helper in needed} == dict.fromkeys(needed, 1)
    # the one copy is the helper file's own text, unchanged
    for file_name in {DEFINED_IN[helper] for helper in needed}:
        assert HELPER_SOURCES[file_name].strip() in text


def test_runner_for_checks_without_wininet_leaves_it_out() -> None:
    runner = build_runner(["os", "time"])
    counts = function_definition_counts(runner)
    assert counts["write-msdiagdocument"] == 1
    assert "resolve-msdiaginternetsettingsscope" not in counts
    with_wininet = function_definition_counts(build_runner(["os", "proxy", "endpoints"]))
    assert with_wininet["resolve-msdiaginternetsettingsscope"] == 1


def test_helpers_are_defined_before_the_checks_run_in_the_runner() -> None:
    # The checks are embedded as script block literals (data) near the top, so that even
    # Constrained Language Mode can list them; the helpers are defined after the language-mode
    # test, and both before the loop that runs the checks.
    runner = build_runner(CHECK_NAMES)
    loop = runner.index("foreach ($checkName in $requested) {\n        if ($msdiagRunnerMode")
    language_test = runner.index("if ($msdiagLanguageMode -ne 'FullLanguage')")
    for helper in ("function Write-MsdiagDocument", "function Resolve-MsdiagInternetSettingsScope"):
        assert language_test < runner.index(helper) < loop
    assert runner.index("$msdiagChecks['proxy'] = {") < language_test


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_standalone_check_script_is_the_check_with_helpers_inlined(check: str) -> None:
    text = build_check_script(check)
    assert HELPER_LOADER.search(text) is None  # nothing left to load from disk
    code = re.sub(r"<#.*?#>", "", text, flags=re.DOTALL)  # help text may show the loader
    assert "$PSScriptRoot" not in code
    assert text.startswith("<#") and f"Write-MsdiagDocument -Check '{check}'" in text
    # the check's own code follows unchanged
    own = check_source(check)
    assert own[own.index("$msdiagCheck = Initialize-MsdiagCheck") :].strip() in text


def test_runner_is_the_template_the_helpers_once_and_the_checks() -> None:
    # Each helper file once instead of once per check: the runner every scan sends (and each
    # remote host parses) costs no more than its parts.
    runner = build_runner(CHECK_NAMES)
    parts = (
        len(SCRIPTS["Invoke-MsdiagRunner.ps1"])
        + sum(len(text) for text in HELPER_SOURCES.values())
        + sum(len(check_source(c)) for c in CHECK_NAMES)
    )
    assert parts - 2000 < len(runner) < parts + 2000


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_one_check_scripts_are_recognised_in_both_forms(check: str) -> None:
    # The lab answers a naive one-check client (Client.execute_ps) sending either form.
    assert identify_check_script(build_check_script(check)) == check
    assert identify_check_script(check_source(check)) == check
    assert identify_check_script("\r\n" + build_check_script(check) + "\r\n") == check


def test_other_scripts_are_not_taken_for_a_check() -> None:
    assert identify_check_script("Get-Date") is None
    assert identify_check_script(HELPER_SOURCES["MsdiagCommon.ps1"]) is None
    assert identify_check_script(check_source("os")[:500]) is None  # a fragment is not the check
