"""Scans send msdiag's scripts without comments: the same code, on the same lines, in one envelope.

tree-sitter-powershell parses each script as it is in ps_scripts/ and as scans send it; with the
comment nodes left out, the two syntax trees must be the same node for node, every token with the
same text on the same line. The tricky spellings (``#`` and ``<#`` inside strings, here-strings,
subexpressions, braced variable names, escapes) are checked one by one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from support.pstools import parse

from msdiag.capture.models import HostState
from msdiag.checks import CHECK_NAMES, HELPER_SCRIPTS, helper_script_text, script_text
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.collectors.runner_script import build_runner, cached_runner, cached_sources, runner_sources
from msdiag.collectors.wire_script import strip_comments
from msdiag.lab import LabHost, LabServer, load_lab_hosts

Token = tuple[int, str, str | None, int | None]


def _tree(text: str) -> tuple[list[Token], list[str]]:
    """(depth, type, leaf text, leaf line) of every node but comments; the comments' texts."""
    nodes: list[Token] = []
    comments: list[str] = []
    stack: list[tuple[Any, int]] = [(parse(text).root_node, 0)]
    while stack:
        node, depth = stack.pop()
        if node.type == "comment":
            comments.append((node.text or b"").decode())
            continue
        leaf = node.child_count == 0
        nodes.append((depth, node.type, (node.text or b"").decode() if leaf else None, node.start_point[0] if leaf else None))
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return nodes, comments


def _sent_and_source() -> Iterator[tuple[str, str, str]]:
    """(name, the text in ps_scripts/ as msdiag composes it, the text a scan sends)."""
    yield "runner", build_runner(CHECK_NAMES, embed=False), cached_runner(CHECK_NAMES)
    sources = {name: script_text(name) for name in CHECK_NAMES}
    sources.update({name: helper_script_text(name) for name in HELPER_SCRIPTS})
    for unit in json.loads(cached_sources(CHECK_NAMES))["units"]:
        yield unit["name"], sources[unit["name"]].lstrip("\ufeff"), unit["text"]


@pytest.mark.parametrize(("name", "source", "sent"), list(_sent_and_source()), ids=lambda v: str(v)[:24])
def test_sent_script_is_its_source_without_comments_on_the_same_lines(name: str, source: str, sent: str) -> None:
    source_tree, source_comments = _tree(source)
    sent_tree, sent_comments = _tree(sent)
    assert source_comments  # there was something to remove
    assert sent_comments == []
    assert sent_tree == source_tree
    assert sent.count("\n") == source.count("\n")  # "At line:N" from a host is line N of the file
    assert len(sent) < 0.9 * len(source)


def test_scans_send_a_quarter_less_and_export_script_keeps_the_comments() -> None:
    commented = len(build_runner(CHECK_NAMES, embed=False)) + len(runner_sources(CHECK_NAMES))
    sent = len(cached_runner(CHECK_NAMES)) + len(cached_sources(CHECK_NAMES))
    assert sent < 0.8 * commented
    exported = build_runner(CHECK_NAMES, mode="capture")
    assert ".SYNOPSIS" in exported and "# ----" in exported  # the file an organisation signs and reads


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$a = 1 # one\n$b = 2\n", "$a = 1\n$b = 2\n"),
        ("# whole line\r\n$a = 1\r\n", "\r\n$a = 1\r\n"),
        ("$s = 'not # a comment' # but this is\n", "$s = 'not # a comment'\n"),
        ('$s = "x # y `" # z" # gone\n', '$s = "x # y `" # z"\n'),
        ("$s = 'it''s # kept'\n", "$s = 'it''s # kept'\n"),
        ('$s = "$(\'#\' + "<#") # kept" # gone\n', '$s = "$(\'#\' + "<#") # kept"\n'),
        ("$h = @'\n# kept\n<# kept #>\n'@ # gone\n", "$h = @'\n# kept\n<# kept #>\n'@\n"),
        ('$h = @"\n# kept $x\n"@\n', '$h = @"\n# kept $x\n"@\n'),
        ("${a#b} = 1 # gone\n", "${a#b} = 1\n"),
        ("Write-Output a#b c\n", "Write-Output a#b c\n"),  # inside a word, # is part of it
        ("Write-Output a` #b\n", "Write-Output a` #b\n"),  # an escaped space: still the same word
        ("<#\n.SYNOPSIS\n  help\n#>\nfunction f {}\n", "\n\n\n\nfunction f {}\n"),
        ("f <# inline #> x\n", "f  x\n"),
        ("f <# inline #>x\n", "f x\n"),
        ("f x <# a\nb #>\ng\n", "f x <# a\nb #>\ng\n"),  # removing it could end the statement early
        ("if ($a) {# why\n}\n", "if ($a) {\n}\n"),
        ("#requires -Version 5.1\n", "#requires -Version 5.1\n"),
        ("$a = 1\n", "$a = 1\n"),
    ],
)
def test_only_comments_powershell_sees_are_removed(text: str, expected: str) -> None:
    assert strip_comments(text) == expected


def test_a_scan_sends_the_checks_in_one_envelope_at_the_lab() -> None:
    user, password = "LAB\\helpdesk", "Wire-Scr1pt!"
    capture = {h.name: h for h in load_lab_hosts()}["healthy-ja-jp"].capture
    with LabServer([LabHost("pc1", capture)], transport="http", username=user, password=password) as lab:
        stats = lab.host_stats("pc1")
        target = RemoteTarget(host="127.0.0.1", port=lab.port_of("pc1"), transport="http", auth="ntlm")
        result = collect_remote(target, Credentials(user, password), CHECK_NAMES)
        assert result.host_status.state is HostState.OK, result.host_status
        assert all(result.checks[name].status.value == "ok" for name in CHECK_NAMES)
        # 2 handshake legs, Create, Receive, Command (runner and -Sources: no Send), Receive, Delete
        assert stats.requests == 7
        assert stats.open_shells == 0
