"""Inventories cannot exhaust msdiag: ranges are counted before they are expanded, the host cap
holds across lines and formats, YAML aliases cannot multiply the work, and a Shift-JIS CSV from
Japanese Excel gets a hint instead of a byte offset."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

from msdiag.errors import InputError
from msdiag.fleet.inventory import load_inventory


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def peak_memory_of(load: object) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        load()  # type: ignore[operator]
    except InputError as exc:
        return exc, tracemalloc.get_traced_memory()[1]
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return None, peak


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("hosts.ini", "[win]\npc[00000000:99999999].corp.example.jp\n"),
        ("hosts.yml", "all:\n  hosts:\n    pc[00000000:99999999].corp.example.jp:\n"),
        ("nested.ini", "[win]\npc[0000:9999]-[a:z]-[0:9]\n"),
    ],
    ids=["ini", "yaml", "several-ranges"],
)
def test_a_huge_range_is_refused_before_it_is_expanded(tmp_path: Path, name: str, text: str) -> None:
    error, peak = peak_memory_of(lambda: load_inventory(write(tmp_path, name, text)))
    assert isinstance(error, InputError)
    assert "hosts (at most 100,000)" in error.message and f"{name}:" in error.message
    assert peak < 16 * 1024 * 1024  # nothing was expanded (it was 7.1 GB)


def test_the_host_cap_holds_across_lines(tmp_path: Path) -> None:
    lines = "".join(f"r{i}-pc[0000:9999].corp.example.jp\n" for i in range(11))  # 110,000 hosts
    with pytest.raises(InputError, match=r"more than 100,000 hosts"):
        load_inventory(write(tmp_path, "hosts.ini", "[win]\n" + lines))


def test_the_host_cap_holds_for_plain_lists(tmp_path: Path) -> None:
    text = "".join(f"pc{i:06d}.corp.example.jp\n" for i in range(100_001))
    with pytest.raises(InputError, match=r"more than 100,000 hosts"):
        load_inventory(write(tmp_path, "hosts.txt", text))


def test_an_inventory_of_100000_hosts_in_one_group_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.ini", "[win]\npc[000000:099999].corp.example.jp\n")
    targets = load_inventory(path).targets
    assert len(targets) == 100_000 and targets[-1].host == "pc099999.corp.example.jp"


def load_in_subprocess(path: Path) -> subprocess.CompletedProcess[str]:
    # a watchdog, not a speed goal: before the fix these ran for hours
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from msdiag.errors import InputError
        from msdiag.fleet.inventory import load_inventory
        try:
            targets = load_inventory(Path({str(path)!r})).targets
        except InputError as exc:
            print("refused:", exc.message)
        else:
            print("hosts:", len(targets), sorted(targets[0].tags)[:3])
        """
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_a_yaml_alias_bomb_of_groups_costs_nothing(tmp_path: Path) -> None:
    # 2**40 paths through the groups if every alias were walked again
    groups = ["    g0: &g0\n      hosts:\n        pc01.corp.example.jp:\n"]
    groups += [
        f"    g{i}: &g{i}\n      children: {{a{i}: *g{i - 1}, b{i}: *g{i - 1}}}\n" for i in range(1, 41)
    ]
    path = write(tmp_path, "bomb.yml", "all:\n  children:\n" + "".join(groups))
    proc = load_in_subprocess(path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("hosts: 1 "), proc.stdout


def test_a_yaml_alias_bomb_of_host_lists_is_refused(tmp_path: Path) -> None:
    hosts = "".join(f"        pc{i:04d}.corp.example.jp:\n" for i in range(2000))
    groups = "".join(f"    g{i}:\n      hosts: *many\n" for i in range(1, 1000))
    text = "all:\n  children:\n    g0:\n      hosts: &many\n" + hosts + groups
    proc = load_in_subprocess(write(tmp_path, "bomb.yml", text))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("refused:") and "aliases" in proc.stdout, proc.stdout


def test_a_recursive_yaml_alias_is_refused(tmp_path: Path) -> None:
    text = "all:\n  children:\n    loop: &loop\n      children:\n        inner: *loop\n"
    proc = load_in_subprocess(write(tmp_path, "loop.yml", text))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith(("refused:", "hosts: 0")) or "no hosts" in proc.stdout, proc.stdout


def test_yaml_nested_beyond_any_inventory_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yml", "all: " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(InputError, match=r"deep.yml: .*(nest|deep)"):
        load_inventory(path)


def test_shift_jis_csv_from_japanese_excel_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "hosts.csv"
    text = "host,name,tags\r\npc01.corp.example.jp,受付のPC,東京\r\n"
    path.write_bytes(text.encode("cp932"))
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    message = caught.value.message
    assert "Shift-JIS" in message and "CSV UTF-8" in message and str(path) in message
