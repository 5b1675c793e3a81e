"""The expressions of the decision table (msdiag.engines.compact_decision): each node evaluates in
Python and writes itself as PowerShell, so the script's decision and msdiag's simulation of it are
one table read two ways. Strings compare exactly (``-ceq``), numbers as numbers.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

Item = dict[str, str]
View = dict[str, str | list[Item]]
Value = str | int | float | bool
INT = re.compile(r"^[+-]?\d{1,12}$")


@dataclass(frozen=True)
class Node:
    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        raise NotImplementedError

    def ps(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class V(Node):
    """A scalar field of the view."""

    name: str

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        value = view[self.name]
        assert isinstance(value, str)
        return value

    def ps(self) -> str:
        return f"[string]$View['{self.name}']"


@dataclass(frozen=True)
class I(Node):  # noqa: E742 - reads as "item"
    """A field of the item a Count / Any is looking at."""

    name: str

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        assert item is not None
        return item[self.name]

    def ps(self) -> str:
        return f"[string]$_['{self.name}']"


@dataclass(frozen=True)
class X(Node):
    """The value a ForSome is trying."""

    name: str

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        return bound[self.name]

    def ps(self) -> str:
        return f"$msdiag_{self.name}"


@dataclass(frozen=True)
class S(Node):
    value: str

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        return self.value

    def ps(self) -> str:
        return "'" + self.value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Int(Node):
    """A field read as a whole number (``default`` when it is not one)."""

    of: Node
    default: int = -1

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        text = str(self.of.eval(view, item, bound))
        return int(text) if INT.match(text) else self.default

    def ps(self) -> str:
        return f"(ConvertTo-MsdiagCompactNumber -Value ({self.of.ps()}) -Default {self.default})"


@dataclass(frozen=True)
class Cmp(Node):
    op: str  # eq ne gt ge lt le (strings compare exactly, numbers as numbers)
    left: Node
    right: Node | int

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        a = self.left.eval(view, item, bound)
        b = self.right if isinstance(self.right, int) else self.right.eval(view, item, bound)
        return {
            "eq": a == b, "ne": a != b, "gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b,  # type: ignore[operator]
        }[self.op]  # fmt: skip

    def ps(self) -> str:
        right = str(self.right) if isinstance(self.right, int) else self.right.ps()
        op = {"eq": "-ceq", "ne": "-cne"}.get(self.op, f"-{self.op}")
        return f"({self.left.ps()} {op} {right})"


@dataclass(frozen=True)
class In(Node):
    of: Node
    values: tuple[str, ...]

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        return self.of.eval(view, item, bound) in self.values

    def ps(self) -> str:
        listed = ", ".join(S(v).ps() for v in self.values)
        return f"(@({listed}) -ccontains {self.of.ps()})"


@dataclass(frozen=True)
class All(Node):
    parts: tuple[Node, ...]

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        return all(p.eval(view, item, bound) for p in self.parts)

    def ps(self) -> str:
        return "(" + " -and ".join(p.ps() for p in self.parts) + ")"


@dataclass(frozen=True)
class Either(Node):
    parts: tuple[Node, ...]

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        return any(p.eval(view, item, bound) for p in self.parts)

    def ps(self) -> str:
        return "(" + " -or ".join(p.ps() for p in self.parts) + ")"


@dataclass(frozen=True)
class Not(Node):
    of: Node

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        return not self.of.eval(view, item, bound)

    def ps(self) -> str:
        return f"(-not {self.of.ps()})"


@dataclass(frozen=True)
class Pick(Node):
    """``then`` when ``test`` holds, else ``other``."""

    test: Node
    then: Node
    other: Node

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        return (
            self.then.eval(view, item, bound)
            if self.test.eval(view, item, bound)
            else self.other.eval(view, item, bound)
        )

    def ps(self) -> str:
        return f"$(if ({self.test.ps()}) {{ {self.then.ps()} }} else {{ {self.other.ps()} }})"


@dataclass(frozen=True)
class Count(Node):
    """How many items of list ``of`` the condition holds for."""

    of: str
    where: Node

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        items = view[self.of]
        assert isinstance(items, list)
        return sum(1 for i in items if self.where.eval(view, i, bound))

    def ps(self) -> str:
        return f"@($View['{self.of}'] | Where-Object {{ {self.where.ps()} }}).Count"


@dataclass(frozen=True)
class ForSome(Node):
    """The condition holds for at least one of ``values`` (read inside as ``X(name)``)."""

    name: str
    values: tuple[str, ...]
    where: Node

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        return any(self.where.eval(view, item, {**bound, self.name: v}) for v in self.values)

    def ps(self) -> str:
        listed = ", ".join(S(v).ps() for v in self.values)
        return (
            f"(@(@({listed}) | Where-Object {{ $msdiag_{self.name} = $_; {self.where.ps()} }}).Count -gt 0)"
        )


@dataclass(frozen=True)
class AbsMedian(Node):
    """|median| of an item field over the items where it is a number (0 when none is)."""

    of: str
    field: str

    def eval(self, view: View, item: Item | None, bound: dict[str, str]) -> Value:
        items = view[self.of]
        assert isinstance(items, list)
        numbers = [int(i[self.field]) for i in items if INT.match(i[self.field])]
        return abs(float(statistics.median(numbers))) if numbers else 0.0

    def ps(self) -> str:
        return f"(Get-MsdiagCompactMedian -Items $View['{self.of}'] -Field '{self.field}')"


def Any(of: str, where: Node) -> Node:
    return Cmp("gt", Count(of, where), 0)


def eq(node: Node, value: str) -> Node:
    return Cmp("eq", node, S(value))


def ne(node: Node, value: str) -> Node:
    return Cmp("ne", node, S(value))


def ok(check: str) -> Node:
    return eq(V(f"ck_{check}"), "o")


def two_xx(node: Node) -> Node:
    return All((Cmp("ge", Int(node), 200), Cmp("le", Int(node), 299)))
