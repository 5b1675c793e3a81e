"""Fuzzing what hosts and capture files send (hypothesis, deterministic and bounded).

Whatever the input, the capture parser gives a capture or a clear input error, the runner-output
parser gives a result for every requested check, and a code lookup gives an answer or a clear
input error: never another exception (a user would see "internal error", exit 70).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.capture_file import parse_capture_text
from msdiag.collectors.runner_output import parse_runner_output
from msdiag.errors import InputError
from msdiag.knowledge.kb import KnowledgeBase

HEALTHY = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "captures" / "healthy-en-us.json").read_text("utf-8")
)
FUZZ = settings(
    max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# JSON values as hostile producers write them: huge and odd numbers, lone surrogates, deep nesting
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.text(alphabet=st.characters(codec=None), max_size=40),
    st.sampled_from(["\ud800", "\udfff x", "\x1b]0;title\x07", "\u202e", "ok", "error", "not_run"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
# raw JSON text pieces that json.dumps would never write
raw_tokens = st.sampled_from(
    [
        "1" * 5000,
        "-" + "9" * 4400 + ".5e99",
        "[" * 1200 + "]" * 1200,
        '"\\ud800"',
        '"\\udc00\\ud800"',
        "1e999",
    ]
)


def _replace(document: Any, path: list[int], value: Any) -> Any:
    """``document`` with the subtree picked by ``path`` (indices into keys/items) replaced."""
    if not path or not isinstance(document, dict | list) or not document:
        return value
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[path[0] % len(keys)]
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[key] = _replace(document[key], path[1:], value)  # type: ignore[index]
    return copy


def _parses_or_refuses(text: str) -> None:
    try:
        capture = parse_capture_text(text, "fuzz.json")
    except InputError:
        return
    assert set(capture.checks) == set(CHECK_NAMES)
    capture.model_dump_json().encode("utf-8")  # every report can be written


@FUZZ
@given(path=st.lists(st.integers(min_value=0, max_value=50), max_size=7), value=json_values)
def test_capture_with_any_subtree_replaced_parses_or_is_refused(path: list[int], value: Any) -> None:
    _parses_or_refuses(json.dumps(_replace(HEALTHY, path, value)))


@FUZZ
@given(path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=7), token=raw_tokens)
def test_capture_with_hostile_raw_json_parses_or_is_refused(path: list[int], token: str) -> None:
    marker = "@@HOSTILE@@"
    _parses_or_refuses(json.dumps(_replace(HEALTHY, path, marker)).replace(json.dumps(marker), token))


@FUZZ
@given(text=st.text(max_size=200))
def test_any_text_as_a_capture_parses_or_is_refused(text: str) -> None:
    _parses_or_refuses(text)


@FUZZ
@given(lines=st.lists(st.one_of(st.text(max_size=80), json_values.map(json.dumps), raw_tokens), max_size=8))
def test_runner_output_always_gives_a_result_per_requested_check(lines: list[str]) -> None:
    start = '{"msdiag_runner":"start","protocol":1,"host":"PC01"}'
    prefixed = [line if i % 2 else '{"check":"os",' + line for i, line in enumerate(lines)]
    out = parse_runner_output([start, *prefixed], ["os", "time"])
    assert list(out.results) == ["os", "time"]


KB = KnowledgeBase.default()
codes = st.one_of(
    st.text(max_size=120),
    st.from_regex(r"\A(0x|0X|-)?[0-9a-fA-F]{1,12}\Z"),
    st.from_regex(r"\A(AADSTS|CAA|0xCAA)[0-9A-Fa-f]{0,9}\Z"),
    st.from_regex(r"\A[ ０-９ａ-ｆＡ-Ｆｘ－]{1,14}\Z"),  # full-width, as typed with a Japanese IME
    st.text(alphabet=st.characters(codec=None), max_size=40),
)


@FUZZ
@given(text=codes)
def test_code_lookup_answers_or_refuses_clearly(text: str) -> None:
    try:
        found = KB.lookup(text)
    except InputError as exc:
        assert exc.message
        return
    assert found.entry is not None or found.decoded is not None or found.normalized
