"""Proxy and TLS rules, table-driven."""

from __future__ import annotations

from typing import Any

import pytest
from test_rules_capture_builder import assert_status, capture, healthy_endpoints, probe, run, with_changes

from diag.diagnosis.models import Status

PROXY = "http://proxy.corp.example:8080/"


def proxy(
    wininet: dict[str, Any] | None = None,
    winhttp: dict[str, Any] | None = None,
    env: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return with_changes(
        "proxy",
        wininet={
            "proxy_enable": False,
            "proxy_server": None,
            "proxy_override": None,
            "auto_config_url": None,
            **(wininet or {}),
        },
        winhttp={"source": "registry", "direct": True, "proxy_server": None, **(winhttp or {})},
        environment=env or [],
    )


ON = {"proxy_enable": True, "proxy_server": "proxy.corp.example:8080", "proxy_override": "<local>"}
HTTP_ON = {"direct": False, "proxy_server": "proxy.corp.example:8080"}
THROUGH = {h: probe(h, proxy=PROXY) for h in ("login.live.com", "account.live.com")}
UNREACHABLE = {
    h: probe(h, proxy=PROXY, tcp_error="proxy.corp.example:8080 に接続できませんでした")
    for h in ("login.live.com", "account.live.com")
}
PAC_URL = "http://wpad.corp.example/proxy.pac"

CASES = [
    ("proxy.wininet_winhttp_mismatch", {"proxy": proxy(ON)}, Status.FAIL, "WinHTTP: direct"),
    ("proxy.wininet_winhttp_mismatch", {"proxy": proxy(ON, HTTP_ON)}, Status.PASS, "proxy.corp.example:8080"),
    # the same proxy spelled differently is not a mismatch
    (
        "proxy.wininet_winhttp_mismatch",
        {
            "proxy": proxy(
                ON,
                {
                    "direct": False,
                    "proxy_server": "http=proxy.corp.example:8080;https=Proxy.Corp.Example:8080",
                },
            )
        },
        Status.PASS,
        "Both use",
    ),
    ("proxy.wininet_winhttp_mismatch", {"proxy": proxy({"auto_config_url": PAC_URL})}, Status.WARN, "PAC"),
    ("proxy.wininet_winhttp_mismatch", {"proxy": None}, Status.NOT_COLLECTED, "proxy check"),
    ("proxy.unreachable", {}, Status.NOT_APPLICABLE, "No proxy"),
    (
        "proxy.unreachable",
        {"proxy": proxy(ON, HTTP_ON), "endpoints": healthy_endpoints(**UNREACHABLE)},
        Status.FAIL,
        "proxy.corp.example:8080",
    ),
    (
        "proxy.unreachable",
        {"proxy": proxy(ON, HTTP_ON), "endpoints": healthy_endpoints(**THROUGH)},
        Status.PASS,
        "accepted 2",
    ),
    (
        "proxy.unreachable",
        {"proxy": proxy(ON, HTTP_ON), "endpoints": None},
        Status.NOT_COLLECTED,
        "endpoints",
    ),
    ("proxy.pac_unreachable", {}, Status.NOT_APPLICABLE, "No PAC"),
    (
        "proxy.pac_unreachable",
        {
            "proxy": proxy({"auto_config_url": PAC_URL}),
            "endpoints": {"probes": [probe("wpad.corp.example", dns_error="そのようなホストは不明です。")]},
        },
        Status.FAIL,
        "does not resolve",
    ),
    (
        "proxy.pac_unreachable",
        {"proxy": proxy({"auto_config_url": PAC_URL}), "endpoints": {"probes": [probe("wpad.corp.example")]}},
        Status.PASS,
        "reachable",
    ),
    (
        "proxy.pac_unreachable",
        {"proxy": proxy({"auto_config_url": PAC_URL})},
        Status.NOT_COLLECTED,
        "not probed",
    ),
    ("proxy.environment_override", {}, Status.NOT_APPLICABLE, "No HTTP(S)_PROXY"),
    (
        "proxy.environment_override",
        {
            "proxy": proxy(
                ON, HTTP_ON, [{"scope": "machine", "name": "HTTP_PROXY", "value": "http://10.1.0.8:8080"}]
            )
        },
        Status.WARN,
        "10.1.0.8:8080",
    ),
    (
        "proxy.environment_override",
        {
            "proxy": proxy(
                ON,
                HTTP_ON,
                [{"scope": "user", "name": "https_proxy", "value": "http://proxy.corp.example:8080/"}],
            )
        },
        Status.PASS,
        "match",
    ),
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
def test_proxy_and_tls_rules(rule_id: str, kwargs: dict[str, Any], status: Status, text: str) -> None:
    finding = run(rule_id, capture(**kwargs))
    assert_status(finding, status)
    assert finding.detail is not None and text in finding.detail.en


def test_proxy_credentials_never_reach_the_finding() -> None:
    env = [{"scope": "user", "name": "HTTPS_PROXY", "value": "http://taro:S3cret!@10.1.0.8:8080"}]
    f = run("proxy.environment_override", capture(proxy=proxy(env=env)))
    assert_status(f, Status.WARN)
    dumped = f.model_dump_json()
    assert "S3cret" not in dumped and "taro" not in dumped
