"""The remote collector's per-host CPU savings change nothing on the wire and stay hooked in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pypsrp.powershell import RunspacePool
from pypsrp.serializer import Serializer
from pypsrp.wsman import WSMan

from msdiag.checks import CHECK_NAMES, scripts_dir
from msdiag.collectors import runner_script
from msdiag.collectors.remote.psrp_tuning import (
    MEMOIZE_MIN_CHARS,
    escape_clixml_string,
    ignore_proxy_environment,
    share_string_escaping,
)


def test_memoized_escaping_equals_pypsrp_for_the_runner_and_hostile_text() -> None:
    runner = runner_script.build_runner(list(CHECK_NAMES))
    hostile = ("_x000A_ \r\n\t\x00\x1f\x7f 日本語 😀 _X0041_ " * 400)[: MEMOIZE_MIN_CHARS * 2]
    for text in (runner, hostile, "short _x000D_\n", "", None):
        assert escape_clixml_string(text) == Serializer()._serialize_string(text)
    assert escape_clixml_string(runner) is escape_clixml_string(runner)  # computed once


def test_hooks_take_effect_on_a_pool_and_its_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    wsman = WSMan("127.0.0.1", port=5985, username="u", password="p", ssl=False, auth="ntlm", no_proxy=True)
    ignore_proxy_environment(wsman)
    session = wsman.transport._build_session()
    assert session.trust_env is False
    proxies: dict[str, object] = dict(session.proxies)
    assert proxies == {"http": False}  # what pypsrp's no_proxy set, kept
    pool = RunspacePool(wsman)
    share_string_escaping(pool)
    assert pool._serializer._serialize_string is escape_clixml_string


def test_cached_runner_returns_one_string_and_sees_edited_scripts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "ps_scripts"
    shutil.copytree(scripts_dir(), copy)
    monkeypatch.setattr(runner_script, "scripts_dir", lambda: copy)
    monkeypatch.setattr("msdiag.checks.scripts_dir", lambda: copy)
    first = runner_script.cached_runner(CHECK_NAMES)
    assert runner_script.cached_runner(list(CHECK_NAMES)) is first
    # the check scripts travel as the runner's -Sources data, cached the same way
    sources = runner_script.cached_sources(CHECK_NAMES)
    assert runner_script.cached_sources(list(CHECK_NAMES)) is sources
    script = copy / "Get-MsdiagOs.ps1"
    # (code, not a comment: scans send the scripts without their comments)
    script.write_text(script.read_text("utf-8-sig") + "\n$msdiagEdited = 1\n", encoding="utf-8")
    stat = script.stat()
    os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    edited = runner_script.cached_sources(CHECK_NAMES)
    assert "$msdiagEdited = 1" in edited and "$msdiagEdited" not in sources
