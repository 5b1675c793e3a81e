"""Test helpers: parse PowerShell with tree-sitter-powershell, lint it, check it against the catalog.

This machine has no PowerShell, so the syntax tree is the closest look at the scripts: the grammar
catches broken syntax, the lint the 5.1-compatibility and read-only rules, and the catalog check
misspelt cmdlets and parameters that Windows PowerShell 5.1 does not have.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import tree_sitter_powershell
from tree_sitter import Language, Node, Parser, Tree

from msdiag.checks import HELPER_SCRIPTS

REPO = Path(__file__).resolve().parents[2]
TRIMMED_CATALOG = REPO / "tests" / "data" / "powershell-catalog-trimmed.json"
#: <repo>/../shared/reference/powershell-catalog.json (present on developer machines, maybe not in CI)
SHARED_CATALOG = REPO.parent / "shared" / "reference" / "powershell-catalog.json"

#: Native programs the scripts may call (not cmdlets: the catalog does not list them).
NATIVE_PROGRAMS = frozenset({"netsh", "netsh.exe", "dsregcmd", "dsregcmd.exe", "w32tm", "w32tm.exe"})
#: Aliases every PowerShell user knows, in case the catalog is not at hand.
COMMON_ALIASES = frozenset(
    {
        "?",
        "%",
        "select",
        "where",
        "foreach",
        "gci",
        "ls",
        "dir",
        "cat",
        "echo",
        "sort",
        "ft",
        "fl",
        "gc",
        "sc",
        "ni",
        "rm",
        "del",
        "iex",
        "iwr",
        "irm",
        "gp",
        "sp",
        "gwmi",
        "measure",
        "tee",
        "cd",
        "cls",
        "kill",
        "ps",
        "sleep",
        "write",
        "group",
        "curl",
        "wget",
        "type",
        "copy",
        "move",
        "ren",
        "md",
        "mkdir",
        "gcm",
    }
)
#: Verbs that change something; Set-StrictMode only changes the script's own parsing rules.
WRITE_VERBS = ("Set", "New", "Remove", "Stop", "Restart", "Start", "Clear", "Rename", "Move", "Copy")
WRITE_COMMANDS = frozenset(
    {
        "out-file",
        "add-content",
        "set-content",
        "set-itemproperty",
        "new-itemproperty",
        "tee-object",
        "invoke-expression",
        "export-csv",
        "export-clixml",
        "enable-netadapter",
        "disable-netadapter",
        "start-threadjob",
        "suspend-service",
        "resume-service",
    }
)
ALLOWED_WRITE_COMMANDS = frozenset({"set-strictmode"})
#: .NET methods that write the registry (Microsoft.Win32.RegistryKey / Registry).
REGISTRY_WRITE_METHODS = frozenset(
    {"setvalue", "createsubkey", "deletevalue", "deletesubkey", "deletesubkeytree", "setaccesscontrol"}
)
#: Commands that wait for or write to a person: the checks run unattended (remoting, agents) and
#: print only their JSON document, so these would hang, prompt or corrupt the output.
INTERACTIVE_COMMANDS = frozenset(
    {"read-host", "write-host", "get-credential", "out-host", "out-gridview", "pause", "show-command"}
)
#: Automatic variables Windows PowerShell 5.1 does not define: under StrictMode reading one throws.
PS7_ONLY_VARIABLES = frozenset({"$iswindows", "$islinux", "$ismacos", "$iscoreclr"})
#: Enum members that do not exist before .NET Framework 4.8: a literal reference throws there.
NEW_ENUM_MEMBERS = frozenset({"tls13"})
#: Get-Verb (Windows PowerShell 5.1).
APPROVED_VERBS = frozenset(
    "Add Clear Close Copy Enter Exit Find Format Get Hide Join Lock Move New Open Optimize Pop "
    "Push Redo Remove Rename Reset Resize Search Select Set Show Skip Split Step Switch Undo "
    "Unlock Watch Backup Checkpoint Compare Compress Convert ConvertFrom ConvertTo Dismount "
    "Edit Expand Export Group Import Initialize Limit Merge Mount Out Publish Restore Save Sync "
    "Unpublish Update Approve Assert Complete Confirm Deny Disable Enable Install Invoke "
    "Register Request Restart Resume Start Stop Submit Suspend Uninstall Unregister Wait Debug "
    "Measure Ping Repair Resolve Test Trace Connect Disconnect Read Receive Send Write Block "
    "Grant Protect Revoke Unblock Unprotect Use".split()
)


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_powershell.language()))


def parse(text: str) -> Tree:
    """Parse PowerShell source (a final newline avoids a spurious MISSING node at the end)."""
    return _parser().parse((text.lstrip("\ufeff") + "\n").encode("utf-8"))


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _where(node: Node) -> str:
    return f"line {node.start_point[0] + 1}"


def syntax_problems(text: str) -> list[str]:
    """ERROR and MISSING nodes, with positions and a bit of the offending text."""
    problems = []
    for node in _walk(parse(text).root_node):
        if node.is_error:
            problems.append(f"{_where(node)}: syntax error near {_text(node)[:60]!r}")
        elif node.is_missing:
            problems.append(f"{_where(node)}: missing {node.type!r}")
    return problems


@dataclass(frozen=True)
class CommandCall:
    name: str
    parameters: tuple[str, ...]
    line: int


def command_calls(tree: Tree) -> list[CommandCall]:
    """Commands invoked by name (`& $scriptblock` and `& $path` are not names and are skipped)."""
    calls = []
    for node in _walk(tree.root_node):
        if node.type != "command":
            continue
        name_node = next((c for c in node.children if c.type == "command_name"), None)
        if name_node is None:
            continue
        parameters: list[str] = []
        for child in node.children:
            if child.type == "command_elements":
                parameters.extend(
                    _text(p).lstrip("-").rstrip(":") for p in child.children if p.type == "command_parameter"
                )
        calls.append(CommandCall(_text(name_node), tuple(parameters), name_node.start_point[0] + 1))
    return calls


def defined_functions(tree: Tree) -> set[str]:
    return {_text(node).lower() for node in _walk(tree.root_node) if node.type == "function_name"}


def _has_comment_help(tree: Tree) -> bool:
    first = next((c for c in tree.root_node.children if c.type == "comment"), None)
    if first is None:
        return False
    help_text = _text(first)
    return (
        help_text.startswith("<#")
        and all(keyword in help_text for keyword in (".SYNOPSIS", ".DESCRIPTION", ".NOTES"))
        and "read-only" in help_text.lower()
    )


def _has_cmdletbinding(tree: Tree) -> bool:
    block = next((c for c in tree.root_node.children if c.type == "param_block"), None)
    return block is not None and "cmdletbinding" in _text(block).lower()


def _has_strict_mode(tree: Tree) -> bool:
    for node in _walk(tree.root_node):
        if node.type == "command" and _text(node).lower().replace("  ", " ").startswith(
            "set-strictmode -version latest"
        ):
            return True
    return False


def _stderr_redirections(tree: Tree) -> Iterator[Node]:
    """`2>...` / `*>...` on a command (the grammar reads `2>$null` as a plain token)."""
    for node in _walk(tree.root_node):
        if node.type in ("redirection", "generic_token") and re.match(r"^(2|\*)>", _text(node)):
            yield node


def _assigned_script_blocks(tree: Tree) -> dict[str, Node]:
    """`$name = { ... }` -> the script block node (the last assignment wins)."""
    blocks: dict[str, Node] = {}
    for node in _walk(tree.root_node):
        if node.type != "assignment_expression":
            continue
        left = next((c for c in node.children if c.type == "left_assignment_expression"), None)
        if left is None:
            continue
        value = node.children[-1]
        # the right side must be nothing but a script block literal
        if _text(value).strip().startswith("{") and _text(value).strip().endswith("}"):
            block = next((n for n in _walk(value) if n.type == "script_block_expression"), None)
            if block is not None and _text(block).strip() == _text(value).strip():
                blocks[_text(left).strip().lower()] = block
    return blocks


def runspace_problems(tree: Tree) -> list[str]:
    """Script blocks run in a new runspace (`.AddScript($block)`) calling this script's functions.

    A runspace of a RunspacePool is a fresh session: the functions the script defines outside
    the block do not exist there, and the call fails only at run time, on the remote machine.
    """
    blocks = _assigned_script_blocks(tree)
    everywhere = defined_functions(tree)
    problems = []
    for node in _walk(tree.root_node):
        if node.type != "invokation_expression":
            continue
        member = next((c for c in node.children if c.type == "member_name"), None)
        if member is None or _text(member).lower() != "addscript":
            continue
        arguments = next((c for c in node.children if c.type == "argument_list"), None)
        name = _text(arguments).strip("() \n").lower() if arguments is not None else ""
        block = blocks.get(name)
        if block is None:
            continue
        inside = {_text(n).lower() for n in _walk(block) if n.type == "function_name"}
        for call in _calls_under(block):
            lower = call.name.lower()
            if lower in everywhere and lower not in inside:
                problems.append(
                    f"line {call.line}: {call.name} is defined outside the script block that "
                    f"{name} runs in a new runspace, where it does not exist"
                )
    return problems


def _calls_under(node: Node) -> list[CommandCall]:
    calls = []
    for child in _walk(node):
        if child.type != "command":
            continue
        name_node = next((c for c in child.children if c.type == "command_name"), None)
        if name_node is not None:
            calls.append(CommandCall(_text(name_node), (), name_node.start_point[0] + 1))
    return calls


def lint(text: str, aliases: frozenset[str] | None = None) -> list[str]:
    """The rules every check script (and the runner) follows; returns the violations found."""
    tree = parse(text)
    problems: list[str] = []
    calls = command_calls(tree)
    known_aliases = COMMON_ALIASES | (aliases if aliases is not None else load_catalog_aliases())

    if not _has_comment_help(tree):
        problems.append(
            "no comment-based help (<# .SYNOPSIS .DESCRIPTION .NOTES, saying read-only #>) at the top"
        )
    if not _has_cmdletbinding(tree):
        problems.append("no [CmdletBinding()] param block")
    if not _has_strict_mode(tree):
        problems.append("no Set-StrictMode -Version Latest")

    for call in calls:
        lower = call.name.lower()
        if lower in known_aliases:
            problems.append(f"line {call.line}: alias {call.name!r}: use the full cmdlet name")
        verb = call.name.split("-", 1)[0]
        if lower not in ALLOWED_WRITE_COMMANDS and (
            ("-" in call.name and verb.capitalize() in WRITE_VERBS) or lower in WRITE_COMMANDS
        ):
            problems.append(f"line {call.line}: {call.name} changes something; the checks are read-only")
        if lower == "foreach-object" and any(p.lower() == "parallel" for p in call.parameters):
            problems.append(f"line {call.line}: ForEach-Object -Parallel is PowerShell 7 only")
        if lower in INTERACTIVE_COMMANDS:
            problems.append(f"line {call.line}: {call.name} talks to a person; the checks run unattended")

    for node in _stderr_redirections(tree):
        problems.append(
            f"{_where(node)}: {_text(node)} redirects a native program's stderr: with "
            "$ErrorActionPreference = 'Stop' Windows PowerShell 5.1 turns it into a terminating "
            "error (use Invoke-MsdiagNativeCommand)"
        )
    problems.extend(runspace_problems(tree))

    for node in _walk(tree.root_node):
        if node.type in ("&&", "||"):
            problems.append(f"{_where(node)}: pipeline chain operator {node.type} is PowerShell 7 only")
        elif node.is_error and re.search(r"\?\?|\?\.|\?\s", _text(node) + " "):
            problems.append(f"{_where(node)}: ?? / ?. / ternary operators are PowerShell 7 only")
        elif node.type == "invokation_expression":
            member = next((c for c in reversed(node.children) if c.type == "member_name"), None)
            if member is not None and _text(member).lower() in REGISTRY_WRITE_METHODS:
                problems.append(f"{_where(node)}: .{_text(member)}() writes the registry")
        elif node.type == "redirection":
            target = next((c for c in node.children if c.type == "redirected_file_name"), None)
            if target is None or _text(target).strip().lower() != "$null":
                problems.append(f"{_where(node)}: redirection to a file writes to disk")
        elif node.type == "variable" and _text(node).lower() in PS7_ONLY_VARIABLES:
            problems.append(
                f"{_where(node)}: {_text(node)} does not exist in Windows PowerShell 5.1 "
                "(StrictMode throws on reading it)"
            )
        elif node.type == "member_access" and any(
            c.type == "member_name" and _text(c).lower() in NEW_ENUM_MEMBERS for c in node.children
        ):
            problems.append(
                f"{_where(node)}: {_text(node)} does not exist before .NET Framework 4.8; "
                "look the name up ([System.Enum]::GetNames / Parse)"
            )
        elif node.type in ("verbatim_string_characters", "expandable_string_literal", "generic_token") and (
            "hku:" in _text(node).lower()
        ):
            problems.append(f"{_where(node)}: HKU: is not a drive by default; use Registry::HKEY_USERS\\...")
        elif node.type == "flow_control_statement" and re.match(
            r"^return\s+[^,\s].*\.GetValue\(", _text(node), re.IGNORECASE
        ):
            problems.append(
                f"{_where(node)}: returning a registry value without the unary comma unrolls "
                "a REG_BINARY byte[] into object[] (write `return , $key.GetValue(...)`)"
            )
        elif node.type == "function_name":
            name = _text(node)
            verb = name.split("-", 1)[0]
            if "-" not in name or verb not in APPROVED_VERBS:
                problems.append(f"{_where(node)}: function {name} does not use an approved verb")
    return problems


# ------------------------------------------------------------------ catalog


def load_catalog() -> dict[str, Any]:
    """The shared catalog when present (developer machines), else the trimmed copy in tests/data."""
    path = SHARED_CATALOG if SHARED_CATALOG.is_file() else TRIMMED_CATALOG
    with path.open(encoding="utf-8") as fh:
        catalog: dict[str, Any] = json.load(fh)
    return catalog


def load_catalog_aliases() -> frozenset[str]:
    return frozenset(alias.lower() for alias in load_catalog().get("command_aliases", {}))


def _catalog_commands(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name.lower(): entry for name, entry in catalog["commands"].items()}


def _parameter_names(entry: dict[str, Any], catalog: dict[str, Any]) -> dict[str, str]:
    """Every name (and alias) valid on the command in 5.1 -> its canonical parameter."""
    names: dict[str, str] = {}
    for parameter in entry.get("parameters", []):
        names[parameter.lower()] = parameter
    for parameter, aliases in entry.get("aliases_of_parameters", {}).items():
        for alias in aliases:
            names[alias.lower()] = parameter
    if entry.get("supports_common_parameters", True):
        for parameter in catalog["common_parameters"]:
            names[parameter.lower()] = parameter
        for parameter, aliases in catalog["common_parameter_aliases"].items():
            if parameter in catalog["common_parameters"]:
                for alias in aliases:
                    names[alias.lower()] = parameter
    return names


def _resolve_parameter(given: str, names: dict[str, str]) -> tuple[str | None, str]:
    lower = given.lower()
    if lower in names:
        return names[lower], ""
    # PowerShell accepts an unambiguous prefix of a parameter name or alias.
    matches = {canonical for name, canonical in names.items() if name.startswith(lower)}
    if len(matches) == 1:
        return matches.pop(), ""
    if len(matches) > 1:
        return None, f"ambiguous (could be {', '.join(sorted(matches))})"
    return None, "unknown"


def catalog_problems(
    text: str, catalog: dict[str, Any] | None = None, known_functions: frozenset[str] = frozenset()
) -> list[str]:
    """Commands and parameters that Windows PowerShell 5.1 would not accept.

    Skipped: functions the script defines, ``known_functions`` (lower-case names the script gets
    from elsewhere: the helper files it loads) and native programs. Known limit
    (powershell-catalog.md): provider dynamic parameters are only as complete as the documentation.
    """
    catalog = catalog if catalog is not None else load_catalog()
    commands = _catalog_commands(catalog)
    tree = parse(text)
    own_functions = defined_functions(tree) | known_functions
    problems = []
    for call in command_calls(tree):
        lower = call.name.lower()
        if lower in own_functions or lower in NATIVE_PROGRAMS:
            continue
        entry = commands.get(lower)
        if entry is None:
            problems.append(f"line {call.line}: {call.name} is not a Windows PowerShell 5.1 command")
            continue
        if not entry.get("in_5_1"):
            problems.append(f"line {call.line}: {call.name} is not in Windows PowerShell 5.1")
            continue
        names = _parameter_names(entry, catalog)
        seven_only = {p.lower() for p in entry.get("parameters_7_only", [])}
        for given in call.parameters:
            canonical, why = _resolve_parameter(given, names)
            if canonical is not None:
                continue
            if given.lower() in seven_only:
                why = "PowerShell 7 only"
            problems.append(f"line {call.line}: {call.name} -{given}: {why}")
    return problems


def trim_catalog(catalog: dict[str, Any], sources: list[str]) -> dict[str, Any]:
    """The catalog entries the given scripts use, plus the top-level tables and every alias.

    Regenerate tests/data/powershell-catalog-trimmed.json after changing the scripts:
        python -c "import sys; sys.path.insert(0, \"tests\"); import pstools; pstools.write_trimmed_catalog()"
    """
    used: set[str] = set()
    for text in sources:
        used.update(call.name.lower() for call in command_calls(parse(text)))
    trimmed_commands = {
        name: entry for name, entry in sorted(catalog["commands"].items()) if name.lower() in used
    }
    aliases = {
        alias: name
        for name, entry in sorted(catalog["commands"].items())
        for alias in entry.get("command_aliases", [])
    }
    return {
        "note": "Trimmed from shared/reference/powershell-catalog.json by tests/pstools.py trim_catalog().",
        "generated_from": catalog["generated_from"],
        "common_parameters": catalog["common_parameters"],
        "common_parameters_7_only": catalog["common_parameters_7_only"],
        "common_parameter_aliases": catalog["common_parameter_aliases"],
        "risk_mitigation_parameters": catalog["risk_mitigation_parameters"],
        "risk_mitigation_parameter_aliases": catalog["risk_mitigation_parameter_aliases"],
        "command_aliases": dict(sorted(aliases.items())),
        "commands": trimmed_commands,
    }


def helper_sources() -> dict[str, str]:
    """The helper files the check scripts load (ps_scripts/MsdiagCommon.ps1 ...) by file name."""
    return {name: source for name, source in all_script_sources().items() if name in HELPER_SCRIPTS}


def helper_functions() -> frozenset[str]:
    """Lower-case names of the functions the helper files define."""
    return frozenset(name for text in helper_sources().values() for name in defined_functions(parse(text)))


def function_definition_counts(text: str) -> dict[str, int]:
    """How many times the script defines each function (lower-case name)."""
    counts: dict[str, int] = {}
    for node in _walk(parse(text).root_node):
        if node.type == "function_name":
            name = _text(node).lower()
            counts[name] = counts.get(name, 0) + 1
    return counts


def all_script_sources() -> dict[str, str]:
    """Every .ps1 in ps_scripts/ by file name."""
    return {
        path.name: path.read_text(encoding="utf-8-sig")
        for path in sorted((REPO / "ps_scripts").glob("*.ps1"))
    }


#: Commands the checker's own tests use in their examples (tests/test_ps_catalog.py): kept in the
#: trimmed copy so that those tests mean the same without ../shared (a user's clone, CI).
TEST_EXAMPLE_SOURCES = (
    "Get-ChildItem -Path C:\\ -FollowSymlink\n",
    "Get-Date -ProgressAction SilentlyContinue\n",
    "Get-ItemProperty -PSPath HKCU:\\X -ErrorVariable e\n",
    "ConvertTo-Json -InputObject 1 -AsArray\n",
    "Get-Service -Name W32Time\n",
)


def write_trimmed_catalog() -> None:
    with SHARED_CATALOG.open(encoding="utf-8") as fh:
        catalog = json.load(fh)
    trimmed = trim_catalog(catalog, [*all_script_sources().values(), *TEST_EXAMPLE_SOURCES])
    TRIMMED_CATALOG.parent.mkdir(parents=True, exist_ok=True)
    TRIMMED_CATALOG.write_text(
        json.dumps(trimmed, indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8"
    )
