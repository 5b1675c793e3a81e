"""`msdiag lab serve` never overwrites another lab's inventory (its ports would all be dead), and
removes its own when it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.lab_serve import start_lab_serve


def serve(folder: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    return start_lab_serve(folder, *args, env={**os.environ, "MSDIAG_LAB_PASSWORD": "Serve-Twice-Pw-1"})


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)


@pytest.mark.slow
def test_a_second_lab_gets_its_own_inventory_and_each_removes_its_own(tmp_path: Path) -> None:
    first, first_text = serve(tmp_path)
    try:
        assert "inventory: lab-inventory.csv" in first_text
        before = (tmp_path / "lab-inventory.csv").read_text(encoding="utf-8")
        second, second_text = serve(tmp_path)
        try:
            assert "inventory: lab-inventory-2.csv" in second_text, second_text
            assert (tmp_path / "lab-inventory.csv").read_text(encoding="utf-8") == before
            assert (tmp_path / "lab-inventory-2.csv").read_text(encoding="utf-8") != before  # other ports
        finally:
            stop(second)
        assert not (tmp_path / "lab-inventory-2.csv").exists()
        assert (tmp_path / "lab-inventory.csv").read_text(encoding="utf-8") == before
    finally:
        stop(first)
    assert not (tmp_path / "lab-inventory.csv").exists()


def test_an_existing_inventory_given_by_name_is_refused_unless_forced(tmp_path: Path) -> None:
    mine = tmp_path / "hosts.csv"
    mine.write_text("host\npc01.corp.example.jp\n", encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "msdiag", "lab", "serve", "--inventory", str(mine)],
        capture_output=True, text=True, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert mine.read_text(encoding="utf-8") == "host\npc01.corp.example.jp\n"
    forced, _ = serve(tmp_path, "--inventory", str(mine), "--force")
    try:
        assert "127.0.0.1" in mine.read_text(encoding="utf-8")
    finally:
        stop(forced)
