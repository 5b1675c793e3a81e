"""Proxy rules: WinINET vs WinHTTP, unreachable proxy, PAC, environment variables."""

from __future__ import annotations

from urllib.parse import urlsplit

from diag.capture.models import PacProbe, ProxyData
from diag.capture.parse import Facts
from diag.diagnosis.models import Evidence, Finding, Localized, Severity
from diag.diagnosis.rules.base import L, RuleContext, RuleSpec, ev, rule
from diag.diagnosis.rules.probes import (
    fact,
    normalize_proxy,
    probe_path,
    redact_userinfo,
    tcp_failed,
    tcp_ok,
)

PROXY_CODES = ("0xCAA70004", "0x800704CF", "0x80072EFD", "0x8007000D")


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


MISMATCH = RuleSpec(
    id="proxy.wininet_winhttp_mismatch",
    checks=("proxy",),
    problem=L(
        "The user's proxy (WinINET) and the system proxy (WinHTTP) differ",
        "ユーザーのプロキシ (WinINET) とシステムのプロキシ (WinHTTP) が一致していません",
    ),
    subject=L("WinINET / WinHTTP proxy consistency", "WinINET と WinHTTP のプロキシ設定の一致"),
    severity=Severity.HIGH,
    related_codes=PROXY_CODES,
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


@rule(MISMATCH)
def wininet_winhttp_mismatch(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := MISMATCH.missing(facts):
        return missing
    proxy = facts.proxy
    assert proxy is not None
    if proxy.wininet is None or proxy.winhttp is None or proxy.winhttp.source == "unavailable":
        return MISMATCH.not_collected("the WinINET or WinHTTP proxy setting could not be read")
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
        return MISMATCH.passed(L(f"Both use: {shown}.", f"両方とも同じ設定です: {shown}"), evidence)
    if inet is None and http is None and pac:
        return MISMATCH.warn(
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
    return MISMATCH.fail(
        L(
            f"WinINET: {inet or 'direct'}; WinHTTP: {http or 'direct'}.",
            f"WinINET: {inet or '直接接続'}、WinHTTP: {http or '直接接続'}",
        ),
        evidence,
    )


UNREACHABLE = RuleSpec(
    id="proxy.unreachable",
    checks=("proxy", "endpoints"),
    problem=L("The configured proxy cannot be reached", "設定されているプロキシに接続できません"),
    subject=L("Proxy reachability", "プロキシへの到達性"),
    severity=Severity.CRITICAL,
    related_codes=PROXY_CODES,
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


@rule(UNREACHABLE)
def proxy_unreachable(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := UNREACHABLE.missing(facts, "proxy"):
        return missing
    proxy = facts.proxy
    assert proxy is not None
    configured = sorted({p for p in (wininet_proxy(proxy), winhttp_proxy(proxy)) if p})
    if not configured:
        return UNREACHABLE.not_applicable(L("No proxy is configured.", "プロキシは設定されていません。"))
    if missing := UNREACHABLE.missing(facts, "endpoints"):
        return missing
    eps = facts.endpoints
    assert eps is not None
    through = [path for path in (probe_path(p, proxy) for p in eps.probes) if path.proxy and path.probe.tcp]
    if not through:
        return UNREACHABLE.not_collected("no probe went through the proxy")
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
        return UNREACHABLE.fail(
            L(
                f"No connection to {', '.join(configured)}: {'; '.join(errors)}.",
                f"{', '.join(configured)} に接続できません: {'; '.join(errors)}",
            ),
            evidence,
        )
    if failed:
        return UNREACHABLE.warn(
            L(
                f"{len(failed)} of {len(through)} connections through the proxy failed.",
                f"プロキシ経由の接続 {len(through)} 件中 {len(failed)} 件が失敗しました。",
            ),
            evidence,
            severity=Severity.MEDIUM,
        )
    return UNREACHABLE.passed(
        L(
            f"{', '.join(configured)} accepted {len(through)} connection(s).",
            f"{', '.join(configured)} に {len(through)} 件接続できました。",
        ),
        evidence,
    )


PAC = RuleSpec(
    id="proxy.pac_unreachable",
    checks=("proxy", "endpoints"),
    problem=L(
        "The proxy auto-configuration (PAC) script cannot be reached",
        "プロキシ自動構成 (PAC) スクリプトに接続できません",
    ),
    subject=L("PAC script reachability", "PAC スクリプトへの到達性"),
    severity=Severity.HIGH,
    related_codes=PROXY_CODES,
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


@rule(PAC)
def pac_unreachable(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := PAC.missing(facts, "proxy"):
        return missing
    proxy = facts.proxy
    assert proxy is not None
    if proxy.wininet is None:
        return PAC.not_collected("the WinINET settings (where the PAC address is) could not be read")
    eps = facts.endpoints
    probed = eps.pac if eps is not None else None
    # A PAC given with -PacUrl is judged too, even when the user has none configured.
    url = proxy.wininet.auto_config_url or (probed.url if probed else None)
    if not url:
        return PAC.not_applicable(L("No PAC script is configured.", "PAC スクリプトは設定されていません。"))
    shown = redact_userinfo(url) or url
    evidence: list[Evidence] = [ev("proxy.wininet.auto_config_url", shown)]
    if _is_file_url(url):
        return PAC.fail(
            L(
                f"The PAC address {shown} is a file:// path, which Windows 10 and later ignore: "
                "serve the PAC over http(s).",
                f"PAC のアドレス {shown} は file:// のパスです。Windows 10 以降はこれを使いません。"
                "PAC は http(s) で配布してください。",
            ),
            evidence,
        )
    if missing := PAC.missing(facts, "endpoints"):
        return missing
    if probed is None:
        return PAC.not_collected(f"the PAC script {shown} was not probed (see the endpoints check's errors)")
    failure = _pac_failure(probed)
    if failure is not None:
        detail, more = failure
        return PAC.fail(detail, evidence + more)
    if probed.http is None or probed.http.status is None or probed.looks_like_pac is None:
        return PAC.not_collected(f"the probe of the PAC script {shown} has no result")
    evidence += [
        ev("endpoints.pac.http.status", probed.http.status),
        ev("endpoints.pac.bytes", probed.bytes),
        ev("endpoints.pac.looks_like_pac", True),
    ]
    return PAC.passed(
        L(
            f"{shown} was fetched directly ({probed.bytes} bytes) and is a PAC script.",
            f"{shown} を直接取得でき ({probed.bytes} バイト)、PAC スクリプトでした。",
        ),
        evidence,
    )


ENV = RuleSpec(
    id="proxy.environment_override",
    checks=("proxy",),
    problem=L(
        "HTTP(S)_PROXY environment variables differ from the system proxy",
        "環境変数 HTTP(S)_PROXY がシステムのプロキシ設定と異なります",
    ),
    subject=L("Proxy environment variables", "プロキシの環境変数"),
    severity=Severity.LOW,
    related_codes=("0xCAA70004",),
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


@rule(ENV)
def environment_override(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := ENV.missing(facts):
        return missing
    proxy = facts.proxy
    assert proxy is not None
    env = [v for v in proxy.environment if v.name.upper() in ("HTTP_PROXY", "HTTPS_PROXY")]
    if not env:
        return ENV.not_applicable(
            L("No HTTP(S)_PROXY variable is set.", "HTTP(S)_PROXY は設定されていません。")
        )
    system = wininet_proxy(proxy) or winhttp_proxy(proxy)
    evidence = [ev(f"proxy.environment[{v.scope}:{v.name}]", redact_userinfo(v.value)) for v in env]
    evidence.append(ev("proxy.system", system))
    differing = [v for v in env if normalize_proxy(v.value) != system]
    if not differing:
        return ENV.passed(
            L("The variables match the system proxy.", "環境変数はシステムのプロキシと一致しています。"),
            evidence,
        )
    names = ", ".join(f"{v.name}={redact_userinfo(v.value)} ({v.scope})" for v in differing)
    return ENV.warn(
        L(
            f"{names}; system proxy: {system or 'direct'}.",
            f"{names}、システムのプロキシ: {system or '直接接続'}",
        ),
        evidence,
    )
