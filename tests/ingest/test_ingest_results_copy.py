"""The results file keeps exactly the newest line of each device: kept lines are copied from the
spool as byte ranges (os.copy_file_range where the kernel has it, else read and written)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from msdiag.ingest.pipeline import copy_range, kept_ranges

LINES = [f'{{"n": {n}, "pad": "{"x" * (n * 37 % 300)}"}}\n'.encode() for n in range(1, 400)]


@pytest.mark.parametrize("kernel_copy", [True, False], ids=["copy_file_range", "read-write"])
@pytest.mark.parametrize("keep", [set(range(1, 400)), {1}, {399}, set(range(2, 400, 3)) | {1, 2, 3, 200, 201}, set()])
def test_the_kept_lines_and_only_they_are_copied(
    tmp_path: Path, keep: set[int], kernel_copy: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not kernel_copy:
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    spool = tmp_path / "spool"
    spool.write_bytes(b"".join(LINES))
    with open(spool, "rb") as source, open(tmp_path / "out", "wb") as target:
        target.write(b"first\n")  # the copy appends after what the file holds
        for offset, length in kept_ranges([len(line) for line in LINES], keep):
            copy_range(source, target, offset, length)
    expected = b"first\n" + b"".join(line for n, line in enumerate(LINES, start=1) if n in keep)
    assert (tmp_path / "out").read_bytes() == expected


def test_a_spool_shorter_than_its_lines_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from msdiag.errors import InputError

    monkeypatch.delattr(os, "copy_file_range", raising=False)
    spool = tmp_path / "spool"
    spool.write_bytes(b"".join(LINES[:3]))
    with open(spool, "rb") as source, open(tmp_path / "out", "wb") as target, pytest.raises(InputError):
        copy_range(source, target, 0, sum(map(len, LINES[:4])))
