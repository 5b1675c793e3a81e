"""The shipped JSON Schema is the public contract: it must match the typed models exactly."""

from __future__ import annotations

import json

import jsonschema

from msdiag.capture.schema import SCHEMA_PATH, check_data_schema, generate_schema, load_schema
from msdiag.checks import CHECK_NAMES


def test_shipped_schema_is_what_the_models_generate() -> None:
    shipped = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(generate_schema())), (
        "msdiag/capture/capture.schema.json is stale: regenerate it with `python -m msdiag.capture.schema`"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema())
    for name in CHECK_NAMES:
        jsonschema.Draft202012Validator.check_schema(check_data_schema(name))


def test_schema_rejects_a_wrongly_typed_value() -> None:
    validator = jsonschema.Draft202012Validator(check_data_schema("services"))
    bad = {
        "check": "services",
        "schema_version": 1,
        "collected_utc": "2026-11-25T01:00:00Z",
        "data": {"services": [{"name": "wlidsvc", "status": 4, "start_type": 3}]},
        "errors": [],
    }
    messages = [e.message for e in validator.iter_errors(bad)]
    assert messages, "enum integers (5.1's ConvertTo-Json default) must be rejected: the scripts emit strings"
