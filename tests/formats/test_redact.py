"""Redaction levels on pii.json: phone numbers, UPNs, user names, IPs and names in many places."""

from __future__ import annotations

import json

import pytest
from support.report_results import engine_available, engine_result, hand_result, load_capture

from msdiag.diagnosis.models import DiagnosisResult
from msdiag.errors import InputError
from msdiag.formats.html import render_html
from msdiag.formats.json_format import render_json
from msdiag.formats.redact import Redaction, redact
from msdiag.formats.table import render_table

PHONE_DIGITS = ["1234-5678", "12345678", "9876 5432", "98765432", "3-1234-5678"]
USERS = ["taro.yamada", "helpdesk.suzuki"]
EMAIL_LOCALS = ["taro.yamada@", "taro.yamada%40"]
IPS = ["10.1.0.10", "10.1.20.33", "192.168.50.12", "203.0.113.45", "2001:db8:10:1::53", "fe80::1"]
NAMES = ["YAMADA-TARO-PC", "HD-WS-0042", "corp.contoso.co.jp", "contoso.co.jp"]
SECRET = "Sakura2026!"


@pytest.fixture(scope="module", params=["engine", "hand"])
def pii(request: pytest.FixtureRequest) -> DiagnosisResult:
    if request.param == "engine":
        if not engine_available():
            pytest.skip("diagnosis engine not available")
        return engine_result("pii", errors=["0x800704cf"], phone="+81 090-1234-5678")
    return hand_result(load_capture("pii"))


def _all_formats(result: DiagnosisResult) -> str:
    return "\n".join(
        [
            render_json(result),
            render_table(result, lang="en", color=False),
            render_table(result, lang="ja", color=False),
            render_html(result, lang="en"),
            render_html(result, lang="ja"),
        ]
    )


def test_standard_leaves_no_phone_numbers_users_or_mail(pii: DiagnosisResult) -> None:
    text = _all_formats(redact(pii, Redaction.STANDARD))
    for leak in PHONE_DIGITS + USERS + EMAIL_LOCALS + [SECRET]:
        assert leak.lower() not in text.lower(), f"{leak!r} left after standard redaction"
    assert "+81 **-****-5678" in text or "+81 0**-****-5678" in text  # masked, still recognisable
    assert "user-1" in text


def test_standard_placeholders_are_stable(pii: DiagnosisResult) -> None:
    result = redact(pii, "standard")
    data = json.loads(render_json(result))
    identity = data["capture"]["checks"]["identity"]["document"]["data"]["user_name"]
    scope = data["capture"]["checks"]["proxy"]["document"]["data"]["scope"]["user"]
    assert identity == scope == "CONTOSO\\user-1"  # the same user, the same placeholder
    probe_error = data["capture"]["checks"]["identity"]["document"]["errors"][0]["message"]
    assert "C:\\Users\\user-1\\AppData" in probe_error and "user-1@outlook.jp" in probe_error
    assert "CONTOSO\\user-2" in data["capture"]["warnings"][0]  # another user, another placeholder
    assert render_json(redact(pii, "standard")) == render_json(result)  # and stable across runs


def test_standard_keeps_machine_names_and_addresses(pii: DiagnosisResult) -> None:
    text = render_json(redact(pii, "standard"))
    assert "YAMADA-TARO-PC" in text and "10.1.0.10" in text and "login.live.com" in text


def test_strict_also_removes_addresses_and_names(pii: DiagnosisResult) -> None:
    result = redact(pii, Redaction.STRICT)
    text = _all_formats(result)
    for leak in PHONE_DIGITS + USERS + EMAIL_LOCALS + IPS + NAMES + [SECRET]:
        assert leak.lower() not in text.lower(), f"{leak!r} left after strict redaction"
    # Microsoft endpoints, their addresses and loopback stay: they are evidence
    for keep in (
        "login.live.com",
        "login.microsoftonline.com",
        "www.msftconnecttest.com",
        "20.190.177.21",
        "127.0.0.1",
    ):
        assert keep in text
    assert result.capture.host == "host-1"


def test_none_changes_nothing_but_secrets_and_says_so(pii: DiagnosisResult) -> None:
    result = redact(pii, "none")
    assert result.redaction == "none"
    text = render_json(result)
    assert "taro.yamada@outlook.jp" in text and "+81 90-1234-5678" in text and "10.1.0.10" in text
    assert SECRET not in text  # a password in a proxy URL never reaches a report
    assert "personal data" in render_html(result, lang="en")
    page_ja = render_html(result, lang="ja")
    assert "個人情報" in page_ja


def test_show_phone_keeps_numbers_and_says_so(pii: DiagnosisResult) -> None:
    result = redact(pii, "standard", show_phone=True)
    text = render_json(result)
    assert "+81 90-1234-5678" in text and "taro.yamada@" not in text
    assert result.phone_shown
    table = " ".join(render_table(result, lang="en", color=False).split())
    assert "phone numbers shown on request" in table and "phone numbers masked" not in table


def test_report_states_the_level(pii: DiagnosisResult) -> None:
    for level in ("standard", "strict"):
        result = redact(pii, level)
        assert json.loads(render_json(result))["redaction"] == level
        assert f'data-level="{level}"' in render_html(result, lang="en")


def test_unknown_level_is_an_input_error(pii: DiagnosisResult) -> None:
    with pytest.raises(InputError, match="standard"):
        redact(pii, "medium")
