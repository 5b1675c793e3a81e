"""One phone masker: `msdiag phone` (table and JSON) and a report (JSON and HTML, which shows the
number as entered) show the same number the same way, and hide the same digits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from msdiag.cli import cli
from msdiag.phone_mask import mask_phones_in_text

CAPTURE = Path(__file__).resolve().parents[1] / "fixtures" / "captures" / "healthy-en-us.json"

# (as typed, --phone-region, what every output shows)
NUMBERS = [
    ("+44 7911 123456", None, "+44 **** **3456"),
    ("+81 90-1234-5678", None, "+81 **-****-5678"),
    ("+81 090-1234-5678", None, "+81 0**-****-5678"),  # the trunk 0 the analysis reports stays visible
    ("+1 650-253-0000", None, "+1 ***-***-0000"),
    ("+819012345678", None, "+81******5678"),
    ("090-1234-5678", "JP", "0**-****-5678"),
]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


@pytest.mark.parametrize(("number", "region", "masked"), NUMBERS, ids=[n for n, _, _ in NUMBERS])
def test_phone_command_and_report_mask_the_number_alike(
    number: str, region: str | None, masked: str, tmp_path: Path
) -> None:
    region_args = ["--region", region] if region else []
    phone_json = json.loads(run("phone", number, "--format", "json", *region_args))
    phone_table = run("phone", number, *region_args)
    report_args = ["diagnose", str(CAPTURE), "--phone", number, "--lang", "en"]
    report_args += ["--phone-region", region] if region else []
    report_json = json.loads(run(*report_args, "--format", "json"))
    run(*report_args, "--format", "html", "--output", str(tmp_path / "report.html"))
    report_html = (tmp_path / "report.html").read_text(encoding="utf-8")

    assert phone_json["input"] == masked
    assert masked in phone_table
    assert report_json["phone"]["input"] == masked
    assert masked in report_html
    digits = re.sub(r"\D", "", number)
    for text in (json.dumps(phone_json), phone_table, json.dumps(report_json), report_html):
        assert number not in text and digits not in text


def test_a_signed_decimal_error_code_is_not_taken_for_a_us_phone_number() -> None:
    # On an en-US machine national numbers are read as US ones: 214-702-3665 would be one. The
    # code the user typed is the product's evidence, not a phone number, and must stay readable.
    report = json.loads(run("diagnose", str(CAPTURE), "--error", "-2147023665", "--format", "json"))
    assert report["errors"][0]["input"] == "-2147023665"
    text = "0x800704CF (-2147023665); call (214) 702-3665"
    assert mask_phones_in_text(text, "US") == "0x800704CF (-2147023665); call (***) ***-3665"
