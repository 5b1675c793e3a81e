"""Shared decoding (msdiag/collectors/remote/psrp_decoding.py) gives pypsrp's very results.

Everything a lab host sends in a scan is decoded twice, by pypsrp as it is and with the shared
decoding (the second host's messages from memory), and compared object by object; output strings
a host could send, hostile ones included, decode to what pypsrp makes of them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypsrp.powershell import Fragmenter, PowerShell, RunspacePool
from pypsrp.serializer import Serializer
from pypsrp.wsman import WSMan

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.remote import psrp_decoding
from msdiag.collectors.remote.psrp_decoding import share_message_decoding, unescape_clixml_string
from msdiag.collectors.runner_script import SOURCES_PARAMETER, cached_runner, cached_sources
from msdiag.lab import LabHost, LabServer, load_lab_hosts

USER, PASSWORD = "LAB\\helpdesk", "Dec0ding-Test!"


def _plain(value: Any, depth: int = 0) -> Any:
    """A comparable form of a decoded value: objects as their attributes, recursively."""
    assert depth < 40
    if isinstance(value, (str, int, float, bool, bytes, type(None), enum.Enum)):
        return value
    if isinstance(value, dict):
        return {_plain(k, depth + 1): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    return (type(value).__name__, {k: _plain(v, depth + 1) for k, v in vars(value).items() if k != "_serializer"})


@pytest.fixture(scope="module")
def received() -> Iterator[list[bytes]]:
    """The Receive payloads of two hosts' scans (pool and pipeline), as the wire carried them."""
    capture = {h.name: h for h in load_lab_hosts()}["healthy-ja-jp"].capture
    hosts = [LabHost("pc1", capture), LabHost("pc2", capture)]
    payloads: list[bytes] = []
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as lab:
        for host in hosts:
            wsman = WSMan("127.0.0.1", port=lab.port_of(host.name), username=USER, password=PASSWORD,
                          ssl=False, auth="ntlm")
            pool = RunspacePool(wsman)
            share_message_decoding(pool)
            defragment = pool._fragmenter.defragment

            def recording(data: bytes, defragment: Any = defragment) -> Any:
                payloads.append(data)
                return defragment(data)

            pool._fragmenter.defragment = recording  # type: ignore[method-assign]
            pool.open()
            ps = PowerShell(pool)
            ps.add_script(cached_runner(CHECK_NAMES))
            ps.add_parameter("Checks", list(CHECK_NAMES))
            ps.add_parameter(SOURCES_PARAMETER, cached_sources(CHECK_NAMES))
            ps.invoke()
            assert len(ps.output) > 10 and not ps.had_errors
            pool.close()
    yield payloads


def _decoded(payloads: list[bytes], shared: bool) -> list[Any]:
    serializer = Serializer()
    fragmenter = Fragmenter(512000, serializer)
    if shared:
        holder = type("Pool", (), {"_serializer": serializer})()
        share_message_decoding(holder)  # type: ignore[arg-type]
    return [(m.message_type, _plain(m.data)) for data in payloads for m in fragmenter.defragment(data)]


def test_every_message_of_a_scan_decodes_as_pypsrp_decodes_it(received: list[bytes]) -> None:
    psrp_decoding._decoded.clear()
    expected = _decoded(received, shared=False)
    assert len(expected) > 20  # capability, private data, states and the runner's lines, twice
    assert _decoded(received, shared=True) == expected  # first decoded, then remembered
    assert _decoded(received, shared=True) == expected  # all remembered ones
    assert 0 < len(psrp_decoding._decoded) <= psrp_decoding.DECODED_KEPT


HOSTILE = [
    "",
    '{"msdiag_runner":"start","host":"PC01","utc":"2026-12-01T10:00:00Z"}',
    '{"a":"x > y", "b":"]]"}',
    "_x000A_ line _x000D_ break",
    "_x0041",
    "一开砀础磿_x",
    "\u4e00\u5f00\u7840\u0041\u0042\u0043\u0044_",
    "tab\tnew\nline",
    "emoji \U0001f600 and 日本語",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("form", ["<S>{}</S>", "<S>{}</S>\n", "<S N='x'>{}</S>"])
def test_output_strings_decode_as_pypsrp_decodes_them(text: str, form: str) -> None:
    data = form.format(text)
    holder = type("Pool", (), {"_serializer": Serializer()})()
    share_message_decoding(holder)  # type: ignore[arg-type]
    assert holder._serializer.deserialize(data) == Serializer().deserialize(data)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60))
def test_any_string_element_decodes_as_pypsrp_decodes_it(text: str) -> None:
    # raw, unescaped: markup, entities, carriage returns and control characters included
    data = "<S>" + text + "</S>"
    holder = type("Pool", (), {"_serializer": Serializer()})()
    share_message_decoding(holder)  # type: ignore[arg-type]
    try:
        expected = Serializer().deserialize(data)
    except Exception as exc:  # pypsrp's own failure (e.g. a bad _x escape) must stay a failure
        with pytest.raises(type(exc)):
            holder._serializer.deserialize(data)
        return
    assert holder._serializer.deserialize(data) == expected


def test_an_escape_pypsrp_finds_between_characters_is_still_pypsrps_business() -> None:
    # pypsrp matches _xHHHH_ in UTF-16-BE bytes, also at odd offsets: U+5F00 is "_" then NUL there
    text = "\u4e00\u5f00\u7841\u0041\u0042\u0043\u4100\u5f41"
    assert "_x" not in text
    with pytest.raises(ValueError):  # binascii.Error: pypsrp's own failure
        Serializer()._deserialize_string(text)
    with pytest.raises(ValueError):
        unescape_clixml_string(Serializer()._deserialize_string)(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("_x0A1\u5f00\u4e00\u7841\u4100\u5f41ab "), max_size=40))
def test_unescaping_is_skipped_only_where_pypsrp_changes_nothing(text: str) -> None:
    original = Serializer()._deserialize_string
    try:
        expected = original(text)
    except Exception as exc:
        with pytest.raises(type(exc)):
            unescape_clixml_string(original)(text)
        return
    assert unescape_clixml_string(original)(text) == expected
