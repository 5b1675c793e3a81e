"""Example outputs of every check (ja-JP and en-US) validate against the models and the shipped schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from support.check_documents import EN_US, JA_JP

from msdiag.capture.models import CheckStatus
from msdiag.capture.parse import parse_check_output
from msdiag.capture.schema import check_data_schema
from msdiag.checks import CHECK_NAMES

CASES = [(f"ja-JP:{c}", JA_JP[c]) for c in CHECK_NAMES] + [(f"en-US:{c}", EN_US[c]) for c in CHECK_NAMES]


@pytest.mark.parametrize(("case", "document"), CASES, ids=[c for c, _ in CASES])
def test_example_validates_against_models(case: str, document: dict[str, Any]) -> None:
    # Compressed and non-ASCII, as ConvertTo-Json -Compress prints it.
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    check, result = parse_check_output(text, expected_check=document["check"])
    assert check == document["check"]
    assert result.status is CheckStatus.OK, result.reason
    assert result.document is not None and result.document["data"] == document["data"]


@pytest.mark.parametrize(("case", "document"), CASES, ids=[c for c, _ in CASES])
def test_example_validates_against_shipped_schema(case: str, document: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(check_data_schema(document["check"])).validate(document)


@pytest.mark.parametrize(
    ("check", "mutate", "reason"),
    [
        ("os", lambda d: d["data"].update(build="22631"), "build"),  # 5.1 string, not an int
        ("services", lambda d: d["data"]["services"][0].update(status=4), "status"),  # enum as integer
        (
            "time",
            lambda d: d["data"].update(time_zone={"base_utc_offset_minutes": {"Ticks": 3}}),
            "time_zone",
        ),
        ("locale", lambda d: d.update(schema_version=3), "schema_version"),
        ("identity", lambda d: d["errors"][0].update(category="weird"), "category"),
    ],
)
def test_wrong_shapes_are_errors_with_raw_kept(check: str, mutate: Any, reason: str) -> None:
    document = json.loads(json.dumps(JA_JP[check]))
    mutate(document)
    text = json.dumps(document, ensure_ascii=False)
    _, result = parse_check_output(text, expected_check=check)
    assert result.status is CheckStatus.ERROR
    assert reason in (result.reason or "")
    assert result.raw == text
