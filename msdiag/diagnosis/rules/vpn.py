"""VPN rules: a connected VPN, and a VPN whose DNS servers do not resolve the account hosts."""

from __future__ import annotations

from msdiag.capture.models import EndpointsData, NetworkData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Evidence, Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, not_applicable, passed, rule, warn
from msdiag.diagnosis.rules.probes import dns_failed, fact, host_list, probe_path
from msdiag.diagnosis.steps import advice

_NO_VPN = L("No VPN is connected.", "VPN は接続されていません。")


def _active_vpns(net: NetworkData) -> tuple[list[str], list[Evidence], str | None]:
    """Names of connected VPNs, evidence, and 'split' / 'full' when a profile tells."""
    names: list[str] = []
    evidence: list[Evidence] = []
    tunnel: str | None = None
    for a in net.adapters:
        if a.is_vpn and (a.status or "").lower() == "up":
            names.append(a.vpn_vendor or a.description or a.name)
            evidence.append(ev(f"network.adapters[{a.name}].status", a.status))
    for prof in net.vpn_profiles:
        if (prof.connection_status or "").lower() == "connected":
            if prof.name not in names:
                names.append(prof.name)
            evidence.append(
                ev(f"network.vpn_profiles[{prof.name}].connection_status", prof.connection_status)
            )
            if prof.split_tunneling is not None:
                evidence.append(
                    ev(f"network.vpn_profiles[{prof.name}].split_tunneling", prof.split_tunneling)
                )
                tunnel = "split" if prof.split_tunneling else "full"
    return names, evidence, tunnel


@rule(
    id="vpn.active",
    severity=Severity.LOW,
    problem=L("A VPN is connected", "VPN が接続されています"),
    subject=L("VPN connections", "VPN 接続"),
    remediation=(
        advice(
            "If sign-in or adding the phone number fails, disconnect the VPN and try again (the article's "
            "first step for 0x800704cf).",
            "サインインや電話番号の追加に失敗する場合は、VPN を切断して再試行してください"
            "(0x800704cf に対する最初の対処です)。",
        ),
    ),
    # a connected VPN is the situation, not a fault: it never confirms a cause by itself
    evidence="context",
)
def active(network: NetworkData) -> Outcome:
    """A VPN is connected: a warning that names it, not a fault in itself.

    Reads the VPN adapters that are up (``network.adapters[NAME].status``) and the VPN profiles
    that are connected (``network.vpn_profiles[NAME].connection_status``, ``.split_tunneling``).
    Warns at low severity for a split tunnel (only company traffic goes through it) and at
    medium severity for a full tunnel or an unknown mode (sign-in traffic may go through it).

    Why it matters: a full-tunnel VPN sends sign-in through the company network, whose proxy,
    firewall or DNS may not let it out; "disconnect the VPN and retry" is the first step for
    0x800704CF. This finding makes that step concrete; vpn.dns_failure says whether its DNS broke.
    """
    names, evidence, tunnel = _active_vpns(network)
    if not names:
        return passed(_NO_VPN)
    tunnel_en = {
        "split": "split tunnel: only company traffic goes through it",
        "full": "full tunnel: all traffic, including sign-in, goes through it",
    }.get(tunnel or "", "tunnel mode unknown")
    tunnel_ja = {
        "split": "スプリット トンネル: 社内向けの通信だけが VPN を通ります",
        "full": "フル トンネル: サインインを含むすべての通信が VPN を通ります",
    }.get(tunnel or "", "トンネル方式は不明")
    return warn(
        L(f"Connected: {host_list(names)} ({tunnel_en}).", f"接続中: {host_list(names)}({tunnel_ja})"),
        evidence,
        severity=Severity.LOW if tunnel == "split" else Severity.MEDIUM,
    )


@rule(
    id="vpn.dns_failure",
    severity=Severity.HIGH,
    problem=L(
        "The VPN's DNS servers do not resolve Microsoft account hosts",
        "VPN の DNS サーバーが Microsoft アカウントのホストを名前解決できません",
    ),
    subject=L("DNS through the VPN", "VPN 経由の DNS"),
    remediation=(
        advice(
            "Disconnect the VPN and add the phone number or sign in again.",
            "VPN を切断してから、電話番号の追加やサインインをやり直してください。",
        ),
        advice(
            "Ask the VPN administrator to forward public names (login.live.com, account.live.com) "
            "or to use split tunnelling for Microsoft account hosts.",
            "VPN の管理者に、公開名(login.live.com、account.live.com)の転送、または Microsoft アカウントの"
            "ホストをスプリット トンネルの対象外にするよう依頼してください。",
        ),
    ),
    explains=("dns.account_hosts",),
)
def dns_failure(network: NetworkData, endpoints: EndpointsData, facts: Facts) -> Outcome:
    """With a VPN connected, Microsoft account hosts reached directly do not resolve.

    Reads the connected VPNs (as vpn.active does), the DNS servers of the VPN interfaces
    (``network.dns_servers``, matched by interface alias or index) and the DNS step of the
    endpoint probes that do not go through the proxy. Fails when any of those hosts does not
    resolve while the VPN is up, naming the VPN's DNS servers; not applicable without a VPN.

    Why it matters: VPNs that push their own DNS servers often resolve only company names;
    sign-in then fails with "name not resolved" (0x80072EE7) or 0x800704CF until the VPN is
    disconnected or its DNS forwards public names.
    """
    names, evidence, _ = _active_vpns(network)
    if not names:
        return not_applicable(_NO_VPN)
    failing = [p for p in endpoints.probes if dns_failed(p) and not probe_path(p, facts.proxy).proxy]
    vpn_ifaces = {a.name for a in network.adapters if a.is_vpn and (a.status or "").lower() == "up"}
    vpn_index = {a.if_index for a in network.adapters if a.is_vpn and a.if_index is not None}
    servers = sorted(
        {
            addr
            for d in network.dns_servers
            if d.interface_alias in vpn_ifaces or (d.if_index is not None and d.if_index in vpn_index)
            for addr in d.addresses
        }
    )
    evidence.append(ev("network.dns_servers[vpn]", servers))
    if not failing:
        return passed(
            L(
                "Account hosts resolve while the VPN is up.",
                "VPN 接続中でもアカウントのホストを名前解決できます。",
            ),
            evidence,
        )
    for p in failing:
        evidence.append(ev(fact(p.host, "dns.error"), p.dns.error if p.dns else None))
    shown = ", ".join(servers) if servers else "unknown"
    shown_ja = "、".join(servers) if servers else "不明"
    hosts = host_list([p.host for p in failing])
    return fail(
        L(
            f"With {host_list(names)} up, {hosts} do not resolve (VPN DNS servers: {shown}).",
            f"{host_list(names)} の接続中に {hosts} を名前解決できません(VPN の DNS サーバー: {shown_ja})。",
        ),
        evidence,
    )
