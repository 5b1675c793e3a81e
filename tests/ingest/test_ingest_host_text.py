"""host_strings (found a subtree at a time, for the fleet report at 100,000 hosts) gives exactly
the strings, in exactly the order, that filtering every string by text_kind gives."""

from __future__ import annotations

import random
from typing import Any

import pytest
from support.engine_samples import captures

from msdiag.diagnosis.engine import diagnose
from msdiag.formats.host_text import host_strings, text_kind, walk_strings


def _reference(data: Any) -> list[str]:
    return [text for path, text in walk_strings(data) if text_kind(path) == "host"]


@pytest.mark.parametrize("name", sorted(captures()))
def test_the_same_strings_as_text_kind_on_every_capture(name: str) -> None:
    data = diagnose(captures()[name]).model_dump(mode="json", by_alias=True)
    assert host_strings(data) == _reference(data)
    assert host_strings(data)  # the capture is host text


_KEYS = ["capture", "host_status", "hint", "findings", "detail", "evidence", "value", "title", "phone",
         "input", "e164", "region", "signals", "errors", "x", 0]


def _random(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 5 or roll < 0.3:
        return rng.choice(["a@b.example", "CORP\\u1", "plain", 3, None, True])
    if roll < 0.65:
        return {str(rng.choice(_KEYS)): _random(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_random(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_the_same_strings_on_random_shapes() -> None:
    rng = random.Random(20261125)
    for _ in range(3000):
        data = {str(rng.choice(_KEYS)): _random(rng, 1) for _ in range(rng.randint(1, 5))}
        assert host_strings(data) == _reference(data), data


def test_the_same_strings_on_every_kind_of_place() -> None:
    data = {
        "verdict": "incomplete",
        "capture": {"host": "pc01", "host_status": {"state": "bad_output", "detail": "cut at a@b.example",
                                                     "hint": "run it again, CORP\\u1"}, "checks": {"os": {"raw": "x"}}},
        "findings": [{"id": "r", "title": {"en": "t"}, "detail": {"en": "CORP\\u2"},
                      "evidence": [{"fact": "f", "value": {"k": ["u@x.example", 1]}}, {"value": "v"}]}],
        "phone": {"input": "+81 90", "e164": "+8190", "country": "JP",
                  "findings": [{"evidence": [{"value": "+81 90-0000"}], "detail": {"en": "d"}}]},
        "region": {"signals": [{"source": "s", "value": "JP"}], "note": "n"},
        "errors": [{"input": "0x8019", "message": "m"}],
        "do_first": [{"en": "step"}],
    }
    assert host_strings(data) == _reference(data)
    assert "cut at a@b.example" in host_strings(data) and "run it again, CORP\\u1" not in host_strings(data)
