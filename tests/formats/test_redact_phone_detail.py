"""`msdiag phone` and the reports never print the digits of an invalid number (issue 14 item 10).

The invalid-number finding's detail quoted the number as parsed ("+81 9012 is not a valid
number"): the masker cannot recognise a short or malformed number in free text, so the detail
showed every digit the input line masks. Table and JSON, in both languages, and a report.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support.report_results import load_capture

from msdiag.cli import cli
from msdiag.diagnosis.engine import diagnose
from msdiag.formats.redact import redact

# (as typed, the national digits that must not be shown)
INVALID = [("+81-90-12", "9012"), ("+81 1234 5", "12345"), ("+81-90-1234-567", "901234567"), ("+44 20 79", "2079")]


@pytest.mark.parametrize(("number", "national"), INVALID)
@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_invalid_number_detail_is_masked(number: str, national: str, fmt: str, lang: str) -> None:
    result = CliRunner().invoke(cli, ["phone", number, "--format", fmt, "--lang", lang])
    assert result.exit_code == 1, result.output
    assert national not in result.output, result.output
    assert "phone.invalid" in result.output


@pytest.mark.parametrize(("number", "national"), INVALID)
@pytest.mark.parametrize("level", ["standard", "strict"])
def test_a_report_with_an_invalid_number_does_not_show_it(number: str, national: str, level: str) -> None:
    result = redact(diagnose(load_capture("pii"), phone=number), level)
    assert result.phone is not None
    [invalid] = [f for f in result.phone.findings if f.id == "phone.invalid"]
    assert invalid.detail is not None
    shown = invalid.detail.en + invalid.detail.ja + result.phone.input
    assert national not in shown.replace(" ", "").replace("-", ""), shown
