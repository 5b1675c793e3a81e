"""The layering the CLI and the formats rely on, checked on the source (imports and calls, by AST).

- Formats render: no module under msdiag/formats prints, opens or creates files, or imports the CLI.
- The fleet scan scans: msdiag/fleet/scan.py prints nothing and creates no folder (the command does).
- No import cycle through msdiag.cli or msdiag.formats (function-level imports count: a lazy import
  only hides a cycle, as options.py <-> reporting.py had one).
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "msdiag"

#: calls that print, or open, write or create files
_IO_CALLS = {"print", "open", "echo", "secho", "mkdir", "makedirs", "write_text", "write_bytes", "touch"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The msdiag modules ``name`` imports anywhere in its source (``from a import b``: a.b if a module).

    msdiag uses absolute imports only (a relative one would need resolving here)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{name}: relative import"
            found.add(node.module or "")
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {m for m in found if m in known and m != name}


def io_calls(tree: ast.Module) -> list[str]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in _IO_CALLS:
                calls.append(f"{called}() at line {node.lineno}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("stdout", "stderr")
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        ):
            calls.append(f"sys.{node.attr} at line {node.lineno}")
    return calls


ALL = modules()
KNOWN = set(ALL)
GRAPH = {name: imports_of(name, tree, KNOWN) for name, tree in ALL.items()}


@pytest.mark.parametrize("name", sorted(n for n in ALL if n.startswith("msdiag.formats")))
def test_formats_never_print_or_write(name: str) -> None:
    assert io_calls(ALL[name]) == [], f"{name} does I/O: formats return strings, msdiag/cli writes them"
    assert not any(m.startswith("msdiag.cli") for m in GRAPH[name]), f"{name} imports the CLI"
    assert "click" not in {a.name for n in ast.walk(ALL[name]) if isinstance(n, ast.Import) for a in n.names}


def test_the_fleet_scan_prints_and_creates_nothing() -> None:
    tree = ALL["msdiag.fleet.scan"]
    assert io_calls(tree) == []
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert "click" not in imported and not any(m and m.startswith("msdiag.formats") for m in imported)


def test_fleet_host_reports_only_choose_and_name() -> None:
    imported = GRAPH["msdiag.formats.fleet.host_reports"]
    assert not imported & {"msdiag.fleet.results", "msdiag.diagnosis.engine", "msdiag.formats.redact"}


def _cycle_from(start: str) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in GRAPH.get(node, ()):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


@pytest.mark.parametrize(
    "name", sorted(n for n in ALL if n.startswith(("msdiag.cli", "msdiag.formats")) or n == "msdiag.sanitize")
)
def test_no_import_cycle_through_the_cli_or_the_formats(name: str) -> None:
    cycle = _cycle_from(name)
    # a package's __init__ importing its own submodules is not a cycle worth reporting
    nested = cycle is not None and all(a.startswith(b + ".") or b.startswith(a + ".") for a, b in itertools.pairwise(cycle))
    assert cycle is None or nested, " -> ".join(cycle or [])


def test_the_options_reporting_cycle_is_gone() -> None:
    assert "msdiag.cli.reporting" not in GRAPH["msdiag.cli.options"]
