"""A compact line is recognised whole or refused: cut, displaced, altered, unknown; and it holds no
personal data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from msdiag.capture.models import HostState
from msdiag.collectors.capture_file import load_capture
from msdiag.engines.compact import CompactError, expand_compact
from msdiag.engines.compact_encode import compact_line
from msdiag.engines.compact_format import crc, find_compact_line, read_line

REPO = Path(__file__).resolve().parents[2]
LINE = compact_line(load_capture(REPO / "msdiag/lab/hosts/proxy-mismatch.json"))


def _kind(line: str) -> str:
    with pytest.raises(CompactError) as caught:
        expand_compact(line)
    return caught.value.kind


def test_a_line_cut_at_the_end_is_truncated_never_half_read() -> None:
    # Intune keeps a bounded tail of the output; whatever the cut, no partial line is read
    for keep in range(8, len(LINE) - 1, 7):
        assert _kind(LINE[:keep]) in ("truncated", "checksum")


def test_a_line_cut_at_the_start_or_after_other_output_is_not_compact() -> None:
    assert _kind(LINE[10:]) == "not_compact"
    assert _kind("WARNING: something else was written last") == "not_compact"
    assert find_compact_line("VERBOSE: x\r\n" + LINE + "\r\n") == LINE
    assert find_compact_line("no line here") is None


def test_an_altered_line_fails_its_checksum() -> None:
    altered = LINE.replace("nc=-", "nc=3")
    assert altered != LINE
    assert _kind(altered) == "checksum"


def test_a_newer_version_is_named_not_guessed() -> None:
    body = LINE[: LINE.rindex("#")].replace("MSDIAG1;", "MSDIAG2;", 1)
    with pytest.raises(CompactError) as caught:
        expand_compact(body + "#" + crc(body))
    assert caught.value.kind == "version" and "version 2" in caught.value.message


def test_a_well_sealed_line_with_a_bad_field_is_malformed() -> None:
    body = LINE[: LINE.rindex("#")].replace(";ep=0/", ";ep=9/", 1)
    assert _kind(body + "#" + crc(body)) == "malformed"
    body = LINE[: LINE.rindex("#")].replace(";hs=ok;", ";hs=bogus;", 1)
    assert _kind(body + "#" + crc(body)) == "malformed"


def test_a_script_error_line_expands_to_a_capture_with_nothing_collected() -> None:
    body = (
        "MSDIAG1;v=0.1.0;t=20261125T010203Z;hs=constrained_language;pe=-;pv=-;pa=-;uc=-;ck=n,n,n,n,n,n,n,n,n;"
        "fa=-;ov=-;ob=-;oe=-;oc=-;el=-;ad=-;w32=-;tu=-;wi=-;wh=-;env=-;na=-;vp=-;hf=-;he=-;ep=-;wp=-;pac=-;sv=-;"
        "t12=-;nc=-;ds=-;"
    )  # what ps_scripts/MsdiagCompact.ps1 prints when the reduction cannot run
    capture = expand_compact(body + "#" + crc(body), host="PC-0001")
    assert capture.host == "PC-0001" and capture.host_status.state is HostState.CONSTRAINED_LANGUAGE
    assert all(result.document is None for result in capture.checks.values())


def _host_strings(data: object) -> set[str]:
    """Every string the host reported (keys and values) of at least 4 characters."""
    found: set[str] = set()
    if isinstance(data, dict):
        for value in data.values():
            found |= _host_strings(value)
    elif isinstance(data, list):
        for value in data:
            found |= _host_strings(value)
    elif isinstance(data, str) and len(data) >= 4:
        found.add(data)
    return found


@pytest.mark.parametrize("name", ["pii.json", "org-joined-tls-interception.json", "hostile.json"])
def test_no_name_address_or_phone_number_reaches_the_line(name: str) -> None:
    path = REPO / "tests/fixtures/captures" / name
    line = compact_line(load_capture(path))
    for secret in (
        "taro",
        "yamada",
        "YAMADA-TARO-PC",
        "090-1234-5678",
        "Sakura2026",
        "contoso",
        "192.168",
        "2001:db8",
    ):
        assert secret.lower() not in line.lower(), secret
    raw = json.loads(path.read_text(encoding="utf-8"))
    # nothing the host wrote appears, except Microsoft's own host names, versions, plain words and
    # the scripts' own probe names (access denied: `identity/msa_sign_in`)
    allowed = re.compile(
        r"^[A-Za-z0-9_]{1,40}$|^[0-9.]+$|\.(live|microsoft|microsoftonline|msftauth|msftconnecttest)\.(com|net)$"
    )
    leaked = [
        s for s in _host_strings(raw) if s in line and not allowed.search(s) and s not in ("msdiag-capture",)
    ]
    assert leaked == []
    assert read_line(line).version == "0.1.0"
