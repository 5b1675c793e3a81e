"""Every data-model field marked as holding a name (msdiag/capture/names.py) is masked, wherever the
name appears: redaction finds names through the markers, so no field is named by hand."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from msdiag.capture.models import Capture
from msdiag.capture.names import (
    AccountSid,
    ComputerName,
    DomainName,
    NameMarker,
    PersonName,
    ServerSetting,
    SignedInUser,
    marked_fields,
    named_values,
)
from msdiag.capture.parse import Facts
from msdiag.checks import CHECKS
from msdiag.formats.redact import Redaction, redact_capture, redaction_inputs

PII = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "captures" / "pii.json").read_text(encoding="utf-8")
)
MARKED = [(c.name, path, marker) for c in CHECKS for path, marker in marked_fields(c.model)]


def _name_for(marker: NameMarker, index: int) -> tuple[str, str]:
    """(the field's value, the name in it that must disappear) for a marker."""
    if marker in (SignedInUser, PersonName):
        return f"FABRIKAM\\person{index}.sato", f"person{index}.sato"
    if marker is AccountSid:
        sid = f"S-1-12-1-2013{index}-1122-3344-55{index}"  # an Entra ID user's SID
        return sid, sid
    if marker is ComputerName:
        return f"FAB-PC-{index:03d}", f"FAB-PC-{index:03d}"
    if marker is DomainName:
        return f"branch{index}.fabrikam-test.example", f"branch{index}.fabrikam-test.example"
    assert marker is ServerSetting
    host = f"srv{index}.fabrikam-test.example"
    return f"http://{host}:8080/", host


def _set_everywhere(value: Any, parts: list[str], new: str) -> int:
    """Set the field at ``parts`` in every list item on the way; how many places were set."""
    if isinstance(value, list):
        return sum(_set_everywhere(item, parts, new) for item in value)
    if not isinstance(value, dict) or (value.get(parts[0]) is None and len(parts) > 1):
        return 0
    if len(parts) == 1:
        value[parts[0]] = new
        return 1
    return _set_everywhere(value[parts[0]], parts[1:], new)


def test_every_check_that_holds_names_has_marked_fields() -> None:
    assert {c for c, _, _ in MARKED} == {"os", "time", "proxy", "network", "endpoints", "identity"}


@pytest.mark.parametrize(("check", "path", "marker"), MARKED, ids=[f"{c}.{p}" for c, p, _ in MARKED])
def test_a_marked_field_is_masked_there_and_in_free_text(check: str, path: str, marker: NameMarker) -> None:
    index = MARKED.index((check, path, marker))
    value, name = _name_for(marker, index)
    capture = copy.deepcopy(PII)
    document = capture["checks"][check]["document"]
    assert _set_everywhere(document["data"], path.split("."), value), (
        f"tests/fixtures/captures/pii.json has no {check}.{path}: give the pii capture one "
        "(tools/make_captures.py) so this marker is tested"
    )
    # the same name in a free-text probe error, where no pattern would recognise it
    document["errors"].append({"probe": "extra", "message": f"could not reach {name} in time", "category": "failed"})
    levels = (Redaction.STANDARD, Redaction.STRICT) if marker.personal else (Redaction.STRICT,)
    for level in levels:
        redacted = redact_capture(Capture.model_validate(capture), level).model_dump_json()
        assert name.lower() not in redacted.lower(), f"{level.value}: {check}.{path} ({marker}) left {name!r}"
    if not marker.personal:
        kept = redact_capture(Capture.model_validate(capture), Redaction.STANDARD).model_dump_json()
        assert name in kept, "infrastructure names are evidence under standard redaction"


CAPTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "captures").glob("*.json")) + sorted(
    (Path(__file__).resolve().parents[2] / "msdiag" / "lab" / "hosts").glob("*.json")
)


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.stem)
def test_the_fleet_reports_cut_down_documents_keep_every_marked_name(path: Path) -> None:
    # the fleet report redacts from redaction_inputs(): smaller documents, the same typed names
    capture = Capture.model_validate_json(path.read_text(encoding="utf-8"))
    cut = capture.model_copy(update={"checks": redaction_inputs(capture)})
    full, small = Facts(capture), Facts(cut)
    for check in CHECKS:
        if not check.holds_names:
            assert check.name not in cut.checks
            continue
        whole = full.data(check.model)
        reduced = small.data(check.model)
        assert (whole is None) == (reduced is None), f"{check.name}: the cut-down document no longer validates"
        if whole is not None and reduced is not None:
            assert list(named_values(reduced)) == list(named_values(whole)), check.name
            assert len(json.dumps(cut.checks[check.name].document)) <= len(
                json.dumps(capture.checks[check.name].document)
            )
