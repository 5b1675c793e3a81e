"""Run the msdiag console entry point in-process: (exit code, stdout, stderr).

A plain module (not a test module): test modules import it as ``support.cli_run``."""

from __future__ import annotations

import pytest

from msdiag.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err
