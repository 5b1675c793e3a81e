"""TCP rules: can the PC open TCP 443 to the Microsoft account hosts it reaches directly."""

from __future__ import annotations

from msdiag.capture.models import EndpointsData, NetworkData, ProxyData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Evidence, Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, not_applicable, passed, rule
from msdiag.diagnosis.rules.probes import (
    dns_failed,
    fact,
    host_list,
    overridden_hosts,
    probe_path,
    tcp_failed,
    tcp_ok,
)
from msdiag.diagnosis.steps import EXPORT_FIREWALL, advice, change

_NOTHING_DIRECT = L(
    "No host was reached directly (all go through the proxy or did not resolve).",
    "直接接続したホストがありません(すべてプロキシ経由か、名前解決できませんでした)。",
)


def _direct_tcp(
    endpoints: EndpointsData, network: NetworkData | None, proxy: ProxyData | None
) -> tuple[list[str], list[str], list[Evidence]]:
    """Hosts reached directly whose name resolved: (connected, failed, evidence).

    Hosts the proxy carries, hosts that did not resolve (the DNS rule's case) and hosts the hosts
    file overrides (the hosts-file rule's case) are left out: their TCP result follows from that.
    """
    skip = overridden_hosts(network)
    ok: list[str] = []
    failed: list[str] = []
    evidence: list[Evidence] = []
    for p in endpoints.probes:
        if p.tcp is None or dns_failed(p) or probe_path(p, proxy).proxy or p.host.lower() in skip:
            continue
        if tcp_ok(p):
            ok.append(p.host)
            evidence.append(ev(fact(p.host, "tcp.ok"), True))
        elif tcp_failed(p):
            failed.append(p.host)
            evidence.append(ev(fact(p.host, "tcp.error"), p.tcp.error))
    return ok, failed, evidence


@rule(
    id="tcp.partial_block",
    severity=Severity.HIGH,
    problem=L(
        "TCP 443 is blocked to some Microsoft hosts but not others",
        "一部の Microsoft のホストだけ TCP 443 の接続が遮断されています",
    ),
    subject=L("TCP 443 to Microsoft account hosts", "Microsoft アカウントのホストへの TCP 443 接続"),
    remediation=(
        EXPORT_FIREWALL,
        change(
            "A firewall, security suite or network filter blocks the listed hosts: allow them "
            "(login.live.com, login.microsoftonline.com, *.msftauth.net) on TCP 443.",
            "ファイアウォール、セキュリティ ソフト、ネットワー"
            "ク フィルターが表示されたホストを遮断しています。"
            "TCP 443 で login.live.com、login.microsoftonline.com、*.msftauth.net を許可してください。",
        ),
    ),
)
def partial_block(endpoints: EndpointsData, facts: Facts) -> Outcome:
    """Some Microsoft account hosts accept TCP 443 and others do not: a selective block.

    Reads the TCP step of every endpoint probe the PC makes directly (``endpoints[HOST].tcp.ok``
    and ``.tcp.error``), leaving out hosts that go through the proxy, that did not resolve, or
    that the hosts file overrides (those have their own rules). Fails when at least one host
    connects and at least one does not; when every direct host fails it does not apply
    (tcp.all_blocked reports that).

    Why it matters: a firewall rule, security suite or privacy tool that blocks only some
    sign-in hosts gives confusing errors (0x800704CF, 0x80190001, 0xCAA70007): the browser
    may work while the account broker, which needs all of them, does not.
    """
    ok, failed, evidence = _direct_tcp(endpoints, facts.network, facts.proxy)
    if not ok and not failed:
        return not_applicable(_NOTHING_DIRECT)
    if ok and failed:
        return fail(
            L(
                f"Blocked: {host_list(failed)}; reachable: {host_list(ok)}.",
                f"遮断: {host_list(failed)}、接続可能: {host_list(ok)}",
            ),
            evidence,
        )
    if failed:
        return not_applicable(
            L(
                "Every direct host failed: see tcp.all_blocked.",
                "直接接続はすべて失敗しました(tcp.all_blocked を参照)。",
            ),
            evidence,
        )
    return passed(
        L(f"All {len(ok)} direct hosts connect.", f"直接接続の {len(ok)} 件すべてに接続できました。"),
        evidence,
    )


@rule(
    id="tcp.all_blocked",
    severity=Severity.CRITICAL,
    problem=L(
        "No Microsoft host can be reached on TCP 443", "どの Microsoft のホストにも TCP 443 で接続できません"
    ),
    subject=L("TCP 443 reachability", "TCP 443 の到達性"),
    remediation=(
        advice(
            "Check the internet connection (open any website), then firewalls and security software; "
            "try another network such as a phone hotspot.",
            "インターネット接続(任意の Web サイトを開く)、次にファイアウォールとセキュリティ ソフトを確認し、"
            "スマートフォンのテザリングなど別のネットワークでも試してください。",
        ),
    ),
)
def all_blocked(endpoints: EndpointsData, facts: Facts) -> Outcome:
    """No Microsoft account host the PC reaches directly accepts a TCP connection on port 443.

    Reads the same direct TCP probes as tcp.partial_block (``endpoints[HOST].tcp.ok`` and
    ``.tcp.error``; proxied, unresolved and hosts-file hosts left out) and fails when every one
    failed. Not applicable when no host was reached directly.

    Why it matters: with TCP 443 closed to every sign-in host nothing works: no sign-in, no
    security-info change, and timeouts or "cannot connect" errors (0x80072EFD, 0x80072EE2,
    0xCAA7000A). The internet connection, a firewall or the network itself is at fault.
    """
    ok, failed, evidence = _direct_tcp(endpoints, facts.network, facts.proxy)
    if not ok and not failed:
        return not_applicable(_NOTHING_DIRECT)
    if failed and not ok:
        return fail(
            L(
                f"All {len(failed)} direct connections failed: {host_list(failed)}.",
                f"直接接続 {len(failed)} 件がすべて失敗しました: {host_list(failed)}",
            ),
            evidence,
        )
    return passed(
        L(f"{len(ok)} host(s) connect on TCP 443.", f"{len(ok)} 件のホストに TCP 443 で接続できました。"),
        evidence,
    )
