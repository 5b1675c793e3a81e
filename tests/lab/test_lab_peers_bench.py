"""bench/peers.py gives both tools one inventory that each reads the same way, and skips with a
clear message (status 0, a JSON line saying why) when Ansible cannot be had."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from msdiag.fleet.inventory import load_inventory

ROOT = Path(__file__).resolve().parents[2]


def _peers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_peers", ROOT / "bench" / "peers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_peers"] = module
    spec.loader.exec_module(module)
    return module


def test_msdiag_reads_the_peers_inventory_as_ansible_does(tmp_path: Path) -> None:
    peers = _peers()
    path = tmp_path / "inventory.ini"
    path.write_text(peers.inventory_text([("pc00000", 40001), ("pc00001", 40002)]))
    targets = load_inventory(path).targets
    assert [(t.name, t.host, t.port, t.transport, t.auth, t.username) for t in targets] == [
        ("pc00000", "127.0.0.1", 40001, "http", "ntlm", "bench"),
        ("pc00001", "127.0.0.1", 40002, "http", "ntlm", "bench"),
    ]
    assert "password" not in path.read_text()  # Ansible's comes from a private extra-vars file


def test_without_ansible_the_benchmark_skips_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    peers = _peers()
    monkeypatch.setattr(sys, "argv", ["peers.py", "--no-install", "--ansible-venv", str(tmp_path / "none")])
    assert peers.main() == 0
    out = capsys.readouterr()
    assert "peers: skipped: Ansible is not installed in" in out.err
    assert "skipped" in json.loads(out.out.strip().splitlines()[-1])
