"""A reader for the static Ansible inventory formats (INI and YAML), groups and variables.

Why not a library: the only full parser is ansible-core's InventoryManager, which pulls in all of
ansible-core (and its plugin loader) for what is two small text formats; the standalone PyPI
packages that claim to read inventories are unmaintained or generate inventories instead. This
module covers what a Windows shop's static inventory uses: groups, ``:children``, ``:vars``,
host variables, numeric/alphabetic host ranges (``pc[01:40]``), the implicit ``all`` and
``ungrouped`` groups. Dynamic inventory scripts and plugins, vaults and Jinja2 in values are
not supported (a value is taken literally).

Variable precedence follows Ansible: ``all`` < parent groups < child groups < host variables.
"""

from __future__ import annotations

import re
import shlex
import string
from dataclasses import dataclass, field

import yaml

MAX_EXPANDED_HOSTS = 100_000
_RANGE = re.compile(r"\[([0-9]+|[a-z]):([0-9]+|[a-z])(?::([0-9]+))?\]")


@dataclass
class AnsibleHost:
    name: str
    line: int  # where the host is first listed
    group: str | None  # the group it was first listed under
    groups: set[str] = field(default_factory=set)  # every group it belongs to (with ancestors)
    variables: dict[str, str] = field(default_factory=dict)  # resolved, strings


@dataclass
class AnsibleInventory:
    hosts: list[AnsibleHost]
    problems: list[tuple[int, str]]  # (line, message)


@dataclass
class _Group:
    name: str
    hosts: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)


class _Tree:
    """Groups and hosts as read, before variables are resolved."""

    def __init__(self) -> None:
        self.groups: dict[str, _Group] = {"all": _Group("all"), "ungrouped": _Group("ungrouped")}
        self.host_vars: dict[str, dict[str, str]] = {}
        self.host_line: dict[str, int] = {}
        self.host_group: dict[str, str] = {}
        self.problems: list[tuple[int, str]] = []

    def group(self, name: str) -> _Group:
        return self.groups.setdefault(name, _Group(name))

    def add_host(self, group: str, name: str, line: int, variables: dict[str, str]) -> None:
        grp = self.group(group)
        if name not in grp.hosts:
            grp.hosts.append(name)
        self.host_line.setdefault(name, line)
        self.host_group.setdefault(name, group)
        self.host_vars.setdefault(name, {}).update(variables)

    def resolve(self, selected: str | None) -> AnsibleInventory:
        if selected is not None and selected not in self.groups:
            known = ", ".join(
                sorted(g for g in self.groups if self.groups[g].hosts or self.groups[g].children)
            )
            raise ValueError(f"no group {selected!r} in the inventory (groups: {known or 'none'})")
        parents: dict[str, set[str]] = {}
        for grp in self.groups.values():
            for child in grp.children:
                parents.setdefault(child, set()).add(grp.name)
        depth = {name: self._depth(name, parents) for name in self.groups}
        wanted = self._descendants(selected) if selected not in (None, "all") else set(self.groups)
        hosts: list[AnsibleHost] = []
        for name in sorted(self.host_line, key=lambda h: self.host_line[h]):
            direct = {g.name for g in self.groups.values() if name in g.hosts}
            if not direct & wanted:
                continue
            member = set(direct)
            pending = list(direct)
            while pending:
                for parent in parents.get(pending.pop(), ()):
                    if parent not in member:
                        member.add(parent)
                        pending.append(parent)
            member.add("all")
            variables: dict[str, str] = {}
            for grp_name in sorted(member, key=lambda g: (depth[g], g)):
                variables.update(self.groups[grp_name].variables)
            variables.update(self.host_vars.get(name, {}))
            hosts.append(
                AnsibleHost(
                    name=name,
                    line=self.host_line[name],
                    group=self.host_group.get(name),
                    groups=member - {"all", "ungrouped"},
                    variables=variables,
                )
            )
        return AnsibleInventory(hosts=hosts, problems=self.problems)

    def _depth(self, name: str, parents: dict[str, set[str]], seen: frozenset[str] = frozenset()) -> int:
        ups = [p for p in parents.get(name, ()) if p not in seen]
        return 0 if not ups else 1 + max(self._depth(p, parents, seen | {name}) for p in ups)

    def _descendants(self, name: str | None) -> set[str]:
        found: set[str] = set()
        pending = [name] if name else []
        while pending:
            current = pending.pop()
            if current in found:
                continue
            found.add(current)
            pending.extend(self.groups[current].children if current in self.groups else ())
        return found


def expand_host_pattern(pattern: str) -> list[str]:
    """``pc[01:03].corp`` -> pc01.corp, pc02.corp, pc03.corp (Ansible's host ranges)."""
    match = _RANGE.search(pattern)
    if not match:
        return [pattern]
    start, end, stride_text = match.groups()
    stride = int(stride_text) if stride_text else 1
    if stride < 1:
        raise ValueError(f"bad range stride in {pattern!r}")
    head, tail = pattern[: match.start()], pattern[match.end() :]
    if start.isdigit() and end.isdigit():
        width = len(start) if start.startswith("0") else 0
        values = [str(i).zfill(width) for i in range(int(start), int(end) + 1, stride)]
    elif start.isalpha() and end.isalpha():
        letters = string.ascii_lowercase
        values = list(letters[letters.index(start) : letters.index(end) + 1 : stride])
    else:
        raise ValueError(f"range mixes digits and letters in {pattern!r}")
    if not values:
        raise ValueError(f"empty range in {pattern!r}")
    result: list[str] = []
    for value in values:
        result.extend(expand_host_pattern(head + value + tail))
        if len(result) > MAX_EXPANDED_HOSTS:
            raise ValueError(f"range in {pattern!r} expands to more than {MAX_EXPANDED_HOSTS} hosts")
    return result


# ------------------------------------------------------------------ INI
def parse_ansible_ini(text: str, group: str | None) -> AnsibleInventory:
    tree = _Tree()
    section, kind = "ungrouped", "hosts"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                tree.problems.append((number, f"bad section header {line[:80]!r}"))
                section, kind = "", "skip"
                continue
            name, _, kind = line[1:-1].strip().partition(":")
            kind = kind or "hosts"
            if kind not in ("hosts", "children", "vars") or not _group_name_ok(name):
                tree.problems.append((number, f"bad section header {line[:80]!r}"))
                section, kind = "", "skip"
                continue
            section = name
            tree.group(section)
            continue
        if kind == "skip":
            continue
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError as exc:
            tree.problems.append((number, f"cannot split line ({exc})"))
            continue
        if not tokens:
            continue
        if kind == "children":
            if len(tokens) != 1 or not _group_name_ok(tokens[0]):
                tree.problems.append((number, f"a child group name expected, got {line[:80]!r}"))
                continue
            tree.group(tokens[0])
            if tokens[0] not in tree.groups[section].children:
                tree.groups[section].children.append(tokens[0])
        elif kind == "vars":
            pairs = _pairs(tokens, number, tree)
            if pairs is not None:
                tree.groups[section].variables.update(pairs)
        else:
            pairs = _pairs(tokens[1:], number, tree)
            if pairs is None:
                continue
            try:
                names = expand_host_pattern(tokens[0])
            except ValueError as exc:
                tree.problems.append((number, str(exc)))
                continue
            for name in names:
                tree.add_host(section, name, number, pairs)
    return tree.resolve(group)


def _pairs(tokens: list[str], number: int, tree: _Tree) -> dict[str, str] | None:
    pairs: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep or not key:
            tree.problems.append((number, f"key=value expected, got {token[:80]!r}"))
            return None
        pairs[key] = value
    return pairs


def _group_name_ok(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,128}", name))


# ------------------------------------------------------------------ YAML
def parse_ansible_yaml(text: str, group: str | None) -> AnsibleInventory:
    tree = _Tree()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"{where}not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if root is None:
        return tree.resolve(group)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("the top level must be a mapping of groups (all: ...)")
    for key, value in root.value:
        _yaml_group(tree, key, value, None)
    return tree.resolve(group)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _yaml_group(tree: _Tree, key: yaml.Node, node: yaml.Node, parent: str | None) -> None:
    if not isinstance(key, yaml.ScalarNode) or not _group_name_ok(str(key.value)):
        tree.problems.append((_line(key), "a group name expected"))
        return
    name = str(key.value)
    tree.group(name)
    if parent is not None and name not in tree.groups[parent].children:
        tree.groups[parent].children.append(name)
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return
    if not isinstance(node, yaml.MappingNode):
        tree.problems.append(
            (_line(node), f"group {name!r}: a mapping with hosts, vars or children expected")
        )
        return
    for section_key, section in node.value:
        section_name = getattr(section_key, "value", None)
        empty = isinstance(section, yaml.ScalarNode) and section.value in ("", "~", "null")
        if section_name not in ("hosts", "vars", "children"):
            tree.problems.append(
                (_line(section_key), f"group {name!r}: unknown key {str(section_name)[:40]!r}")
            )
            continue
        if empty:
            continue
        if not isinstance(section, yaml.MappingNode):
            tree.problems.append((_line(section), f"group {name!r}: {section_name} must be a mapping"))
            continue
        for item_key, item in section.value:
            if section_name == "children":
                _yaml_group(tree, item_key, item, name)
            elif section_name == "vars":
                _yaml_var(tree, tree.groups[name].variables, item_key, item)
            else:
                _yaml_host(tree, name, item_key, item)


def _yaml_host(tree: _Tree, group: str, key: yaml.Node, node: yaml.Node) -> None:
    if not isinstance(key, yaml.ScalarNode):
        tree.problems.append((_line(key), "a host name expected"))
        return
    variables: dict[str, str] = {}
    if isinstance(node, yaml.MappingNode):
        for var_key, var_value in node.value:
            _yaml_var(tree, variables, var_key, var_value)
    elif not (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")):
        tree.problems.append((_line(node), f"host {str(key.value)[:80]!r}: variables must be a mapping"))
        return
    try:
        names = expand_host_pattern(str(key.value))
    except ValueError as exc:
        tree.problems.append((_line(key), str(exc)))
        return
    for name in names:
        tree.add_host(group, name, _line(key), variables)


def _yaml_var(tree: _Tree, into: dict[str, str], key: yaml.Node, node: yaml.Node) -> None:
    name = str(getattr(key, "value", ""))
    if isinstance(node, yaml.ScalarNode):
        into[name] = str(node.value)
    elif name.startswith("ansible_"):
        # only connection variables matter to msdiag, and those are scalars
        tree.problems.append((_line(node), f"{name} must be a single value"))
