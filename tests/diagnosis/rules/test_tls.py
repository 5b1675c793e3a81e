"""TLS rules: handshake failures, interception by a foreign CA, TLS 1.2 disabled in SCHANNEL."""

from __future__ import annotations

from typing import Any

import pytest
from support.rule_captures import assert_status, capture, healthy_endpoints, probe, run

from msdiag.diagnosis.models import Status

CASES = [
    ("tls.handshake_failure", {}, Status.PASS, "6 host"),
    (
        "tls.handshake_failure",
        {
            "endpoints": healthy_endpoints(
                **{"login.live.com": probe("login.live.com", tls_error="SSPI への呼び出しに失敗しました。")}
            )
        },
        Status.FAIL,
        "login.live.com",
    ),
    ("tls.interception", {}, Status.PASS, "Microsoft or DigiCert"),
    (
        "tls.interception",
        {
            "endpoints": healthy_endpoints(
                **{"login.live.com": probe("login.live.com", issuer="CN=Contoso Inspection CA, O=Contoso")}
            )
        },
        Status.FAIL,
        "Contoso Inspection CA",
    ),
    ("tls.protocol_disabled", {}, Status.PASS, "Windows default"),
    (
        "tls.protocol_disabled",
        {
            "tls": {
                "schannel_client": [
                    {"protocol": "TLS 1.2", "key_present": True, "enabled": 0, "disabled_by_default": 0}
                ]
            }
        },
        Status.FAIL,
        "Enabled=0",
    ),
    (
        "tls.protocol_disabled",
        {
            "tls": {
                "schannel_client": [
                    {"protocol": "TLS 1.2", "key_present": True, "enabled": 1, "disabled_by_default": 1}
                ]
            }
        },
        Status.FAIL,
        "DisabledByDefault=1",
    ),
    (
        "tls.protocol_disabled",
        {
            "tls": {
                "schannel_client": [
                    {
                        "protocol": "TLS 1.2",
                        "key_present": True,
                        "enabled": 4294967295,
                        "disabled_by_default": 0,
                    }
                ]
            }
        },
        Status.PASS,
        "enabled",
    ),
    ("tls.protocol_disabled", {"tls": None}, Status.NOT_COLLECTED, "tls check"),
]


@pytest.mark.parametrize(("rule_id", "kwargs", "status", "text"), CASES)
def test_tls_rules(rule_id: str, kwargs: dict[str, Any], status: Status, text: str) -> None:
    finding = run(rule_id, capture(**kwargs))
    assert_status(finding, status)
    assert finding.detail is not None and text in finding.detail.en


def test_the_connectivity_test_host_is_not_judged_for_its_issuer() -> None:
    # www.msftconnecttest.com is plain HTTP for NCSI; a foreign issuer on its 443 probe is no interception
    eps = healthy_endpoints(
        **{"www.msftconnecttest.com": probe("www.msftconnecttest.com", issuer="CN=Contoso Inspection CA")}
    )
    assert_status(run("tls.interception", capture(endpoints=eps)), Status.PASS)


def test_no_tcp_connection_means_no_handshake_was_tried() -> None:
    eps = {"probes": [probe("login.live.com", tcp_error="refused")]}
    f = run("tls.handshake_failure", capture(endpoints=eps))
    assert_status(f, Status.NOT_COLLECTED)
    assert f.detail is not None and "no TLS handshake was attempted" in f.detail.en
