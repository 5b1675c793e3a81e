"""host_strings (msdiag/formats/host_text.py) finds exactly the strings text_kind calls host text.

The fast walk skips building a path for every string; these compare it, string for string and in
order (placeholders are numbered in that order), with the path-by-path definition: on the dumped
results of the lab's machines (whole, and cut down as the fleet report redacts them) and on
arbitrary JSON trees built from the keys that matter.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import DiagnosisResult, Status
from msdiag.formats.host_text import host_strings, text_kind, walk_strings
from msdiag.formats.identities import redaction_inputs
from msdiag.lab import load_lab_hosts


def _as_the_fleet_report_redacts(result: DiagnosisResult) -> DiagnosisResult:
    findings = [
        f.model_copy(update={"evidence": [], "remediation": []})
        for f in result.findings
        if f.status in (Status.FAIL, Status.WARN)
    ]
    capture = result.capture.model_copy(update={"checks": redaction_inputs(result.capture)})
    return result.model_copy(update={"findings": findings, "errors": [], "capture": capture})


def _by_path(data: Any) -> list[str]:
    return [text for path, text in walk_strings(data) if text_kind(path) == "host"]


@pytest.mark.parametrize("host", load_lab_hosts(), ids=lambda h: h.name)
@pytest.mark.parametrize("part", ["whole", "fleet report"])
def test_the_lab_machines_results_give_the_same_host_strings(host: Any, part: str) -> None:
    result = diagnose(host.capture)
    if part == "fleet report":
        result = _as_the_fleet_report_redacts(result)
    data = result.model_dump(mode="json", by_alias=True)
    expected = _by_path(data)
    assert expected  # the capture alone holds many
    assert host_strings(data) == expected


KEYS = st.sampled_from(
    ["capture", "findings", "evidence", "value", "host_status", "hint", "detail", "phone", "input", "e164",
     "region", "signals", "errors", "title", "checks", "x"]
)
LEAVES = st.one_of(st.text(max_size=5), st.integers(), st.none(), st.booleans())
TREES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
                     max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, TREES, max_size=6))
def test_any_tree_gives_the_same_host_strings(data: dict[str, Any]) -> None:
    assert host_strings(data) == _by_path(data)
