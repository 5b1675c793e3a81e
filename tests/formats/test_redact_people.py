"""Redaction hides people and leaves msdiag's own words alone (issue 14 item 10).

- a Japanese personal name, learned from a device named after its owner (「鈴木花子のiPhone」),
  is replaced wherever the host's text has it, with or without the space (「鈴木 花子」);
- devices named "<name>'s iPhone" / 「<name>のPC」 make <name> personal;
- the account msdiag scanned with (--username) is replaced where the host's text names it;
- msdiag's own advice is never rewritten ("Check the user name (DOMAIN\\user or user@domain)").
"""

from __future__ import annotations

import json

import pytest
from pypsrp.exceptions import AuthenticationError
from support.report_results import engine_result, load_capture

from msdiag.capture.models import Capture, HostState
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget
from msdiag.collectors.remote.failures import classify_failure
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import DiagnosisResult
from msdiag.formats.catalog import HOST_FORMATS
from msdiag.formats.interface import RenderOptions
from msdiag.formats.redact import redact, redact_capture


def _every_format(result: DiagnosisResult) -> str:
    return "\n".join(f.render(result, RenderOptions(lang=lang)) for f in HOST_FORMATS for lang in ("en", "ja"))


def _with_adapters_and_warning(names: list[str], warning: str) -> Capture:
    capture = load_capture("pii")
    network = capture.checks["network"].document
    assert network is not None
    for i, name in enumerate(names):
        network["data"]["adapters"].append(
            {"name": name, "description": "Bluetooth Device (Personal Area Network)", "status": "Disconnected",
             "media_type": "802.3", "if_index": 40 + i, "is_vpn": False, "vpn_vendor": None}
        )
    capture.warnings.append(warning)
    return capture


@pytest.mark.parametrize("level", ["standard", "strict"])
def test_a_japanese_name_in_a_device_name_and_a_warning_is_replaced(level: str) -> None:
    capture = _with_adapters_and_warning(["鈴木花子のiPhone"], "テザリング: 鈴木 花子 さんの端末を検出しました")
    text = _every_format(redact(diagnose(capture), level))
    assert "鈴木" not in text and "花子" not in text
    assert "user-" in text and "のiPhone" in text  # the device is still recognisable, its owner is not


@pytest.mark.parametrize(
    ("device", "owner"),
    [
        ("Taro's iPhone", "Taro"),
        ("Hanako Suzuki\u2019s MacBook Air", "Hanako Suzuki"),
        ("佐藤一郎のPC", "佐藤一郎"),
        ("山本のパソコン", "山本"),
    ],
)
def test_devices_named_after_a_person_make_the_name_personal(device: str, owner: str) -> None:
    capture = _with_adapters_and_warning([device], f"{owner} の端末から接続")
    text = _every_format(redact(diagnose(capture), "standard"))
    assert owner not in text


def test_words_that_are_no_owner_stay() -> None:
    capture = _with_adapters_and_warning(["お使いのPC", "Microsoft's PC Manager"], "社用のPC に接続")
    data = json.loads(HOST_FORMATS.get("json").render(redact(diagnose(capture), "standard"), RenderOptions()))
    names = [a["name"] for a in data["capture"]["checks"]["network"]["document"]["data"]["adapters"]]
    assert "お使いのPC" in names and "Microsoft's PC Manager" in names
    assert "社用のPC に接続" in data["capture"]["warnings"]


def test_the_scanning_account_is_replaced_where_the_host_names_it() -> None:
    capture = load_capture("proxy-mismatch")
    identity = capture.checks["identity"].document
    assert identity is not None
    identity["errors"] = [
        {"probe": "dsregcmd", "message": "Access is denied for svc-helpdesk07 (0x80070005)", "category": "access_denied"}
    ]
    result = diagnose(capture)
    assert "svc-helpdesk07" in _every_format(redact(result, "standard"))  # nothing else names it
    for level in ("standard", "strict"):
        text = _every_format(redact(result, level, accounts=["CORP\\svc-helpdesk07"]))
        assert "svc-helpdesk07" not in text
        saved = redact_capture(capture, level, accounts=["svc-helpdesk07@corp.example"]).model_dump_json()
        assert "svc-helpdesk07" not in saved


def test_msdiag_own_advice_is_not_rewritten() -> None:
    target = RemoteTarget(host="pc01.corp.example", transport="https", auth="ntlm")
    status = classify_failure(AuthenticationError("401"), target, Credentials("CORP\\taro", "pw"), "connect")
    assert status.state is HostState.AUTH_FAILED and status.hint and "DOMAIN\\user" in status.hint
    capture = load_capture("pii")
    capture.host_status = status
    result = diagnose(capture, errors=["0x800704cf"])
    for level in ("standard", "strict"):
        redacted = redact(result, level)
        assert redacted.capture.host_status.hint == status.hint  # "Check the user name (DOMAIN\\user ..."
        # every text msdiag wrote stays as written: titles, steps, the knowledge base's words
        assert [f.title for f in redacted.findings] == [f.title for f in result.findings]
        assert [f.remediation for f in redacted.findings] == [f.remediation for f in result.findings]
        assert redacted.errors[0].causes == result.errors[0].causes
        assert redacted.errors[0].meaning == result.errors[0].meaning
        assert "user-1" in redacted.capture.model_dump_json()  # the host's own user is still replaced


def test_a_finding_detail_quoting_a_host_name_is_redacted() -> None:
    # details are msdiag sentences quoting host values: the names found in the host's data go
    result = engine_result("pii", errors=["0x800704cf"])
    quoted = [f.detail.en for f in result.findings if f.detail and "contoso.co.jp" in f.detail.en]
    assert quoted, "the pii capture is expected to have findings quoting its domain and proxy"
    text = _every_format(redact(result, "strict"))
    assert "contoso" not in text.lower()
