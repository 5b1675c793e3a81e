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
from dataclasses import dataclass, field

import yaml

from msdiag.fleet.host_ranges import MAX_EXPANDED_HOSTS, count_host_pattern, expand_host_pattern

#: host-in-group listings and variables read, YAML aliases followed: a bound on the work however
#: the file repeats itself (a real 100,000-host inventory needs a few hundred thousand)
MAX_ENTRIES = 2_000_000
#: the only variables msdiag reads (inventory.py); others are skipped, so a [all:vars] of a
#: million lines is not copied into every host
USED_VARIABLES = frozenset(
    {
        "ansible_host",
        "ansible_port",
        "ansible_user",
        "ansible_connection",
        "ansible_winrm_scheme",
        "ansible_psrp_protocol",
        "ansible_winrm_transport",
        "ansible_psrp_auth",
    }
)


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
    children: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)


class _Tree:
    """Groups and hosts as read, before variables are resolved."""

    def __init__(self) -> None:
        self.groups: dict[str, _Group] = {"all": _Group("all"), "ungrouped": _Group("ungrouped")}
        self.host_vars: dict[str, dict[str, str]] = {}
        self.host_line: dict[str, int] = {}
        self.host_group: dict[str, str] = {}
        #: each host's groups as listed (insertion-ordered sets), not through children
        self.host_groups: dict[str, dict[str, None]] = {}
        self.problems: list[tuple[int, str]] = []
        self.entries = 0

    def group(self, name: str) -> _Group:
        return self.groups.setdefault(name, _Group(name))

    def spend(self, entries: int) -> None:
        """Count work against MAX_ENTRIES; past it the whole inventory is refused."""
        self.entries += entries
        if self.entries > MAX_ENTRIES:
            raise ValueError(
                f"the inventory lists hosts, groups and variables more than {MAX_ENTRIES:,} times "
                "(YAML aliases followed); split it, or use fewer aliases"
            )

    def expand(self, pattern: str) -> list[str]:
        """The host names of ``pattern``, counted against the host cap before any is made."""
        count = count_host_pattern(pattern)
        known = len(self.host_line)
        if known + count > MAX_EXPANDED_HOSTS and count > 1:
            total = (
                f"{count:,} hosts"
                if count > MAX_EXPANDED_HOSTS
                else f"more than {MAX_EXPANDED_HOSTS:,} hosts"
            )
            raise ValueError(
                f"{pattern[:80]!r} would bring the inventory to {total} (at most {MAX_EXPANDED_HOSTS:,}); "
                "split the fleet into several inventories"
            )
        self.spend(count)
        return expand_host_pattern(pattern)

    def add_host(self, group: str, name: str, line: int, variables: dict[str, str]) -> None:
        self.group(group)
        if name not in self.host_line and len(self.host_line) >= MAX_EXPANDED_HOSTS:
            raise ValueError(
                f"the inventory has more than {MAX_EXPANDED_HOSTS:,} hosts; split the fleet into several inventories"
            )
        self.host_groups.setdefault(name, {})[group] = None
        self.host_line.setdefault(name, line)
        self.host_group.setdefault(name, group)
        self.host_vars.setdefault(name, {}).update(variables)

    def resolve(self, selected: str | None) -> AnsibleInventory:
        if selected is not None and selected not in self.groups:
            listed = {g for groups in self.host_groups.values() for g in groups}
            known = ", ".join(sorted(g for g in self.groups if g in listed or self.groups[g].children))
            raise ValueError(f"no group {selected!r} in the inventory (groups: {known or 'none'})")
        parents: dict[str, set[str]] = {}
        for grp in self.groups.values():
            for child in grp.children:
                parents.setdefault(child, set()).add(grp.name)
        depth = _depths(self.groups, parents)
        wanted = self._descendants(selected) if selected not in (None, "all") else set(self.groups)
        ancestors: dict[str, frozenset[str]] = {}
        hosts: list[AnsibleHost] = []
        for name in sorted(self.host_line, key=lambda h: self.host_line[h]):
            direct = self.host_groups[name]
            if wanted.isdisjoint(direct):
                continue
            member = {"all"}.union(*(_ancestors(g, parents, ancestors) for g in direct))
            variables: dict[str, str] = {}
            for grp_name in sorted(member, key=lambda g: (depth.get(g, 0), g)):
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


def _ancestors(group: str, parents: dict[str, set[str]], memo: dict[str, frozenset[str]]) -> frozenset[str]:
    """``group`` and every group above it (iterative; cycles in :children are tolerated)."""
    if group not in memo:
        found = {group}
        pending = [group]
        while pending:
            for parent in parents.get(pending.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    pending.append(parent)
        memo[group] = frozenset(found)
    return memo[group]


def _depths(groups: dict[str, _Group], parents: dict[str, set[str]]) -> dict[str, int]:
    """Each group's longest distance from a top group (Ansible's variable precedence), each
    group settled once; a cycle in :children counts as no parent."""
    depth: dict[str, int] = {}
    for start in groups:
        stack: list[tuple[str, list[str]]] = [(start, sorted(parents.get(start, ())))]
        on_path = {start}
        while stack:
            name, todo = stack[-1]
            while todo and (todo[-1] in depth or todo[-1] in on_path):
                todo.pop()
            if todo:
                parent = todo.pop()
                todo.append(parent)  # settle it, then come back to this group
                on_path.add(parent)
                stack.append((parent, sorted(parents.get(parent, ()))))
                continue
            ups = [depth[p] for p in parents.get(name, ()) if p in depth]
            depth[name] = 1 + max(ups) if ups else 0
            on_path.discard(name)
            stack.pop()
    return depth


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
                names = tree.expand(tokens[0])
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
        if key in USED_VARIABLES:
            pairs[key] = value
    return pairs


def _group_name_ok(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,128}", name))


# ------------------------------------------------------------------ YAML
#: libyaml (bounded nesting, ~6x faster) when PyYAML was built with it, else the pure-Python loader
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: YAML takes the longest to read: 16 MiB is ~300,000 hosts with their variables
MAX_YAML_CHARS = 16 * 1024 * 1024


def parse_ansible_yaml(text: str, group: str | None) -> AnsibleInventory:
    """Read a YAML inventory; aliases are followed once per group (an alias bomb costs nothing)
    and all the work is bounded (MAX_ENTRIES)."""
    if len(text) > MAX_YAML_CHARS:
        raise ValueError(
            f"a YAML inventory is at most {MAX_YAML_CHARS // 1024 // 1024} MiB; this one has {len(text):,} characters"
        )
    tree = _Tree()
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"{where}not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    except RecursionError:  # the pure-Python loader on very deep nesting
        raise ValueError("not valid YAML for an inventory (nested too deeply)") from None
    if root is None:
        return tree.resolve(group)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("the top level must be a mapping of groups (all: ...)")
    seen: set[tuple[str, int]] = set()
    try:
        for key, value in root.value:
            _yaml_group(tree, key, value, None, seen)
    except RecursionError:
        raise ValueError("groups nested too deeply (more than a few hundred levels of children)") from None
    return tree.resolve(group)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _yaml_group(
    tree: _Tree, key: yaml.Node, node: yaml.Node, parent: str | None, seen: set[tuple[str, int]]
) -> None:
    if not isinstance(key, yaml.ScalarNode) or not _group_name_ok(str(key.value)):
        tree.problems.append((_line(key), "a group name expected"))
        return
    name = str(key.value)
    tree.group(name)
    if parent is not None and name not in tree.groups[parent].children:
        tree.groups[parent].children.append(name)
    # the same group name over the same node (an alias, a recursive one too): read it once
    if (name, id(node)) in seen:
        return
    seen.add((name, id(node)))
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
        tree.spend(len(section.value))
        for item_key, item in section.value:
            if section_name == "children":
                _yaml_group(tree, item_key, item, name, seen)
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
        tree.spend(len(node.value))
        for var_key, var_value in node.value:
            _yaml_var(tree, variables, var_key, var_value)
    elif not (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")):
        tree.problems.append((_line(node), f"host {str(key.value)[:80]!r}: variables must be a mapping"))
        return
    try:
        names = tree.expand(str(key.value))
    except ValueError as exc:
        tree.problems.append((_line(key), str(exc)))
        return
    for name in names:
        tree.add_host(group, name, _line(key), variables)


def _yaml_var(tree: _Tree, into: dict[str, str], key: yaml.Node, node: yaml.Node) -> None:
    name = str(getattr(key, "value", ""))
    if name not in USED_VARIABLES:
        return
    if isinstance(node, yaml.ScalarNode):
        into[name] = str(node.value)
    else:
        # only connection variables matter to msdiag, and those are scalars
        tree.problems.append((_line(node), f"{name} must be a single value"))
