"""The scan runner and its check sources: each check its own script block, the language mode first.

Scans send the runner without any check in its text and the checks as -Sources data, so that
antivirus software (AMSI), which scans each script block PowerShell compiles, can block one check
without taking the others with it. And the runner reads its language mode before it touches any
type that Constrained Language Mode forbids. Both are read here from the syntax tree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from support.pstools import catalog_problems, lint, parse, syntax_problems
from tree_sitter import Node

from msdiag.checks import CHECK_NAMES, HELPER_SCRIPTS, helper_script_text, script_text
from msdiag.collectors.runner_script import build_runner, helper_files, runner_sources

SCAN_RUNNER = build_runner(CHECK_NAMES, embed=False)
LANGUAGE_TEST = "$msdiagLanguageMode -ne 'FullLanguage'"

#: Types Constrained Language Mode allows that the runner may use before its language test
#: (a subset of the list in about_Language_Modes, Windows PowerShell 5.1; research/samples/facts.md 5).
CLM_ALLOWED_TYPES = frozenset(
    "array bool byte char datetime decimal double guid hashtable int int64 long ordered pscustomobject "
    "psobject ref regex string switch timespan uri version void xml".split()
)
#: Methods it calls there, all on strings or DateTime (core types).
CLM_ALLOWED_METHODS = frozenset({"split", "trim", "tostring"})
CLM_ALLOWED_COMMANDS = frozenset({"set-strictmode", "convertto-json", "split-msdiaglist"})


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8")


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _embedded_check_blocks(root: Node) -> list[Node]:
    """The `$msdiagChecks['x'] = { ... }` literals: data until the loop runs them, in FullLanguage."""
    blocks = []
    for node in _walk(root):
        if node.type == "assignment_expression" and _text(node).startswith("$msdiagChecks['"):
            blocks.extend(n for n in node.children if n.type != "left_assignment_expression")
    return blocks


def prologue_problems(text: str) -> list[str]:
    """What the runner does up to and including its language-mode test that CLM would refuse."""
    tree = parse(text)
    test = next(
        (n for n in _walk(tree.root_node) if n.type == "if_statement" and LANGUAGE_TEST in _text(n)), None
    )
    if test is None:
        return ["no language-mode test"]
    skipped = [(n.start_byte, n.end_byte) for n in _embedded_check_blocks(tree.root_node)]
    problems = []
    for node in _walk(tree.root_node):
        if node.start_byte >= test.end_byte or any(a <= node.start_byte < b for a, b in skipped):
            continue
        line = node.start_point[0] + 1
        if node.type == "type_literal":
            name = _text(node).strip("[]").replace("[]", "").lower()
            if name not in CLM_ALLOWED_TYPES:
                problems.append(f"line {line}: type {_text(node)} is not allowed in ConstrainedLanguage")
        elif node.type == "invokation_expression":
            member = next((c for c in reversed(node.children) if c.type == "member_name"), None)
            if member is not None and _text(member).lower() not in CLM_ALLOWED_METHODS:
                problems.append(f"line {line}: method {_text(member)}() before the language-mode test")
        elif node.type == "command_name" and _text(node).lower() not in CLM_ALLOWED_COMMANDS:
            problems.append(f"line {line}: command {_text(node)} before the language-mode test")
    return problems


@pytest.mark.parametrize(
    "runner",
    [SCAN_RUNNER, build_runner(CHECK_NAMES, mode="capture")],
    ids=["scan-runner", "exported-script"],
)
def test_runner_tests_the_language_mode_before_anything_clm_forbids(runner: str) -> None:
    assert prologue_problems(runner) == []


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("$watch = [System.Diagnostics.Stopwatch]::StartNew()", "type [System.Diagnostics.Stopwatch]"),
        ("$list = [System.Collections.Generic.List[string]]::new()", "is not allowed"),
        ("[Console]::OutputEncoding = $utf8", "type [Console]"),
        ("$x = New-Object -TypeName System.Net.WebClient", "command New-Object"),
        ("$name = $env:COMPUTERNAME.ToUpperInvariant()", "method ToUpperInvariant()"),
    ],
)
def test_the_prologue_check_catches_what_clm_forbids(statement: str, expected: str) -> None:
    # the test above is only worth something if it fails for a runner that breaks the rule
    marker = "$msdiagLanguageMode = [string]$ExecutionContext.SessionState.LanguageMode"
    broken = SCAN_RUNNER.replace(marker, f"{statement}\n{marker}")
    assert any(expected in p for p in prologue_problems(broken)), prologue_problems(broken)


def test_scan_runner_parses_follows_the_rules_and_uses_only_51_commands() -> None:
    assert syntax_problems(SCAN_RUNNER) == []
    assert lint(SCAN_RUNNER) == []
    assert catalog_problems(SCAN_RUNNER) == []


def test_scan_runner_holds_no_check_or_helper_code() -> None:
    for name in CHECK_NAMES:
        assert f"Write-MsdiagDocument -Check '{name}'" not in SCAN_RUNNER
    for file_name in HELPER_SCRIPTS:
        first_function = re.search(r"^function [A-Za-z-]+", helper_script_text(file_name), re.MULTILINE)
        assert first_function is not None and first_function.group(0) not in SCAN_RUNNER
    assert "$msdiagChecks['" not in SCAN_RUNNER


def test_every_unit_is_compiled_alone_inside_its_own_try() -> None:
    tree = parse(SCAN_RUNNER)
    creates = [
        n
        for n in _walk(tree.root_node)
        if n.type == "invokation_expression" and _text(n).lower().startswith("[scriptblock]::create(")
    ]
    assert len(creates) == 2  # the helpers (dot-sourced), the checks (invoked)
    for node in creates:
        parent = node.parent
        while parent is not None and parent.type != "try_statement":
            parent = parent.parent
        assert parent is not None, f"line {node.start_point[0] + 1}: [ScriptBlock]::Create outside a try"
    # a refusal is recognised by its error id, which PowerShell does not translate
    assert "'ScriptContainedMaliciousContent'" in SCAN_RUNNER


def test_sources_are_the_script_files_helpers_first_with_what_each_check_needs() -> None:
    units = json.loads(runner_sources(CHECK_NAMES))["units"]
    names = [u["name"] for u in units]
    assert names == [*HELPER_SCRIPTS, *CHECK_NAMES]
    for unit in units:
        if unit["kind"] == "helper":
            assert unit["text"] == helper_script_text(unit["name"]).lstrip("\ufeff")
            assert unit["needs"] == []
        else:
            assert unit["kind"] == "check"
            assert unit["text"] == script_text(unit["name"]).lstrip("\ufeff")
            assert unit["needs"] == helper_files(unit["name"])


def test_sources_hold_only_the_helpers_the_selection_needs() -> None:
    units = json.loads(runner_sources(["time", "os"]))["units"]
    assert [(u["kind"], u["name"]) for u in units] == [
        ("helper", "MsdiagCommon.ps1"),
        ("check", "os"),
        ("check", "time"),
    ]
    assert runner_sources(CHECK_NAMES).isascii()  # safe in any code page Windows reads it in
