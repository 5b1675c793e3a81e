"""The shape of the whole package: no import cycles, no module over 450 lines, public seams only.

The import graph counts every import statement (module level, inside functions, under
TYPE_CHECKING): a cycle hidden in a function is still two modules that cannot be understood or
changed one at a time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DIAG = Path(__file__).resolve().parents[1] / "msdiag"
PACKAGES = ("msdiag",)  # the whole package
MAX_MODULE_LINES = 450


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(DIAG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in DIAG.rglob("*.py")}


def _imports(path: Path, module: str, known: dict[str, Path]) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                # "from pkg import mod" imports the module pkg.mod; "from mod import name" imports mod
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in found if name in known and name != module}


def _cycles() -> list[list[str]]:
    known = _modules()
    graph = {name: _imports(path, name, known) for name, path in known.items()}
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_no_import_cycle_in_the_package() -> None:
    assert _cycles() == [], f"import cycles: {_cycles()}"


def test_the_graph_sees_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    # the check above must be able to fail: the old fleet runner <-> process pool shape
    known = {"msdiag.fleet.runner": tmp_path / "runner.py", "msdiag.fleet.process_pool": tmp_path / "process_pool.py"}
    known["msdiag.fleet.runner"].write_text("def run():\n    from msdiag.fleet.process_pool import go\n")
    known["msdiag.fleet.process_pool"].write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from msdiag.fleet.runner import _Outcome\n"
    )
    assert _imports(known["msdiag.fleet.runner"], "msdiag.fleet.runner", known) == {"msdiag.fleet.process_pool"}
    assert _imports(known["msdiag.fleet.process_pool"], "msdiag.fleet.process_pool", known) == {"msdiag.fleet.runner"}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_is_over_the_size_limit(package: str) -> None:
    folder = DIAG.joinpath(*package.split(".")[1:])
    long = {
        str(path.relative_to(DIAG.parent)): n
        for path in folder.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"modules over {MAX_MODULE_LINES} lines: {long}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_a_private_name_of_another(package: str) -> None:
    folder = DIAG.joinpath(*package.split(".")[1:])
    private = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("msdiag."):
                private += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert private == []
