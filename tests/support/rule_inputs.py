"""Check data for the rule tests that several rule modules share: a proxied PC, hosts-file lines, a VPN.

Built on the reference machine of test_rules_capture_builder (``with_changes``), so each helper
changes only what its name says.
"""

from __future__ import annotations

from typing import Any

from support.rule_captures import with_changes

PROXY = "http://proxy.corp.example:8080/"
#: what Windows says (ja-JP) when a TCP connection times out, and when a name does not resolve
WSAE_REFUSED = "接続済みの呼び出し先が一定の時間を過ぎても正しく応答しなかったため、接続できませんでした。"
NO_SUCH_HOST = "そのようなホストは不明です。"


def proxied(**wininet: Any) -> dict[str, Any]:
    """Proxy data of a PC that uses proxy.corp.example:8080 for WinINET and WinHTTP."""
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
    """Network data whose hosts file holds these (address, host name) lines, from line 22 on."""
    return with_changes(
        "network",
        hosts_entries=[
            {"address": a, "hostname": h, "line_number": 22 + i} for i, (a, h) in enumerate(entries)
        ],
    )


def vpn_network(split: bool | None) -> dict[str, Any]:
    """Network data with a GlobalProtect adapter up and its DNS servers; ``split`` None = no profile."""
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
