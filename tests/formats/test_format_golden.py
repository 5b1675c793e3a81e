"""Golden files: the table and JSON reports of lab captures through the real engine.

The files in tests/golden/ are reviewed in diffs. To regenerate them on purpose (after a deliberate
change to the engine, the knowledge base or a format):

    MSDIAG_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/formats/test_format_golden.py -q

then read `git diff tests/golden/` before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.report_results import TESTS, engine_result

from msdiag.formats.json_format import render_json
from msdiag.formats.redact import redact
from msdiag.formats.table import render_table

GOLDEN = TESTS / "golden"
REGEN = os.environ.get("MSDIAG_REGEN_GOLDEN") == "1"

# (capture, error codes, language)
CASES = [
    ("healthy-ja-jp", (), "ja"),
    ("proxy-mismatch", ("0xCAA70004",), "en"),
    ("clock-skew", (), "ja"),
]


def _check(path: Path, actual: str) -> None:
    if REGEN:
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"{path.name} is missing: run with MSDIAG_REGEN_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path.name} differs; if the change is intended, regenerate (see module doc)"


@pytest.mark.parametrize(("capture", "errors", "lang"), CASES)
def test_table_golden(capture: str, errors: tuple[str, ...], lang: str) -> None:
    result = redact(engine_result(capture, errors=errors), "standard")
    _check(GOLDEN / f"{capture}.{lang}.table.txt", render_table(result, lang=lang, color=False))


@pytest.mark.parametrize(("capture", "errors", "lang"), CASES)
def test_json_golden(capture: str, errors: tuple[str, ...], lang: str) -> None:
    result = redact(engine_result(capture, errors=errors), "standard")
    _check(GOLDEN / f"{capture}.json", render_json(result))


@pytest.mark.parametrize(("capture", "errors", "lang"), CASES)
def test_json_is_stable_across_runs(capture: str, errors: tuple[str, ...], lang: str) -> None:
    first = render_json(redact(engine_result(capture, errors=errors), "standard"))
    second = render_json(redact(engine_result(capture, errors=errors), "standard"))
    assert first == second
