"""Strict redaction hides the organisation's own servers: proxy, PAC, VPN and hosts-file host names."""

from __future__ import annotations

from pathlib import Path

import pytest

from msdiag.collectors.capture_file import load_capture
from msdiag.diagnosis.engine import diagnose
from msdiag.formats.html import render_html
from msdiag.formats.json_format import render_json
from msdiag.formats.redact import Redaction, redact
from msdiag.formats.table import render_table

PII = Path(__file__).resolve().parents[1] / "fixtures" / "captures" / "pii.json"
# yamada-home.local: a hosts-file entry "login.live.com.yamada-home.local" (the hostname field is a
# ServerSetting since the markers: it named the user's home network in strict reports before)
SERVERS = ("wpad.taro-yamada.example", "proxy.corp.contoso.co.jp", "vpn.contoso.co.jp", "yamada-home.local")


@pytest.fixture(scope="module")
def outputs() -> dict[str, list[str]]:
    result = diagnose(load_capture(PII), errors=["0xCAA70004"])
    rendered: dict[str, list[str]] = {}
    for level in (Redaction.STRICT, Redaction.STANDARD):
        redacted = redact(result, level)
        rendered[level.value] = [
            render_json(redacted),
            render_html(redacted, lang="en"),
            render_table(redacted, lang="en", color=False),
        ]
    return rendered


@pytest.mark.parametrize("server", SERVERS)
def test_strict_hides_infrastructure_host_names(outputs: dict[str, list[str]], server: str) -> None:
    for text in outputs["strict"]:
        assert server not in text


def test_standard_keeps_server_names_as_evidence(outputs: dict[str, list[str]]) -> None:
    # Under standard redaction a proxy name is diagnostic evidence, not personal data.
    assert "proxy.corp.contoso.co.jp" in outputs["standard"][0]
