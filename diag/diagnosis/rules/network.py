"""Network rules: adapters, DNS, hosts file, TCP 443, NCSI, HTTP answers, VPN."""

from __future__ import annotations

from diag.capture.models import AdapterData, NetworkData
from diag.capture.parse import Facts
from diag.diagnosis.models import Evidence, Finding, Severity
from diag.diagnosis.rules.base import L, RuleContext, RuleSpec, clip, ev, rule
from diag.diagnosis.rules.probes import (
    NCSI_HOST,
    dns_failed,
    fact,
    probe_path,
    tcp_failed,
    tcp_ok,
)

NETWORK_CODES = ("0x800704CF", "0xCAA70007", "0x80072EFD")
DNS_CODES = ("0x80072EE7", "0xCAA82EE7", "0x800704CF")
BLOCK_ADDRESSES = {"0.0.0.0", "127.0.0.1", "::1", "::", "0:0:0:0:0:0:0:0"}
#: domains of Microsoft account sign-in and connectivity hosts (windows-facts.md endpoint lists)
MICROSOFT_DOMAINS = (
    "live.com",
    "live.net",
    "microsoft.com",
    "microsoftonline.com",
    "msftauth.net",
    "msauth.net",
    "msftconnecttest.com",
    "msidentity.com",
    "gfx.ms",
    "windows.net",
    "phonefactor.net",
    "office.com",
)


def is_microsoft_host(name: str) -> bool:
    host = name.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in MICROSOFT_DOMAINS)


def overridden_hosts(net: NetworkData | None) -> set[str]:
    """Microsoft hosts the hosts file sends somewhere fixed (their TCP results follow from that)."""
    if net is None:
        return set()
    return {e.hostname.lower() for e in net.hosts_entries if is_microsoft_host(e.hostname)}


def _hosts(names: list[str]) -> str:
    return ", ".join(clip(n, 80) for n in names[:12]) + (f" (+{len(names) - 12})" if len(names) > 12 else "")


# ---------------------------------------------------------------- adapters
NO_ADAPTER = RuleSpec(
    id="network.no_active_adapter",
    checks=("network",),
    problem=L("No network adapter is connected", "接続されているネットワーク アダプターがありません"),
    subject=L("Active network adapter", "有効なネットワーク アダプター"),
    severity=Severity.CRITICAL,
    related_codes=NETWORK_CODES,
    remediation=(
        L(
            "Connect the PC to Wi-Fi or a network cable and check that the adapter is enabled "
            "(Settings > Network & internet).",
            "Wi-Fi または LAN ケーブルで PC をネットワー"
            "クに接続し、アダプターが有効になっているか確認してください"
            "(設定 > ネットワークとインターネット)。",
        ),
    ),
)


def _physical_up(adapters: list[AdapterData]) -> list[AdapterData]:
    return [a for a in adapters if (a.status or "").lower() == "up" and not a.is_vpn]


@rule(NO_ADAPTER)
def no_active_adapter(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := NO_ADAPTER.missing(facts):
        return missing
    net = facts.network
    assert net is not None
    states = {a.name: a.status for a in net.adapters}
    evidence = [ev("network.adapters[*].status", states)]
    up = _physical_up(net.adapters)
    if up:
        names = _hosts([a.name for a in up])
        return NO_ADAPTER.passed(L(f"Connected: {names}.", f"接続済み: {names}"), evidence)
    return NO_ADAPTER.fail(
        L(
            f"None of the {len(net.adapters)} adapters is Up.",
            f"{len(net.adapters)} 個のアダプターのうち、状態が Up のものがありません。",
        ),
        evidence,
    )


# ---------------------------------------------------------------- DNS
DNS = RuleSpec(
    id="dns.account_hosts",
    checks=("endpoints",),
    problem=L(
        "Microsoft account hosts do not resolve in DNS",
        "Microsoft アカウントのサーバー名を DNS で解決できません",
    ),
    subject=L("DNS resolution of Microsoft account hosts", "Microsoft アカウントのサーバー名の DNS 解決"),
    severity=Severity.HIGH,
    related_codes=DNS_CODES,
    remediation=(
        L(
            "Disconnect any VPN and try again; if it then works, ask the VPN's administrator to resolve "
            "login.live.com.",
            "VPN を切断して再試行してください。それで解決する場合は、VPN "
            "の管理者に login.live.com の名前解決を依頼してください。",
        ),
        L(
            "Run `ipconfig /flushdns`, or set the adapter's DNS server to automatic (or your router).",
            "`ipconfig /flushdns` を実行するか、アダプター"
            "の DNS サーバーを自動取得(またはルーター)に戻してください。",
        ),
    ),
)


@rule(DNS)
def dns_account_hosts(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := DNS.missing(facts, "endpoints"):
        return missing
    eps = facts.endpoints
    assert eps is not None
    probed = [p for p in eps.probes if p.dns is not None]
    if not probed:
        return DNS.not_collected("no DNS probe result in the endpoints check")
    direct_fail: list[str] = []
    proxied_fail: list[str] = []
    evidence: list[Evidence] = []
    for p in probed:
        if dns_failed(p):
            assert p.dns is not None
            evidence.append(ev(fact(p.host, "dns.error"), p.dns.error))
            path = probe_path(p, facts.proxy)
            (proxied_fail if path.proxy else direct_fail).append(p.host)
    if direct_fail:
        return DNS.fail(
            L(
                f"{len(direct_fail)} of {len(probed)} hosts do not resolve: {_hosts(direct_fail)}.",
                f"{len(probed)} 件中 {len(direct_fail)} "
                f"件のホストを名前解決できません: {_hosts(direct_fail)}",
            ),
            evidence,
        )
    if proxied_fail:
        return DNS.warn(
            L(
                f"{_hosts(proxied_fail)} do not resolve locally; they go through the proxy, so only "
                "services that connect directly are affected.",
                f"{_hosts(proxied_fail)} はローカルで名前解決できません。プロキシ経由で接続するため、"
                "直接接続するサービスだけが影響を受けます。",
            ),
            evidence,
            severity=Severity.LOW,
        )
    return DNS.passed(
        L(f"All {len(probed)} hosts resolve.", f"{len(probed)} 件すべてのホストを名前解決できました。"),
        [ev(fact(p.host, "dns.addresses"), p.dns.addresses if p.dns else None) for p in probed],
    )


# ---------------------------------------------------------------- hosts file
HOSTS = RuleSpec(
    id="hosts_file.override",
    checks=("network", "endpoints"),
    problem=L(
        "The hosts file overrides a Microsoft sign-in host",
        "hosts ファイルが Microsoft のサインイン用ホストを上書きしています",
    ),
    subject=L("hosts-file entries for Microsoft hosts", "Microsoft のホストに対する hosts ファイルの設定"),
    severity=Severity.CRITICAL,
    related_codes=("0x800704CF", "0x80190001", "0xCAA70007"),
    remediation=(
        L(
            r"Open C:\Windows\System32\drivers\etc\hosts as administrator, delete the listed lines, "
            "save, and run `ipconfig /flushdns`.",
            r"管理者として C:\Windows\System32\drivers\etc\hosts を開き、表示された行を削除して保存し、"
            "`ipconfig /flushdns` を実行してください。",
        ),
        L(
            "Privacy or 'debloat' tools often add these lines; undo the tool's telemetry block.",
            "プライバシー対策や不要機能削除ツールがこの行を追加することがよくあります。ツールの設定を元に戻してください。",
        ),
    ),
)


@rule(HOSTS)
def hosts_file_override(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := HOSTS.missing(facts, "network"):
        return missing
    net = facts.network
    assert net is not None
    if net.hosts_file_readable is False:
        return HOSTS.not_collected("the hosts file could not be read")
    entries = [e for e in net.hosts_entries if is_microsoft_host(e.hostname)]
    if not entries:
        return HOSTS.passed(
            L(
                "No hosts-file line names a Microsoft account host.",
                "hosts ファイルに Microsoft アカウントのホストを指定した行はありません。",
            ),
            [ev("network.hosts_entries", [f"{e.address} {e.hostname}" for e in net.hosts_entries])],
        )
    proxied: dict[str, str] = {}
    if facts.endpoints is not None:
        for p in facts.endpoints.probes:
            path = probe_path(p, facts.proxy)
            if path.proxy:
                proxied[p.host.lower()] = path.proxy
    evidence = [
        ev(
            f"network.hosts_entries[{e.hostname}]",
            f"{e.address} {e.hostname}",
            f"line {e.line_number}" if e.line_number else "line unknown",
            f"{e.line_number} 行目" if e.line_number else "行番号不明",
        )
        for e in entries
    ]
    direct = [e for e in entries if e.hostname.lower() not in proxied]
    names = _hosts(sorted({e.hostname for e in entries}))
    if direct:
        blocked = [e.hostname for e in direct if e.address in BLOCK_ADDRESSES]
        what_en = "blocks" if blocked else "redirects"
        what_ja = "ブロック" if blocked else "別のアドレスに転送"
        return HOSTS.fail(
            L(
                f"The hosts file {what_en} {_hosts(sorted({e.hostname for e in direct}))} "
                f"({', '.join(sorted({e.address for e in direct}))}).",
                f"hosts ファイルが {_hosts(sorted({e.hostname for e in direct}))} を{what_ja}しています"
                f"({', '.join(sorted({e.address for e in direct}))})。",
            ),
            evidence,
        )
    return HOSTS.warn(
        L(
            f"The hosts file names {names}, but these go through the proxy now; sign-in breaks as soon "
            "as the proxy is bypassed or turned off.",
            f"hosts ファイルに {names} の行があります。現在はプロキシ経由のため影響しませんが、"
            "プロキシを使わない接続ではサインインできなくなります。",
        ),
        evidence,
        severity=Severity.MEDIUM,
    )


# ---------------------------------------------------------------- TCP 443
TCP_PARTIAL = RuleSpec(
    id="tcp.partial_block",
    checks=("endpoints",),
    problem=L(
        "TCP 443 is blocked to some Microsoft hosts but not others",
        "一部の Microsoft のホストだけ TCP 443 の接続が遮断されています",
    ),
    subject=L("TCP 443 to Microsoft account hosts", "Microsoft アカウントのホストへの TCP 443 接続"),
    severity=Severity.HIGH,
    related_codes=("0x800704CF", "0xCAA70007", "0x80072EFD", "0x80190001"),
    remediation=(
        L(
            "A firewall, security suite or network filter blocks the listed hosts: allow them "
            "(login.live.com, login.microsoftonline.com, *.msftauth.net) on TCP 443.",
            "ファイアウォール、セキュリティ ソフト、ネットワー"
            "ク フィルターが表示されたホストを遮断しています。"
            "TCP 443 で login.live.com、login.microsoftonline.com、*.msftauth.net を許可してください。",
        ),
    ),
)
TCP_ALL = RuleSpec(
    id="tcp.all_blocked",
    checks=("endpoints",),
    problem=L(
        "No Microsoft host can be reached on TCP 443", "どの Microsoft のホストにも TCP 443 で接続できません"
    ),
    subject=L("TCP 443 reachability", "TCP 443 の到達性"),
    severity=Severity.CRITICAL,
    related_codes=("0x800704CF", "0x80072EFD", "0x80072EE2", "0xCAA7000A"),
    remediation=(
        L(
            "Check the internet connection (open any website), then firewalls and security software; "
            "try another network such as a phone hotspot.",
            "インターネット接続(任意の Web サイトを開く)、次にファイアウォールとセキュリティ ソフトを確認し、"
            "スマートフォンのテザリングなど別のネットワークでも試してください。",
        ),
    ),
)


def _direct_tcp(facts: Facts) -> tuple[list[str], list[str], list[Evidence]]:
    """Hosts reached directly whose name resolved: (connected, failed, evidence)."""
    eps = facts.endpoints
    assert eps is not None
    skip = overridden_hosts(facts.network)
    ok: list[str] = []
    failed: list[str] = []
    evidence: list[Evidence] = []
    for p in eps.probes:
        if p.tcp is None or dns_failed(p) or probe_path(p, facts.proxy).proxy or p.host.lower() in skip:
            continue
        if tcp_ok(p):
            ok.append(p.host)
            evidence.append(ev(fact(p.host, "tcp.ok"), True))
        elif tcp_failed(p):
            failed.append(p.host)
            evidence.append(ev(fact(p.host, "tcp.error"), p.tcp.error))
    return ok, failed, evidence


@rule(TCP_PARTIAL)
def tcp_partial_block(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := TCP_PARTIAL.missing(facts):
        return missing
    ok, failed, evidence = _direct_tcp(facts)
    if not ok and not failed:
        return TCP_PARTIAL.not_applicable(
            L(
                "No host was reached directly (all go through the proxy or did not resolve).",
                "直接接続したホストがありません(すべてプロキシ経由か、名前解決できませんでした)。",
            )
        )
    if ok and failed:
        return TCP_PARTIAL.fail(
            L(
                f"Blocked: {_hosts(failed)}; reachable: {_hosts(ok)}.",
                f"遮断: {_hosts(failed)}、接続可能: {_hosts(ok)}",
            ),
            evidence,
        )
    if failed:
        return TCP_PARTIAL.not_applicable(
            L(
                "Every direct host failed: see tcp.all_blocked.",
                "直接接続はすべて失敗しました(tcp.all_blocked を参照)。",
            ),
            evidence,
        )
    return TCP_PARTIAL.passed(
        L(f"All {len(ok)} direct hosts connect.", f"直接接続の {len(ok)} 件すべてに接続できました。"),
        evidence,
    )


@rule(TCP_ALL)
def tcp_all_blocked(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := TCP_ALL.missing(facts):
        return missing
    ok, failed, evidence = _direct_tcp(facts)
    if not ok and not failed:
        return TCP_ALL.not_applicable(
            L(
                "No host was reached directly (all go through the proxy or did not resolve).",
                "直接接続したホストがありません(すべてプロキシ経由か、名前解決できませんでした)。",
            )
        )
    if failed and not ok:
        return TCP_ALL.fail(
            L(
                f"All {len(failed)} direct connections failed: {_hosts(failed)}.",
                f"直接接続 {len(failed)} 件がすべて失敗しました: {_hosts(failed)}",
            ),
            evidence,
        )
    return TCP_ALL.passed(
        L(f"{len(ok)} host(s) connect on TCP 443.", f"{len(ok)} 件のホストに TCP 443 で接続できました。"),
        evidence,
    )


# ---------------------------------------------------------------- NCSI
NCSI = RuleSpec(
    id="endpoints.ncsi_blocked",
    checks=("endpoints",),
    problem=L(
        "www.msftconnecttest.com is unreachable: Windows believes it is offline",
        "www.msftconnecttest.com に接続できないため、Windows はオフラインと判断しています",
    ),
    subject=L("Windows connectivity test (NCSI)", "Windows の接続テスト (NCSI)"),
    severity=Severity.HIGH,
    related_codes=("0x800704CF", "0xCAA70007"),
    remediation=(
        L(
            "Remove hosts-file or firewall blocks of www.msftconnecttest.com; sign-in dialogs refuse to "
            "start ('You'll need the internet for this') while Windows thinks it is offline.",
            "hosts ファイルやファイアウォールによる www.msftconnecttest.com の遮断を解除してください。"
            "Windows がオフラインと判断している間は、サインイ"
            "ン画面が「インターネットが必要です」と表示して進みません。",
        ),
    ),
)


@rule(NCSI)
def ncsi_blocked(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := NCSI.missing(facts):
        return missing
    eps = facts.endpoints
    assert eps is not None
    probe = next((p for p in eps.probes if p.host.lower() == NCSI_HOST), None)
    if probe is None:
        return NCSI.not_collected(f"{NCSI_HOST} was not probed")
    if dns_failed(probe):
        assert probe.dns is not None
        return NCSI.fail(
            L(
                f"{NCSI_HOST} does not resolve: {probe.dns.error}.",
                f"{NCSI_HOST} を名前解決できません: {probe.dns.error}",
            ),
            [ev(fact(NCSI_HOST, "dns.error"), probe.dns.error)],
        )
    if tcp_failed(probe):
        assert probe.tcp is not None
        return NCSI.fail(
            L(
                f"{NCSI_HOST} refuses TCP: {probe.tcp.error}.",
                f"{NCSI_HOST} に TCP 接続できません: {probe.tcp.error}",
            ),
            [ev(fact(NCSI_HOST, "tcp.error"), probe.tcp.error)],
        )
    # NCSI itself uses plain HTTP; a TLS error on the 443 probe after TCP connected is judged by
    # the TLS rules, so only a missing HTTP answer without any TCP result counts here.
    if probe.tcp is None and probe.http is not None and probe.http.error and probe.http.status is None:
        return NCSI.fail(
            L(
                f"{NCSI_HOST} did not answer HTTP: {probe.http.error}.",
                f"{NCSI_HOST} から HTTP の応答がありません: {probe.http.error}",
            ),
            [ev(fact(NCSI_HOST, "http.error"), probe.http.error)],
        )
    if tcp_ok(probe) or (probe.http is not None and probe.http.status is not None):
        return NCSI.passed(
            L(f"{NCSI_HOST} answered.", f"{NCSI_HOST} から応答がありました。"),
            [ev(fact(NCSI_HOST, "tcp.ok"), probe.tcp.ok if probe.tcp else None)],
        )
    return NCSI.not_collected(f"the probe of {NCSI_HOST} has no result")


# ---------------------------------------------------------------- HTTP answered by something else
HTTP = RuleSpec(
    id="http.unexpected_response",
    checks=("endpoints",),
    problem=L(
        "Something other than Microsoft answered a sign-in host",
        "サインイン用ホストへの要求に Microsoft 以外が応答しています",
    ),
    subject=L("HTTP answers from Microsoft hosts", "Microsoft のホストからの HTTP 応答"),
    severity=Severity.HIGH,
    related_codes=("0x80190001", "0x8007000D", "0xCAA70004"),
    remediation=(
        L(
            "Sign in to the network first (hotel or guest Wi-Fi portal), or have the proxy allow the "
            "Microsoft hosts without authentication.",
            "先にネットワークへのログイン(ホテルやゲスト Wi-Fi のポータル)を済ませるか、"
            "Microsoft のホストを認証なしで通すようプロキシの管理者に依頼してください。",
        ),
    ),
)

#: statuses a proxy or captive portal gives instead of the real server
_INTERCEPTED = {
    407: ("the proxy requires authentication (407)", "プロキシが認証を要求しています (407)"),
    511: (
        "a captive portal requires sign-in to the network (511)",
        "キャプティブ ポータルがネットワークへのログインを要求しています (511)",
    ),
}


@rule(HTTP)
def http_unexpected_response(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := HTTP.missing(facts):
        return missing
    eps = facts.endpoints
    assert eps is not None
    answered = [p for p in eps.probes if p.http is not None and p.http.status is not None]
    if not answered:
        return HTTP.not_collected("no HTTP probe got an answer")
    bad: list[tuple[str, str, str]] = []
    evidence = []
    for p in answered:
        assert p.http is not None and p.http.status is not None
        status = p.http.status
        if status in _INTERCEPTED:
            en, ja = _INTERCEPTED[status]
        elif status in (401, 403) and probe_path(p, facts.proxy).proxy:
            en, ja = (f"the proxy refused the request ({status})", f"プロキシが要求を拒否しました ({status})")
        elif (
            status == 200
            and p.host.lower() == "account.microsoft.com"
            and p.tls is not None
            and p.tls.ok is False
        ):
            en, ja = (
                "a page answered without a valid Microsoft certificate (captive portal)",
                "有効な Microsoft の証明書なしでページが応答しました(キャプティブ ポータル)",
            )
        else:
            continue
        bad.append((p.host, en, ja))
        evidence.append(ev(fact(p.host, "http.status"), status))
    if bad:
        return HTTP.fail(
            L(
                "; ".join(f"{h}: {en}" for h, en, _ in bad) + ".",
                "、".join(f"{h}: {ja}" for h, _, ja in bad) + "。",
            ),
            evidence,
        )
    return HTTP.passed(
        L(f"{len(answered)} host(s) answered normally.", f"{len(answered)} 件のホストが正常に応答しました。"),
        [ev(fact(p.host, "http.status"), p.http.status if p.http else None) for p in answered],
    )


# ---------------------------------------------------------------- VPN
VPN_ACTIVE = RuleSpec(
    id="vpn.active",
    checks=("network",),
    problem=L("A VPN is connected", "VPN が接続されています"),
    subject=L("VPN connections", "VPN 接続"),
    severity=Severity.LOW,
    related_codes=("0x800704CF", "0x80072EE7", "0xCAA70007"),
    remediation=(
        L(
            "If sign-in or adding the phone number fails, disconnect the VPN and try again (the article's "
            "first step for 0x800704cf).",
            "サインインや電話番号の追加に失敗する場合は、VPN を切断して再試行してください"
            "(0x800704cf に対する最初の対処です)。",
        ),
    ),
)


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


@rule(VPN_ACTIVE)
def vpn_active(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := VPN_ACTIVE.missing(facts):
        return missing
    net = facts.network
    assert net is not None
    names, evidence, tunnel = _active_vpns(net)
    if not names:
        return VPN_ACTIVE.passed(L("No VPN is connected.", "VPN は接続されていません。"))
    tunnel_en = {
        "split": "split tunnel: only company traffic goes through it",
        "full": "full tunnel: all traffic, including sign-in, goes through it",
    }.get(tunnel or "", "tunnel mode unknown")
    tunnel_ja = {
        "split": "スプリット トンネル: 社内向けの通信だけが VPN を通ります",
        "full": "フル トンネル: サインインを含むすべての通信が VPN を通ります",
    }.get(tunnel or "", "トンネル方式は不明")
    return VPN_ACTIVE.warn(
        L(f"Connected: {_hosts(names)} ({tunnel_en}).", f"接続中: {_hosts(names)}({tunnel_ja})"),
        evidence,
        severity=Severity.LOW if tunnel == "split" else Severity.MEDIUM,
    )


VPN_DNS = RuleSpec(
    id="vpn.dns_failure",
    checks=("network", "endpoints"),
    problem=L(
        "The VPN's DNS servers do not resolve Microsoft account hosts",
        "VPN の DNS サーバーが Microsoft アカウントのホストを名前解決できません",
    ),
    subject=L("DNS through the VPN", "VPN 経由の DNS"),
    severity=Severity.HIGH,
    related_codes=DNS_CODES,
    remediation=(
        L(
            "Disconnect the VPN and add the phone number or sign in again.",
            "VPN を切断してから、電話番号の追加やサインインをやり直してください。",
        ),
        L(
            "Ask the VPN administrator to forward public names (login.live.com, account.live.com) "
            "or to use split tunnelling for Microsoft account hosts.",
            "VPN の管理者に、公開名(login.live.com、account.live.com)の転送、または Microsoft アカウントの"
            "ホストをスプリット トンネルの対象外にするよう依頼してください。",
        ),
    ),
)


@rule(VPN_DNS)
def vpn_dns_failure(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := VPN_DNS.missing(facts):
        return missing
    net, eps = facts.network, facts.endpoints
    assert net is not None and eps is not None
    names, evidence, _ = _active_vpns(net)
    if not names:
        return VPN_DNS.not_applicable(L("No VPN is connected.", "VPN は接続されていません。"))
    failing = [p for p in eps.probes if dns_failed(p) and not probe_path(p, facts.proxy).proxy]
    vpn_ifaces = {a.name for a in net.adapters if a.is_vpn and (a.status or "").lower() == "up"}
    vpn_index = {a.if_index for a in net.adapters if a.is_vpn and a.if_index is not None}
    servers = sorted(
        {
            addr
            for d in net.dns_servers
            if d.interface_alias in vpn_ifaces or (d.if_index is not None and d.if_index in vpn_index)
            for addr in d.addresses
        }
    )
    evidence.append(ev("network.dns_servers[vpn]", servers))
    if not failing:
        return VPN_DNS.passed(
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
    hosts = _hosts([p.host for p in failing])
    return VPN_DNS.fail(
        L(
            f"With {_hosts(names)} up, {hosts} do not resolve (VPN DNS servers: {shown}).",
            f"{_hosts(names)} の接続中に {hosts} を名前解決できません(VPN の DNS サーバー: {shown_ja})。",
        ),
        evidence,
    )
