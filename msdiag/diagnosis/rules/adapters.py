"""Network adapter rules: is the PC connected to any network at all."""

from __future__ import annotations

from msdiag.capture.models import AdapterData, NetworkData
from msdiag.diagnosis.models import Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, passed, rule
from msdiag.diagnosis.rules.probes import host_list


def _physical_up(adapters: list[AdapterData]) -> list[AdapterData]:
    return [a for a in adapters if (a.status or "").lower() == "up" and not a.is_vpn]


@rule(
    id="adapters.none_connected",
    severity=Severity.CRITICAL,
    problem=L("No network adapter is connected", "接続されているネットワーク アダプターがありません"),
    subject=L("Active network adapter", "有効なネットワーク アダプター"),
    remediation=(
        L(
            "Connect the PC to Wi-Fi or a network cable and check that the adapter is enabled "
            "(Settings > Network & internet).",
            "Wi-Fi または LAN ケーブルで PC をネットワー"
            "クに接続し、アダプターが有効になっているか確認してください"
            "(設定 > ネットワークとインターネット)。",
        ),
    ),
    # with no network at all, every probe fails: those findings follow from this one
    explains=(
        "dns.account_hosts",
        "endpoints.ncsi_blocked",
        "proxy.pac_unreachable",
        "proxy.unreachable",
        "tcp.all_blocked",
        "tcp.partial_block",
        "tls.handshake_failure",
        "vpn.dns_failure",
    ),
)
def none_connected(network: NetworkData) -> Outcome:
    """No physical network adapter is up: the PC is not connected to any network.

    Reads the status of every adapter the network check lists (``network.adapters[*].status``)
    and fails when no adapter other than a VPN's reports ``Up``: a VPN adapter alone carries no
    traffic without a physical link under it. Passes naming the connected adapters.

    Why it matters: without a connected adapter nothing reaches the Microsoft sign-in servers:
    Windows reports "the network location cannot be reached" (0x800704CF) or that names do not
    resolve (0x80072EE7), and the DNS and TCP findings follow from this one.
    """
    states = {a.name: a.status for a in network.adapters}
    evidence = [ev("network.adapters[*].status", states)]
    up = _physical_up(network.adapters)
    if up:
        names = host_list([a.name for a in up])
        return passed(L(f"Connected: {names}.", f"接続済み: {names}"), evidence)
    return fail(
        L(
            f"None of the {len(network.adapters)} adapters is Up.",
            f"{len(network.adapters)} 個のアダプターのうち、状態が Up のものがありません。",
        ),
        evidence,
    )
