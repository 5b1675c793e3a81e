"""Shared reading of endpoint probes: which path a host takes (proxy or direct), fact paths,
which hosts are Microsoft's, and host lists for sentences.

A host whose requests go through a proxy is judged on the proxy path: the client neither
resolves nor connects to it itself, so its hosts-file entry or a direct TCP block do not
apply. A proxy bypass list that covers the host puts it back on the direct path.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from msdiag.capture.models import EndpointProbe, NetworkData, ProxyData
from msdiag.diagnosis.rules.base import clip

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


def dns_failed(probe: EndpointProbe) -> bool:
    return probe.dns is not None and (probe.dns.error is not None or not probe.dns.addresses)


def tcp_failed(probe: EndpointProbe) -> bool:
    return probe.tcp is not None and probe.tcp.ok is False


def tcp_ok(probe: EndpointProbe) -> bool:
    return probe.tcp is not None and probe.tcp.ok is True


def redact_userinfo(value: str | None) -> str | None:
    """Hide a user:password@ part of a proxy URL: credentials never reach a report."""
    if value is None:
        return None
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", value)
