"""Proxy rules: WinINET vs WinHTTP, unreachable proxy, PAC, environment variables."""

from __future__ import annotations

from urllib.parse import urlsplit

from msdiag.capture.models import EndpointsData, PacProbe, ProxyData
from msdiag.diagnosis.models import Evidence, Localized, Severity
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
    fact,
    normalize_proxy,
    probe_path,
    redact_userinfo,
    tcp_failed,
    tcp_ok,
)


def wininet_proxy(proxy: ProxyData) -> str | None:
    """The per-user (browser, WAM) static proxy in effect, host:port, None = none."""
    w = proxy.wininet
    if w is None or not w.proxy_enable:
        return None
    return normalize_proxy(w.proxy_server)


def winhttp_proxy(proxy: ProxyData) -> str | None:
    w = proxy.winhttp
    if w is None or w.direct:
        return None
    return normalize_proxy(w.proxy_server)


@rule(
    id="proxy.wininet_winhttp_mismatch",
    severity=Severity.HIGH,
    problem=L(
        "The user's proxy (WinINET) and the system proxy (WinHTTP) differ",
        "ユーザーのプロキシ (WinINET) とシステムのプロキシ (WinHTTP) が一致していません",
    ),
    subject=L("WinINET / WinHTTP proxy consistency", "WinINET と WinHTTP のプロキシ設定の一致"),
    remediation=(
        L(
            "Make both agree: as administrator run `netsh winhttp import proxy source=ie` (or "
            "`netsh winhttp reset proxy` when no proxy should be used).",
            "両方を一致させてください。管理者として `netsh winhttp import proxy source=ie` を実行します"
            "(プロキシを使わない場合は `netsh winhttp reset proxy`)。",
        ),
        L(
            "Sign-in (the account broker, wlidsvc) uses WinHTTP while the browser uses WinINET, so "
            "the browser works while Windows sign-in fails.",
            "サインイン処理(アカウント ブローカー、wlidsvc)は WinHTTP を、ブラウザーは WinINET を使うため、"
            "ブラウザーは動くのに Windows のサインインだけが失敗します。",
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
        return not_collected("the WinINET or WinHTTP proxy setting could not be read")
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
        L(
            "If you are outside the company network (home, abroad), turn the proxy off in Settings > "
            "Network & internet > Proxy, and run `netsh winhttp reset proxy` as administrator.",
            "社外(自宅や海外)にいる場合は、設定 > ネットワーク"
            "とインターネット > プロキシ でプロキシをオフにし、"
            "管理者として `netsh winhttp reset proxy` を実行してください。",
        ),
        L(
            "Inside the company network, ask IT whether the proxy address is still valid.",
            "社内ネットワークにいる場合は、プロキシのアドレスが現在も有効か IT 部門に確認してください。",
        ),
    ),
)
def unreachable(proxy: ProxyData, endpoints: EndpointsData | None) -> Outcome:
    """The configured proxy does not accept connections.

    Reads the configured proxies (WinINET and WinHTTP, as host:port) and, for every endpoint
    probe that went through a proxy, the TCP connection to it (``endpoints[HOST].tcp.target``,
    ``.tcp.error``). Fails when no connection through the proxy succeeded; warns at medium
    severity when only some failed. Not applicable when no proxy is configured (then the
    endpoints check is not needed); not collected when no probe went through the proxy.

    Why it matters: a proxy that cannot be reached (a company proxy used from home or abroad,
    an address that no longer exists) stops every request that goes through it: timeouts
    (0x80072EE2) and "server or proxy not found" (0xCAA70004).
    """
    configured = sorted({p for p in (wininet_proxy(proxy), winhttp_proxy(proxy)) if p})
    if not configured:
        return not_applicable(L("No proxy is configured.", "プロキシは設定されていません。"))
    if endpoints is None:
        return missing("endpoints")
    through = [
        path for path in (probe_path(p, proxy) for p in endpoints.probes) if path.proxy and path.probe.tcp
    ]
    if not through:
        return not_collected("no probe went through the proxy")
    failed = [p.probe for p in through if tcp_failed(p.probe)]
    evidence: list[Evidence] = [ev("proxy.configured", configured)]
    for path in through:
        tcp = path.probe.tcp
        assert tcp is not None
        evidence.append(ev(fact(path.probe.host, "tcp.target"), tcp.target))
        if tcp.ok is False:
            evidence.append(ev(fact(path.probe.host, "tcp.error"), tcp.error))
    if failed and not any(tcp_ok(p.probe) for p in through):
        errors = sorted({p.tcp.error or "?" for p in failed if p.tcp})
        return fail(
            L(
                f"No connection to {', '.join(configured)}: {'; '.join(errors)}.",
                f"{', '.join(configured)} に接続できません: {'; '.join(errors)}",
            ),
            evidence,
        )
    if failed:
        return warn(
            L(
                f"{len(failed)} of {len(through)} connections through the proxy failed.",
                f"プロキシ経由の接続 {len(through)} 件中 {len(failed)} 件が失敗しました。",
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


def _pac_failure(pac: PacProbe) -> tuple[Localized, list[Evidence]] | None:
    """The first step of the PAC fetch that failed (en/ja detail and evidence), None if none did."""
    where = redact_userinfo(pac.url) or pac.url
    dns, tcp, http = pac.dns, pac.tcp, pac.http
    if dns is not None and (dns.error is not None or not dns.addresses):
        return (
            L(
                f"The PAC host of {where} does not resolve (DNS: {dns.error or 'no address'}).",
                f"{where} の PAC ホストを名前解決できません (DNS: {dns.error or 'アドレスなし'})。",
            ),
            [ev("endpoints.pac.dns.error", dns.error)],
        )
    if tcp is not None and tcp.ok is False:
        return (
            L(
                f"No TCP connection to the PAC server {tcp.target or where}: {tcp.error or '?'}.",
                f"PAC サーバー {tcp.target or where} に TCP 接続できません: {tcp.error or '?'}",
            ),
            [ev("endpoints.pac.tcp.target", tcp.target), ev("endpoints.pac.tcp.error", tcp.error)],
        )
    if http is not None and http.error is not None and http.status is None:
        return (
            L(
                f"The HTTP request for {where} failed: {http.error}.",
                f"{where} の HTTP 要求が失敗しました: {http.error}",
            ),
            [ev("endpoints.pac.http.error", http.error)],
        )
    if http is not None and http.status is not None and not 200 <= http.status < 300:
        return (
            L(
                f"The PAC server answered {where} with HTTP {http.status}.",
                f"PAC サーバーは {where} に HTTP {http.status} を返しました。",
            ),
            [ev("endpoints.pac.http.status", http.status)],
        )
    if pac.looks_like_pac is False:
        return (
            L(
                f"{where} is not a PAC script: its {pac.bytes or 0} bytes contain no FindProxyForURL "
                "(a login or error page?).",
                f"{where} は PAC スクリプトではありません: {pac.bytes or 0} バイトの内容に "
                "FindProxyForURL がありません(ログイン画面やエラー ページの可能性があります)。",
            ),
            [ev("endpoints.pac.bytes", pac.bytes), ev("endpoints.pac.looks_like_pac", False)],
        )
    return None


def _is_file_url(url: str) -> bool:
    try:
        return urlsplit(url.strip()).scheme.lower() == "file"
    except ValueError:
        return False


@rule(
    id="proxy.pac_unreachable",
    severity=Severity.HIGH,
    problem=L(
        "The proxy auto-configuration (PAC) script cannot be reached",
        "プロキシ自動構成 (PAC) スクリプトに接続できません",
    ),
    subject=L("PAC script reachability", "PAC スクリプトへの到達性"),
    remediation=(
        L(
            "Outside the company network, turn off 'Use setup "
            "script' in Settings > Network & internet > Proxy.",
            "社外では、設定 > ネットワークとインターネット > プロキ"
            "シ の「セットアップ スクリプトを使う」をオフにしてください。",
        ),
        L(
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
        return not_collected("the WinINET settings (where the PAC address is) could not be read")
    probed = endpoints.pac if endpoints is not None else None
    # A PAC given with -PacUrl is judged too, even when the user has none configured.
    url = proxy.wininet.auto_config_url or (probed.url if probed else None)
    if not url:
        return not_applicable(L("No PAC script is configured.", "PAC スクリプトは設定されていません。"))
    shown = redact_userinfo(url) or url
    evidence: list[Evidence] = [ev("proxy.wininet.auto_config_url", shown)]
    if _is_file_url(url):
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
        return not_collected(f"the PAC script {shown} was not probed (see the endpoints check's errors)")
    failure = _pac_failure(probed)
    if failure is not None:
        detail, more = failure
        return fail(detail, evidence + more)
    if probed.http is None or probed.http.status is None or probed.looks_like_pac is None:
        return not_collected(f"the probe of the PAC script {shown} has no result")
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
        L(
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
