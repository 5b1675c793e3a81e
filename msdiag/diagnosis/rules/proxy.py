"""Proxy rules: WinINET vs WinHTTP, an unreachable or refusing proxy, PAC, environment variables."""

from __future__ import annotations

from msdiag.capture.models import EndpointsData, ProxyData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Evidence, Severity
from msdiag.diagnosis.rules.base import (
    L,
    Outcome,
    ev,
    fail,
    missing,
    not_applicable,
    not_collected,
    passed,
    rule,
    warn,
)
from msdiag.diagnosis.rules.probes import (
    ProbePath,
    host_list,
    is_file_url,
    normalize_proxy,
    pac_failure,
    proxied_paths,
    proxy_answered,
    redact_userinfo,
    refused_hosts,
    side_fact,
    tcp_failed,
    winhttp_proxy,
    wininet_proxy,
)
from msdiag.diagnosis.steps import RECORD_WINHTTP_PROXY, advice, change, record

_SIDE = {
    "wininet": ("the user's proxy (WinINET)", "ユーザーのプロキシ (WinINET)"),
    "winhttp": (
        "the system proxy (WinHTTP, used by sign-in services)",
        "システムのプロキシ (WinHTTP、サインイン サービスが使用)",
    ),
}


@rule(
    id="proxy.wininet_winhttp_mismatch",
    severity=Severity.HIGH,
    problem=L(
        "The user's proxy (WinINET) and the system proxy (WinHTTP) differ",
        "ユーザーのプロキシ (WinINET) とシステムのプロキシ (WinHTTP) が一致していません",
    ),
    subject=L("WinINET / WinHTTP proxy consistency", "WinINET と WinHTTP のプロキシ設定の一致"),
    remediation=(
        RECORD_WINHTTP_PROXY,
        change(
            "Make both agree: as administrator run `netsh winhttp import proxy source=ie` (or "
            "`netsh winhttp reset proxy` when no proxy should be used).",
            "両方を一致させてください。管理者として `netsh winhttp import proxy source=ie` を実行します"
            "(プロキシを使わない場合は `netsh winhttp reset proxy`)。",
        ),
        advice(
            "Then sign in again in Windows itself, not only in the browser: sign-in (the account broker, "
            "wlidsvc) uses WinHTTP while the browser uses WinINET, which is why the browser worked while "
            "Windows sign-in failed.",
            "その後、ブラウザーだけでなく Windows 自体でもう一度サインインしてください。サインイン処理"
            "(アカウント ブローカー、wlidsvc)は WinHTTP を、ブラウザーは WinINET を使うため、"
            "ブラウザーは動くのに Windows のサインインだけが失敗していました。",
        ),
    ),
)
def wininet_winhttp_mismatch(proxy: ProxyData) -> Outcome:
    """The user's proxy (WinINET) and the system proxy (WinHTTP) differ.

    Reads the WinINET settings (``proxy.wininet.proxy_enable``, ``.proxy_server``,
    ``.auto_config_url``) and the WinHTTP setting (``proxy.winhttp.direct``, ``.proxy_server``),
    both reduced to host:port. Fails when they name different proxies, or one uses a proxy and
    the other goes direct; warns at medium severity when WinINET uses a PAC script and WinHTTP is
    direct. Passwords in proxy URLs are masked in the evidence. Not collected when either
    setting could not be read.

    Why it matters: the browser uses WinINET while Windows sign-in (the account broker, wlidsvc)
    and other system services use WinHTTP, so the browser works while sign-in fails with
    "server or proxy not found" (0xCAA70004) or 0x800704CF.
    """
    if proxy.wininet is None or proxy.winhttp is None or proxy.winhttp.source == "unavailable":
        return not_collected("the WinINET or WinHTTP proxy setting could not be read", "WinINET または WinHTTP のプロキシ設定を読み取れませんでした")
    inet, http = wininet_proxy(proxy), winhttp_proxy(proxy)
    pac = proxy.wininet.auto_config_url
    evidence = [
        ev("proxy.wininet.proxy_enable", proxy.wininet.proxy_enable),
        ev("proxy.wininet.proxy_server", redact_userinfo(proxy.wininet.proxy_server)),
        ev("proxy.wininet.auto_config_url", pac),
        ev("proxy.winhttp.direct", proxy.winhttp.direct),
        ev("proxy.winhttp.proxy_server", redact_userinfo(proxy.winhttp.proxy_server)),
    ]
    if inet == http and not (pac and http is None):
        shown = inet or "direct"
        return passed(L(f"Both use: {shown}.", f"両方とも同じ設定です: {shown}"), evidence)
    if inet is None and http is None and pac:
        return warn(
            L(
                f"WinINET uses a PAC script ({pac}) but WinHTTP is direct; services that use WinHTTP "
                "may bypass the company proxy.",
                f"WinINET は PAC スクリプト ({pac}) を使います"
                "が、WinHTTP は直接接続です。WinHTTP を使うサービスは"
                "社内プロキシを通らない可能性があります。",
            ),
            evidence,
            severity=Severity.MEDIUM,
        )
    return fail(
        L(
            f"WinINET: {inet or 'direct'}; WinHTTP: {http or 'direct'}.",
            f"WinINET: {inet or '直接接続'}、WinHTTP: {http or '直接接続'}",
        ),
        evidence,
    )


@rule(
    id="proxy.unreachable",
    severity=Severity.CRITICAL,
    problem=L("The configured proxy cannot be reached", "設定されているプロキシに接続できません"),
    subject=L("Proxy reachability", "プロキシへの到達性"),
    remediation=(
        RECORD_WINHTTP_PROXY,
        change(
            "If you are outside the company network (home, abroad), turn the proxy off in Settings > "
            "Network & internet > Proxy, and run `netsh winhttp reset proxy` as administrator.",
            "社外(自宅や海外)にいる場合は、設定 > ネットワーク"
            "とインターネット > プロキシ でプロキシをオフにし、"
            "管理者として `netsh winhttp reset proxy` を実行してください。",
        ),
        advice(
            "Inside the company network, ask IT whether the proxy address is still valid.",
            "社内ネットワークにいる場合は、プロキシのアドレスが現在も有効か IT 部門に確認してください。",
        ),
    ),
)
def unreachable(proxy: ProxyData, endpoints: EndpointsData | None) -> Outcome:
    """The configured proxy does not accept connections.

    Reads the configured proxies (WinINET and WinHTTP, as host:port) and the TCP connection to
    the proxy of every endpoint probe that went through one: the user's path
    (``endpoints[HOST].tcp.target``, ``.tcp.error``) and, when WinHTTP's proxy differs, the
    probes through it (``endpoints.winhttp_probes``). A proxy that replied to CONNECT
    (``.tcp.connect_status``) was reached, even when it refused (proxy.connect_refused judges
    that). Fails when a proxy accepted none of its connections, naming it and whose it is; warns
    at medium severity when only some failed. Not applicable when no proxy is configured; not
    collected when no probe went through a proxy.

    Why it matters: a proxy that cannot be reached (a company proxy used from home or abroad,
    an address that no longer exists) stops every request that goes through it: timeouts
    (0x80072EE2) and "server or proxy not found" (0xCAA70004). A dead WinHTTP proxy breaks
    Windows sign-in while the browser, on WinINET, still works.
    """
    configured = sorted({p for p in (wininet_proxy(proxy), winhttp_proxy(proxy)) if p})
    if not configured:
        return not_applicable(L("No proxy is configured.", "プロキシは設定されていません。"))
    if endpoints is None:
        return missing("endpoints")
    through = proxied_paths(endpoints, proxy)
    if not through:
        return not_collected("no probe went through the proxy", "プロキシを経由した調査がありません")
    evidence: list[Evidence] = [ev("proxy.configured", configured)]
    by_proxy: dict[tuple[str, str], list[ProbePath]] = {}
    for side, path in through:
        tcp = path.probe.tcp
        assert tcp is not None and path.proxy is not None
        evidence.append(ev(side_fact(side, path.probe.host, "tcp.target"), tcp.target))
        if tcp_failed(path.probe) and tcp.connect_status is None:
            evidence.append(ev(side_fact(side, path.probe.host, "tcp.error"), tcp.error))
        by_proxy.setdefault((side, normalize_proxy(path.proxy) or path.proxy), []).append(path)
    dead, partial = [], []
    for (side, name), paths in sorted(by_proxy.items()):
        failed = [p.probe for p in paths if tcp_failed(p.probe) and not proxy_answered(p.probe)]
        if failed and len(failed) == len(paths):
            errors = "; ".join(sorted({p.tcp.error or "?" for p in failed if p.tcp}))
            dead.append((f"{name}, {_SIDE[side][0]}: {errors}", f"{name}({_SIDE[side][1]}): {errors}"))
        elif failed:
            partial.append((len(failed), len(paths), name))
    if dead:
        return fail(
            L(
                f"No connection to {'; '.join(en for en, _ in dead)}.",
                f"{'、'.join(ja for _, ja in dead)} に接続できません。",
            ),
            evidence,
        )
    if partial:
        return warn(
            L(
                "; ".join(f"{n} of {total} connections to {name} failed" for n, total, name in partial) + ".",
                "、".join(f"{name} への接続 {total} 件中 {n} 件が失敗しました" for n, total, name in partial)
                + "。",
            ),
            evidence,
            severity=Severity.MEDIUM,
        )
    return passed(
        L(
            f"{', '.join(configured)} accepted {len(through)} connection(s).",
            f"{', '.join(configured)} に {len(through)} 件接続できました。",
        ),
        evidence,
    )


#: what a proxy's refusal of CONNECT means, by status (RFC 9110: 403 Forbidden, 407 Proxy
#: Authentication Required, 502/503/504 the proxy did not get a connection onward)
_REFUSALS = {
    403: ("blocked by the proxy's filter (403)", "プロキシのフィルターで遮断 (403)"),
    407: ("the proxy requires authentication (407)", "プロキシ認証が必要 (407)"),
    502: ("the proxy did not open the connection (502)", "プロキシが接続を開きませんでした (502)"),
    503: ("the proxy did not open the connection (503)", "プロキシが接続を開きませんでした (503)"),
    504: ("the proxy did not open the connection (504)", "プロキシが接続を開きませんでした (504)"),
}


def _refusal(status: int) -> tuple[str, str]:
    return _REFUSALS.get(status, (f"the proxy refused it ({status})", f"プロキシが拒否 ({status})"))


@rule(
    id="proxy.connect_refused",
    severity=Severity.HIGH,
    problem=L(
        "The proxy refuses the connections to Microsoft sign-in hosts",
        "プロキシが Microsoft のサインイン用ホストへの接続を拒否しています",
    ),
    subject=L("Proxy answers for the sign-in hosts", "サインイン用ホストに対するプロキシの応答"),
    remediation=(
        advice(
            "Give the proxy administrator the hosts listed here and ask them to allow HTTPS (CONNECT on "
            "port 443) to them; Microsoft's sign-in needs login.live.com, login.microsoftonline.com, "
            "account.live.com and *.msftauth.net.",
            "ここに表示されたホストをプロキシの管理者に伝え、これらへの HTTPS(ポート 443 への CONNECT)を"
            "許可するよう依頼してください。Microsoft のサインインには login.live.com、"
            "login.microsoftonline.com、account.live.com、*.msftauth.net が必要です。",
        ),
        advice(
            "When the proxy asks for authentication (407): Windows sign-in services may not answer a "
            "proxy's password prompt, so ask for the sign-in hosts to be allowed without interactive "
            "proxy authentication.",
            "プロキシが認証を要求する (407) 場合: Windows のサインイン サービスはプロキシのパスワード要求に"
            "応答できないことがあるため、サインイン用ホストを対話型のプロキシ認証なしで通すよう依頼してください。",
        ),
    ),
)
def connect_refused(endpoints: EndpointsData, facts: Facts) -> Outcome:
    """The proxy answers the CONNECT request for Microsoft sign-in hosts with a refusal.

    Reads the proxy's reply to CONNECT (``endpoints[HOST].tcp.connect_status``) of every probe
    that went through a proxy, the user's path and the WinHTTP proxy's
    (``endpoints.winhttp_probes``). Fails when the proxy answered a host with anything but 2xx:
    403 (its filter blocks the host), 407 (it wants authentication), 502/503/504 (it did not
    open the connection onward), naming the hosts for each. Passes when every tunnel opened; not
    applicable when no probe went through a proxy or no proxy replied (proxy.unreachable judges
    a proxy that cannot be reached).

    Why it matters: the proxy itself works, so the browser may show a block or login page while
    Windows sign-in fails with an unexpected status (0x80190001) or the Web Account Manager's
    network errors (0xCAA7xxxx / 0xCAA8xxxx); only the proxy's administrator can let the hosts
    through.
    """
    through = proxied_paths(endpoints, facts.proxy)
    answered = [(side, path) for side, path in through if proxy_answered(path.probe)]
    if not answered:
        return not_applicable(
            L(
                "No probe got an answer from a proxy (see proxy.unreachable).",
                "プロキシから応答を得たプローブはありません(proxy.unreachable を参照)。",
            )
        )
    refused = refused_hosts(answered)
    evidence = [
        ev(
            side_fact(side, path.probe.host, "tcp.connect_status"),
            path.probe.tcp.connect_status if path.probe.tcp else None,
        )
        for side, path in answered
    ]
    if refused:
        parts = sorted(refused.items())
        return fail(
            L(
                "; ".join(
                    f"{name} ({_SIDE[side][0]}) refused {host_list(hosts)}: {_refusal(status)[0]}"
                    for (side, name, status), hosts in parts
                )
                + ".",
                "、".join(
                    f"{name}({_SIDE[side][1]})が {host_list(hosts)} を拒否: {_refusal(status)[1]}"
                    for (side, name, status), hosts in parts
                )
                + "。",
            ),
            evidence,
        )
    return passed(
        L(
            f"The proxy opened all {len(answered)} connection(s).",
            f"プロキシは {len(answered)} 件の接続をすべて開きました。",
        ),
        evidence,
    )


@rule(
    id="proxy.pac_unreachable",
    severity=Severity.HIGH,
    problem=L(
        "The proxy auto-configuration (PAC) script cannot be reached",
        "プロキシ自動構成 (PAC) スクリプトに接続できません",
    ),
    subject=L("PAC script reachability", "PAC スクリプトへの到達性"),
    remediation=(
        record(
            'First note the script address: `reg query "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion'
            '\\Internet Settings" /v AutoConfigURL` (keep the output).',
            'まずスクリプトのアドレスを控えます: `reg query "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion'
            '\\Internet Settings" /v AutoConfigURL`(出力を残してください)。',
        ),
        change(
            "Outside the company network, turn off 'Use setup script' in Settings > Network & internet > Proxy.",
            "社外では、設定 > ネットワークとインターネット > プロキシ の「セットアップ スクリプトを使う」をオフにしてください。",
        ),
        advice(
            "Inside it, ask IT whether the PAC address is still valid.",
            "社内では、PAC のアドレスが有効か IT 部門に確認してください。",
        ),
    ),
)
def pac_unreachable(proxy: ProxyData, endpoints: EndpointsData | None) -> Outcome:
    """The proxy auto-configuration (PAC) script cannot be fetched, or is not a PAC script.

    Reads the PAC address (``proxy.wininet.auto_config_url``, or the one given with -PacUrl) and
    the direct fetch of it by the endpoints check (``endpoints.pac``: DNS, TCP, HTTP status,
    size, whether it contains FindProxyForURL). Fails on a file:// address (Windows 10 and
    later ignore those), on the first failed step of the fetch, on a non-2xx answer, or on a
    body that is not a PAC script (a login or error page). Not applicable without a PAC.

    Why it matters: when the PAC cannot be fetched, Windows has no proxy to use and requests
    go direct or time out: on a network that requires the proxy, sign-in fails with timeouts
    (0x80072EE2, 0xCAA82EE2), "cannot connect" (0x80072EFD) or "server or proxy not found"
    (0xCAA70004).
    """
    if proxy.wininet is None:
        return not_collected("the WinINET settings (where the PAC address is) could not be read", "WinINET の設定 (PAC のアドレスがある場所) を読み取れませんでした")
    probed = endpoints.pac if endpoints is not None else None
    # A PAC given with -PacUrl is judged too, even when the user has none configured.
    url = proxy.wininet.auto_config_url or (probed.url if probed else None)
    if not url:
        return not_applicable(L("No PAC script is configured.", "PAC スクリプトは設定されていません。"))
    shown = redact_userinfo(url) or url
    evidence: list[Evidence] = [ev("proxy.wininet.auto_config_url", shown)]
    if is_file_url(url):
        return fail(
            L(
                f"The PAC address {shown} is a file:// path, which Windows 10 and later ignore: "
                "serve the PAC over http(s).",
                f"PAC のアドレス {shown} は file:// のパスです。Windows 10 以降はこれを使いません。"
                "PAC は http(s) で配布してください。",
            ),
            evidence,
        )
    if endpoints is None:
        return missing("endpoints")
    if probed is None:
        return not_collected(f"the PAC script {shown} was not probed (see the endpoints check's errors)", f"PAC スクリプト {shown} は調査されていません (endpoints チェックのエラーを参照)")
    failure = pac_failure(probed)
    if failure is not None:
        detail, more = failure
        return fail(detail, evidence + more)
    if probed.http is None or probed.http.status is None or probed.looks_like_pac is None:
        return not_collected(f"the probe of the PAC script {shown} has no result", f"PAC スクリプト {shown} の調査結果がありません")
    evidence += [
        ev("endpoints.pac.http.status", probed.http.status),
        ev("endpoints.pac.bytes", probed.bytes),
        ev("endpoints.pac.looks_like_pac", True),
    ]
    return passed(
        L(
            f"{shown} was fetched directly ({probed.bytes} bytes) and is a PAC script.",
            f"{shown} を直接取得でき ({probed.bytes} バイト)、PAC スクリプトでした。",
        ),
        evidence,
    )


@rule(
    id="proxy.environment_override",
    severity=Severity.LOW,
    problem=L(
        "HTTP(S)_PROXY environment variables differ from the system proxy",
        "環境変数 HTTP(S)_PROXY がシステムのプロキシ設定と異なります",
    ),
    subject=L("Proxy environment variables", "プロキシの環境変数"),
    remediation=(
        record(
            "First record the variables: run `set HTTP` in a new Command Prompt and keep the output "
            "private (a proxy URL may hold a password).",
            "まず環境変数を記録します: 新しいコマンド プロンプトで `set HTTP` を実行し、出力を残してください"
            "(プロキシの URL にパスワードが含まれることがあるため、他人に見せないでください)。",
        ),
        change(
            "Remove or correct HTTP_PROXY / HTTPS_PROXY (System > About > Advanced system settings > "
            "Environment Variables); tools and PowerShell 7 use them instead of the system proxy.",
            "HTTP_PROXY / HTTPS_PROXY を削除または修正し"
            "てください(システム > バージョン情報 > システムの詳細設定 > "
            "環境変数)。ツールや PowerShell 7 はシステムのプロキシではなくこれを使います。",
        ),
    ),
)
def environment_override(proxy: ProxyData) -> Outcome:
    """HTTP_PROXY / HTTPS_PROXY environment variables name another proxy than the system's.

    Reads the proxy environment variables (``proxy.environment[SCOPE:NAME]``, user and machine
    scope) and compares each, as host:port, with the system proxy (WinINET, else WinHTTP).
    Warns when one differs; passwords in the values are masked in the evidence. Not applicable
    when neither variable is set.

    Why it matters: PowerShell 7 and many tools use these variables instead of the system
    proxy; a leftover localhost value (a debugging proxy such as Fiddler) makes them fail where
    the browser works, and such a local proxy is a known cause of "server or proxy not found"
    (0xCAA70004).
    """
    env = [v for v in proxy.environment if v.name.upper() in ("HTTP_PROXY", "HTTPS_PROXY")]
    if not env:
        return not_applicable(L("No HTTP(S)_PROXY variable is set.", "HTTP(S)_PROXY は設定されていません。"))
    system = wininet_proxy(proxy) or winhttp_proxy(proxy)
    evidence = [ev(f"proxy.environment[{v.scope}:{v.name}]", redact_userinfo(v.value)) for v in env]
    evidence.append(ev("proxy.system", system))
    differing = [v for v in env if normalize_proxy(v.value) != system]
    if not differing:
        return passed(
            L("The variables match the system proxy.", "環境変数はシステムのプロキシと一致しています。"),
            evidence,
        )
    names = ", ".join(f"{v.name}={redact_userinfo(v.value)} ({v.scope})" for v in differing)
    return warn(
        L(
            f"{names}; system proxy: {system or 'direct'}.",
            f"{names}、システムのプロキシ: {system or '直接接続'}",
        ),
        evidence,
    )
