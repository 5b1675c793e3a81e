"""The engine export samples of tests/data/engines/, with their placeholders filled in."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from msdiag.capture.models import Capture
from msdiag.collectors.capture_file import load_capture
from msdiag.lab import load_lab_hosts

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "engines"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
_PLACEHOLDER = re.compile(r"\{\{(compact|compact-cut|capture-json|capture-cut-4k):([a-z0-9-]+)\}\}")


@cache
def captures() -> dict[str, Capture]:
    """Every lab host and fixture capture by name."""
    found = {host.name: host.capture for host in load_lab_hosts()}
    for path in sorted(FIXTURES.glob("*.json")):
        found.setdefault(path.stem, load_capture(path))
    return found


def fill(text: str, encode: Callable[[Capture], str], escape: Callable[[str], str]) -> str:
    def value(match: re.Match[str]) -> str:
        form, name = match.groups()
        if name not in captures():  # "none": the Ansible sample's hosts that never ran
            return match.group(0)
        capture = captures()[name]
        if form == "compact":
            out = encode(capture)
        elif form == "compact-cut":
            line = encode(capture)
            out = line[: len(line) // 2]
        elif form == "capture-json":
            out = capture.model_dump_json()
        else:
            out = capture.model_dump_json()[:4096]
        return escape(out)

    return _PLACEHOLDER.sub(value, text)


def json_escape(text: str) -> str:
    return json.dumps(text)[1:-1]


def csv_escape(text: str) -> str:
    return text.replace('"', '""')


def sample(name: str, folder: Path, encode: Callable[[Capture], str]) -> Path:
    """The sample ``name`` filled in, written into ``folder`` under the same name."""
    source = SAMPLES / name
    raw = source.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    escape = csv_escape if name.endswith(".csv") else json_escape
    out = folder / name
    out.write_bytes((b"\xef\xbb\xbf" if bom else b"") + fill(text, encode, escape).encode("utf-8"))
    return out
