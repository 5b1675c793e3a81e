"""The capture's JSON Schema, generated from the typed models and shipped in the package.

Other tools (Intune, ConfigMgr, Ansible) that run the same scripts can validate what they produce
against capture.schema.json. A test keeps the shipped file equal to what the models generate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from msdiag.capture.field_docs import describe_schema, models_under
from msdiag.capture.models import Capture, CheckDocument
from msdiag.checks import CHECKS

SCHEMA_PATH = Path(__file__).with_name("capture.schema.json")


def generate_schema() -> dict[str, Any]:
    """The capture envelope, the check document, and each check's data, in one schema file."""
    capture = Capture.model_json_schema(mode="validation")
    defs: dict[str, Any] = capture.pop("$defs", {})
    document = CheckDocument.model_json_schema(mode="validation")
    defs.update(document.pop("$defs", {}))
    # The models accept any check name (the spec validates it); the schema lists the spec's names.
    document["properties"]["check"] = {"enum": [c.name for c in CHECKS], "title": "Check", "type": "string"}
    defs["CheckDocument"] = document
    for check in CHECKS:
        schema = check.model.model_json_schema(mode="validation")
        defs.update(schema.pop("$defs", {}))
        defs[f"{check.name}_data"] = schema
    # field descriptions: the models' #: comments (msdiag.capture.field_docs)
    roots: list[type[BaseModel]] = [Capture, CheckDocument, *(c.model for c in CHECKS)]
    models = {m.__name__: m for root in roots for m in models_under(root)}
    models.update((f"{c.name}_data", c.model) for c in CHECKS)
    describe_schema(capture, Capture)
    for name, definition in defs.items():
        if name in models:
            describe_schema(definition, models[name])
    capture["$defs"] = dict(sorted(defs.items()))
    capture["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    capture["$id"] = "https://msdiag.invalid/schemas/capture-v2.json"
    capture["description"] = (
        "msdiag capture v2: everything one scan collected from one host. checks.<name>.document, "
        "when present, is a CheckDocument whose data follows $defs/<name>_data."
    )
    return capture


def check_data_schema(check: str) -> dict[str, Any]:
    """A standalone schema for one check's document with its data (for validating script output)."""
    full = load_schema()
    doc = dict(full["$defs"]["CheckDocument"])
    doc["properties"] = dict(doc["properties"])
    doc["properties"]["data"] = {"$ref": f"#/$defs/{check}_data"}
    doc["properties"]["check"] = {"const": check}
    doc["$defs"] = full["$defs"]
    return doc


def load_schema() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


def write_schema(path: Path = SCHEMA_PATH) -> None:
    path.write_text(
        json.dumps(generate_schema(), indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8"
    )


if __name__ == "__main__":
    write_schema()
