"""Proxy rules (WinINET/WinHTTP, reachability, PAC, environment variables), table-driven."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.rule_captures import (
    assert_status,
    capture,
    healthy_endpoints,
    pac_probe,
    probe,
    run,
    with_changes,
)

from msdiag.capture.models import Capture
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Status
from msdiag.diagnosis.rules import RULES, RuleContext

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
PAC_ON = proxy({"auto_config_url": PAC_URL})


def with_pac(pac: dict[str, Any]) -> dict[str, Any]:
    return {**healthy_endpoints(), "pac": pac}


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
    *[
        ("proxy.pac_unreachable", {"proxy": PAC_ON, "endpoints": with_pac(pac)}, Status.FAIL, text)
        for pac, text in [
            # off the company network: the PAC host's name is not in the public DNS
            (
                pac_probe(dns_error="そのようなホストは不明です。"),
                "does not resolve (DNS: そのようなホストは不明です。)",
            ),
            (
                pac_probe(
                    tcp_error="接続済みの呼び出し先が一定の時間を過ぎても正しく応答しなかったため、接続できませんでした。"
                ),
                "No TCP connection to the PAC server wpad.corp.example:80",
            ),
            (
                pac_probe(http_error="The operation has timed out"),
                "HTTP request for http://wpad.corp.example/proxy.pac failed",
            ),
            (pac_probe(status=404), "HTTP 404"),
            # a captive portal or a proxy login page answering in place of the PAC
            (pac_probe(body_bytes=1893, looks_like_pac=False), "not a PAC script: its 1893 bytes"),
        ]
    ],
    (
        "proxy.pac_unreachable",
        {"proxy": PAC_ON, "endpoints": with_pac(pac_probe())},
        Status.PASS,
        "4318 bytes",
    ),
    # the PAC URL is configured but the endpoints check did not probe it (or did not run)
    (
        "proxy.pac_unreachable",
        {"proxy": PAC_ON, "endpoints": healthy_endpoints()},
        Status.NOT_COLLECTED,
        "not probed",
    ),
    ("proxy.pac_unreachable", {"proxy": PAC_ON, "endpoints": None}, Status.NOT_COLLECTED, "endpoints"),
    ("proxy.pac_unreachable", {"proxy": None}, Status.NOT_COLLECTED, "proxy check"),
    # a probe cut short (TCP fine, no HTTP result) is not a pass
    (
        "proxy.pac_unreachable",
        {
            "proxy": PAC_ON,
            "endpoints": with_pac({**pac_probe(), "http": None, "bytes": None, "looks_like_pac": None}),
        },
        Status.NOT_COLLECTED,
        "no result",
    ),
    (
        "proxy.pac_unreachable",
        {"proxy": proxy({"auto_config_url": "file://C:/Windows/proxy.pac"})},
        Status.FAIL,
        "file://",
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
]


@pytest.mark.parametrize(("rule_id", "kwargs", "status", "text"), CASES)
def test_proxy_rules(rule_id: str, kwargs: dict[str, Any], status: Status, text: str) -> None:
    finding = run(rule_id, capture(**kwargs))
    assert_status(finding, status)
    assert finding.detail is not None and text in finding.detail.en


def test_proxy_credentials_never_reach_the_finding() -> None:
    env = [{"scope": "user", "name": "HTTPS_PROXY", "value": "http://taro:S3cret!@10.1.0.8:8080"}]
    f = run("proxy.environment_override", capture(proxy=proxy(env=env)))
    assert_status(f, Status.WARN)
    dumped = f.model_dump_json()
    assert "S3cret" not in dumped and "taro" not in dumped


def test_pac_failure_names_the_url_and_the_step_in_japanese_too() -> None:
    finding = run(
        "proxy.pac_unreachable",
        capture(proxy=PAC_ON, endpoints=with_pac(pac_probe(dns_error="そのようなホストは不明です。"))),
    )
    assert_status(finding, Status.FAIL)
    assert finding.detail is not None
    assert PAC_URL in finding.detail.ja and "名前解決できません" in finding.detail.ja
    assert any(e.fact == "endpoints.pac.dns.error" for e in finding.evidence)


def test_pac_given_with_pac_url_is_judged_without_an_auto_config_url() -> None:
    finding = run("proxy.pac_unreachable", capture(endpoints=with_pac(pac_probe(status=503))))
    assert_status(finding, Status.FAIL)
    assert finding.detail is not None and "HTTP 503" in finding.detail.en


def test_pac_unreachable_fixture_fails_on_dns_and_hosts_still_pass() -> None:
    # tests/fixtures/captures/pac-unreachable.json: at home, VPN off, the company PAC host unknown
    path = Path(__file__).parents[2] / "fixtures" / "captures" / "pac-unreachable.json"
    facts = Facts(Capture.model_validate_json(path.read_text(encoding="utf-8")))
    finding = RULES["proxy.pac_unreachable"](facts, RuleContext())
    assert_status(finding, Status.FAIL)
    assert finding.detail is not None
    assert "http://wpad.corp.example/proxy.pac" in finding.detail.en and "DNS" in finding.detail.en
    tls = RULES["tls.handshake_failure"](facts, RuleContext())
    assert tls.status is Status.PASS, "the hosts go direct and work"


def test_without_a_proxy_the_endpoints_check_is_not_needed() -> None:
    # the proxy rules judge "no proxy" before they ask for the probes
    for rule_id in ("proxy.unreachable", "proxy.pac_unreachable"):
        assert_status(run(rule_id, capture(endpoints=None)), Status.NOT_APPLICABLE)
