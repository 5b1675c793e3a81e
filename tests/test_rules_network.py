"""Network, DNS, hosts-file, TCP, NCSI, HTTP and VPN rules: fail, pass, not_collected, boundaries."""

from __future__ import annotations

from typing import Any

import pytest
from test_rules_capture_builder import (
    HEALTHY,
    assert_status,
    capture,
    healthy_endpoints,
    probe,
    run,
    with_changes,
)

from diag.diagnosis.models import Status

PROXY = "http://proxy.corp.example:8080/"
WSAE_REFUSED = "接続済みの呼び出し先が一定の時間を過ぎても正しく応答しなかったため、接続できませんでした。"
NO_SUCH_HOST = "そのようなホストは不明です。"


def proxied(**wininet: Any) -> dict[str, Any]:
    return with_changes(
        "proxy",
        wininet={
            "proxy_enable": True,
            "proxy_server": "proxy.corp.example:8080",
            "proxy_override": "<local>",
            **wininet,
        },
        winhttp={"source": "registry", "direct": False, "proxy_server": "proxy.corp.example:8080"},
    )


def hosts_entries(*entries: tuple[str, str]) -> dict[str, Any]:
    return with_changes(
        "network",
        hosts_entries=[
            {"address": a, "hostname": h, "line_number": 22 + i} for i, (a, h) in enumerate(entries)
        ],
    )


CASES = [
    # (rule, capture kwargs, expected status, text that must appear in the English detail)
    ("network.no_active_adapter", {}, Status.PASS, "Wi-Fi"),
    (
        "network.no_active_adapter",
        {"network": with_changes("network", adapters=[{"name": "Wi-Fi", "status": "Disconnected"}])},
        Status.FAIL,
        "None of the 1",
    ),
    (
        "dns.account_hosts",
        {
            "endpoints": healthy_endpoints(
                **{"login.live.com": probe("login.live.com", dns_error=NO_SUCH_HOST)}
            )
        },
        Status.FAIL,
        "login.live.com",
    ),
    ("dns.account_hosts", {}, Status.PASS, "All 6"),
    (
        "hosts_file.override",
        {"network": hosts_entries(("0.0.0.0", "login.live.com"))},
        Status.FAIL,
        "blocks login.live.com",
    ),
    (
        "hosts_file.override",
        {"network": hosts_entries(("192.168.50.12", "login.live.com.yamada-home.local"))},
        Status.PASS,
        "No hosts-file line",
    ),
    # the host goes through the proxy: the client-side override does not apply now
    (
        "hosts_file.override",
        {
            "network": hosts_entries(("0.0.0.0", "login.live.com")),
            "proxy": proxied(),
            "endpoints": healthy_endpoints(**{"login.live.com": probe("login.live.com", proxy=PROXY)}),
        },
        Status.WARN,
        "through the proxy",
    ),
    # ... unless the bypass list covers the host: then it is reached directly and the override bites
    (
        "hosts_file.override",
        {
            "network": hosts_entries(("0.0.0.0", "login.live.com")),
            "proxy": proxied(proxy_override="<local>;*.live.com"),
            "endpoints": healthy_endpoints(**{"login.live.com": probe("login.live.com", proxy=PROXY)}),
        },
        Status.FAIL,
        "blocks login.live.com",
    ),
    (
        "tcp.partial_block",
        {
            "endpoints": healthy_endpoints(
                **{"login.live.com": probe("login.live.com", tcp_error=WSAE_REFUSED)}
            )
        },
        Status.FAIL,
        "Blocked: login.live.com",
    ),
    ("tcp.partial_block", {}, Status.PASS, "All 6"),
    (
        "tcp.all_blocked",
        {
            "endpoints": {
                "probes": [probe(h, tcp_error=WSAE_REFUSED) for h in ("login.live.com", "account.live.com")]
            }
        },
        Status.FAIL,
        "All 2 direct",
    ),
    ("tcp.all_blocked", {}, Status.PASS, "6 host"),
    (
        "endpoints.ncsi_blocked",
        {
            "endpoints": healthy_endpoints(
                **{"www.msftconnecttest.com": probe("www.msftconnecttest.com", tcp_error=WSAE_REFUSED)}
            )
        },
        Status.FAIL,
        "refuses TCP",
    ),
    ("endpoints.ncsi_blocked", {}, Status.PASS, "answered"),
    (
        "http.unexpected_response",
        {
            "proxy": proxied(),
            "endpoints": healthy_endpoints(
                **{"login.live.com": probe("login.live.com", proxy=PROXY, status=407)}
            ),
        },
        Status.FAIL,
        "407",
    ),
    ("http.unexpected_response", {}, Status.PASS, "normally"),
    ("vpn.active", {}, Status.PASS, "No VPN"),
]


@pytest.mark.parametrize(("rule_id", "kwargs", "status", "text"), CASES)
def test_network_rules(rule_id: str, kwargs: dict[str, Any], status: Status, text: str) -> None:
    finding = run(rule_id, capture(**kwargs))
    assert_status(finding, status)
    assert finding.detail is not None and text in finding.detail.en


def test_tcp_failure_through_a_bypassed_proxy_counts_as_direct() -> None:
    # probe.proxy is set, but the bypass list covers *.live.com: judged on the direct path
    eps = healthy_endpoints(
        **{"login.live.com": probe("login.live.com", proxy=PROXY, tcp_error=WSAE_REFUSED)}
    )
    f = run("tcp.partial_block", capture(proxy=proxied(proxy_override="*.live.com"), endpoints=eps))
    assert_status(f, Status.FAIL)
    # without the bypass, a failure to reach the proxy is not a direct TCP block
    f = run("tcp.partial_block", capture(proxy=proxied(), endpoints=eps))
    assert_status(f, Status.PASS)


def test_hosts_file_blocked_host_is_not_blamed_on_the_firewall() -> None:
    eps = healthy_endpoints(**{"login.live.com": probe("login.live.com", tcp_error="0.0.0.0:443 refused")})
    f = run("tcp.partial_block", capture(network=hosts_entries(("0.0.0.0", "login.live.com")), endpoints=eps))
    assert_status(f, Status.PASS)


def vpn_network(split: bool | None) -> dict[str, Any]:
    net = with_changes("network")
    net["adapters"].append(
        {
            "name": "ローカル エリア接続 2",
            "description": "PANGP Virtual Ethernet Adapter Secure",
            "status": "Up",
            "if_index": 31,
            "is_vpn": True,
            "vpn_vendor": "Palo Alto GlobalProtect",
        }
    )
    net["dns_servers"].append(
        {
            "interface_alias": "ローカル エリア接続 2",
            "if_index": 31,
            "addresses": ["10.20.0.53", "10.20.0.54"],
        }
    )
    if split is not None:
        net["vpn_profiles"] = [
            {
                "name": "Corp VPN",
                "server_address": "vpn.corp.example",
                "tunnel_type": "Ikev2",
                "split_tunneling": split,
                "connection_status": "Connected",
            }
        ]
    return net


@pytest.mark.parametrize(
    ("split", "words"), [(True, "split tunnel"), (False, "full tunnel"), (None, "unknown")]
)
def test_vpn_active_names_the_tunnel_mode(split: bool | None, words: str) -> None:
    f = run("vpn.active", capture(network=vpn_network(split)))
    assert_status(f, Status.WARN)
    assert f.detail is not None and words in f.detail.en
    assert "Palo Alto GlobalProtect" in f.detail.en


def test_vpn_dns_failure_names_the_vpn_dns_servers() -> None:
    eps = healthy_endpoints(**{"login.live.com": probe("login.live.com", dns_error=NO_SUCH_HOST)})
    f = run("vpn.dns_failure", capture(network=vpn_network(None), endpoints=eps))
    assert_status(f, Status.FAIL)
    assert f.detail is not None and "10.20.0.53, 10.20.0.54" in f.detail.en
    assert any(
        e.fact == "endpoints[login.live.com].dns.error" and e.value == NO_SUCH_HOST for e in f.evidence
    )
    assert_status(run("vpn.dns_failure", capture(network=vpn_network(None))), Status.PASS)
    assert_status(run("vpn.dns_failure", capture(endpoints=eps)), Status.NOT_APPLICABLE)


@pytest.mark.parametrize("rule_id", ["network.no_active_adapter", "hosts_file.override", "vpn.active"])
def test_network_rules_without_the_network_check_are_not_collected(rule_id: str) -> None:
    f = run(rule_id, capture(network=None))
    assert_status(f, Status.NOT_COLLECTED)
    assert f.detail is not None and "network check not run" in f.detail.en


def test_unreadable_hosts_file_is_not_a_pass() -> None:
    net = with_changes("network", hosts_file_readable=False)
    assert_status(run("hosts_file.override", capture(network=net)), Status.NOT_COLLECTED)


def test_endpoint_rules_without_probes_are_not_collected() -> None:
    for rule_id in (
        "dns.account_hosts",
        "tcp.partial_block",
        "endpoints.ncsi_blocked",
        "http.unexpected_response",
    ):
        assert_status(run(rule_id, capture(endpoints=None)), Status.NOT_COLLECTED)
    assert HEALTHY  # the builder's healthy data stays untouched between tests
