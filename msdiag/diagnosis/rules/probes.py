"""Shared reading of endpoint probes: which path a host takes (proxy or direct), fact paths,
which hosts are Microsoft's, and host lists for sentences.

A host whose requests go through a proxy is judged on the proxy path: the client neither
resolves nor connects to it itself, so its hosts-file entry or a direct TCP block do not
apply. A proxy bypass list that covers the host puts it back on the direct path.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from msdiag.capture.models import EndpointProbe, EndpointsData, NetworkData, PacProbe, ProxyData
from msdiag.diagnosis.models import Evidence, Localized
from msdiag.diagnosis.rules.base import L, clip, ev

NCSI_HOST = "www.msftconnecttest.com"
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


def host_list(names: list[str]) -> str:
    """Up to 12 untrusted names for a sentence, then how many more."""
    return ", ".join(clip(n, 80) for n in names[:12]) + (f" (+{len(names) - 12})" if len(names) > 12 else "")


def fact(host: str, path: str) -> str:
    """Evidence path of one probe field: ``endpoints[login.live.com].tcp.error``."""
    return f"endpoints[{host}].{path}"


def bypass_entries(text: str | None) -> list[str]:
    """Split a WinINET ProxyOverride / WinHTTP bypass list ("<local>;*.corp, 10.*")."""
    if not text:
        return []
    return [part.strip().lower() for part in re.split(r"[;,\s]+", text) if part.strip()]


def bypass_covers(host: str, bypass: str | None) -> bool:
    """True when ``host`` matches an entry of the bypass list (wildcards as Windows uses them)."""
    name = host.lower().rstrip(".")
    for entry in bypass_entries(bypass):
        if entry == "<local>":
            if "." not in name:
                return True
            continue
        # a "*.corp" entry matches subdomains; "corp.example" matches exactly
        if fnmatch.fnmatchcase(name, entry):
            return True
        if entry.startswith("*.") and name == entry[2:]:
            return True
    return False


def normalize_proxy(value: str | None) -> str | None:
    """A proxy setting reduced to host:port for comparison ("http://Proxy:8080/" -> proxy:8080).

    Per-protocol WinINET values ("http=a:1;https=b:2") reduce to the https entry, the one the
    account hosts use.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    if "=" in text:
        parts = dict(
            (k.strip().lower(), v.strip())
            for k, _, v in (p.partition("=") for p in text.split(";") if "=" in p)
        )
        text = parts.get("https") or parts.get("http") or next(iter(parts.values()), "")
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.lower())
    text = text.split("/", 1)[0].split("@")[-1]  # drop path and any user:password@
    return text or None


@dataclass(frozen=True)
class ProbePath:
    probe: EndpointProbe
    #: the proxy the request goes through, None = direct
    proxy: str | None
    #: the bypass list made a proxied probe direct
    bypassed: bool = False


def probe_path(probe: EndpointProbe, proxy: ProxyData | None) -> ProbePath:
    if probe.proxy is None:
        return ProbePath(probe, None)
    overrides: list[str] = []
    if proxy is not None and proxy.wininet is not None and proxy.wininet.proxy_override:
        overrides.append(proxy.wininet.proxy_override)
    if any(bypass_covers(probe.host, o) for o in overrides):
        return ProbePath(probe, None, bypassed=True)
    return ProbePath(probe, probe.proxy)


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


def proxied_paths(endpoints: EndpointsData, proxy: ProxyData | None) -> list[tuple[str, ProbePath]]:
    """Every probe that went through a proxy, with whose path it was: "wininet" (the user's) or
    "winhttp" (the system's, probed when it differs from the user's)."""
    user = [("wininet", probe_path(p, proxy)) for p in endpoints.probes]
    system = [("winhttp", ProbePath(p, p.proxy)) for p in endpoints.winhttp_probes]
    return [(side, path) for side, path in user + system if path.proxy and path.probe.tcp is not None]


def dns_failed(probe: EndpointProbe) -> bool:
    return probe.dns is not None and (probe.dns.error is not None or not probe.dns.addresses)


def tcp_failed(probe: EndpointProbe) -> bool:
    return probe.tcp is not None and probe.tcp.ok is False


def tcp_ok(probe: EndpointProbe) -> bool:
    return probe.tcp is not None and probe.tcp.ok is True


def refused_status(probe: EndpointProbe) -> int | None:
    """The status of a proxy's reply to CONNECT when it answered and did not open the tunnel."""
    status = probe.tcp.connect_status if probe.tcp is not None else None
    return status if status is not None and not 200 <= status < 300 else None


def refused_hosts(items: Iterable[tuple[str, ProbePath]]) -> dict[tuple[str, str, int], list[str]]:
    """(whose path, proxy host:port, CONNECT status) -> the hosts the proxy refused with it."""
    refused: dict[tuple[str, str, int], list[str]] = {}
    for side, path in items:
        status = refused_status(path.probe)
        if status is not None and path.proxy is not None:
            hosts = refused.setdefault((side, normalize_proxy(path.proxy) or path.proxy, status), [])
            if path.probe.host not in hosts:
                hosts.append(path.probe.host)
    return refused


def side_fact(side: str, host: str, path: str) -> str:
    """Evidence path of a probe on the user's path or through the WinHTTP proxy."""
    where = "endpoints.winhttp_probes" if side == "winhttp" else "endpoints"
    return f"{where}[{host}].{path}"


def proxy_answered(probe: EndpointProbe) -> bool:
    """The proxy accepted the connection: the tunnel opened, or the proxy replied to CONNECT."""
    return tcp_ok(probe) or (probe.tcp is not None and probe.tcp.connect_status is not None)


def redact_userinfo(value: str | None) -> str | None:
    """Hide a user:password@ part of a proxy URL: credentials never reach a report."""
    if value is None:
        return None
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", value)


# ---------------------------------------------------------------- the PAC fetch
def pac_failure(pac: PacProbe) -> tuple[Localized, list[Evidence]] | None:
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


def is_file_url(url: str) -> bool:
    try:
        return urlsplit(url.strip()).scheme.lower() == "file"
    except ValueError:
        return False
