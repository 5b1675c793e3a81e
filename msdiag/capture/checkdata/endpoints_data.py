"""The ``endpoints`` check: DNS, TCP, TLS and HTTP to the Microsoft account hosts, in parallel and bounded."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from msdiag.capture.bounds import Model, ShortText, Text
from msdiag.capture.bounds import items as _items
from msdiag.capture.names import ServerSetting

Step = Literal["proxy_discovery", "dns", "tcp", "tls", "http"]


class DnsProbe(Model):
    addresses: list[ShortText] = _items(64, "what the host resolved to, hosts file included")
    error: Text | None = Field(None, description="`No such host is known.` / `そのようなホストは不明です。` (long)")
    ms: int | None = Field(None, description="how long the lookup took")


class TcpProbe(Model):
    ok: bool | None = Field(
        None, description="connected (through a proxy: the CONNECT tunnel was accepted); null = not attempted"
    )
    ms: int | None = Field(None, description="how long it took")
    error: Text | None = Field(None, description="why it failed (long)")
    target: Annotated[ShortText | None, ServerSetting] = Field(
        None, description="`login.live.com:443`, or the proxy's `host:port`"
    )
    connect_status: int | None = Field(
        None,
        description="through a proxy: the HTTP status of the proxy's reply to CONNECT (200 tunnel open; "
        "403/407/502 ... the proxy answered and refused); null = direct, or no reply",
    )


class TlsProbe(Model):
    ok: bool | None = Field(None, description="the handshake completed")
    protocol: ShortText | None = Field(None, description="`Tls12`, `Tls13`: what Windows negotiated (its default)")
    subject: Text | None = Field(None, description="the certificate's subject")
    issuer: Text | None = Field(
        None, description="its issuer; one that is not Microsoft's or DigiCert's suggests TLS interception"
    )
    not_after: ShortText | None = Field(None, description="expiry, UTC")
    validation_error: Text | None = Field(None, description="SslPolicyErrors and chain status; null when valid")
    error: Text | None = Field(None, description="why the handshake failed")
    ms: int | None = Field(None, description="how long it took")


class HttpProbe(Model):
    status: int | None = Field(None, description="the HTTP status (200/302 normal)")
    date: ShortText | None = Field(None, description="the raw Date header (RFC 7231: `Wed, 25 Nov 2026 01:02:05 GMT`)")
    error: Text | None = Field(None, description="why the request failed")
    ms: int | None = Field(None, description="how long it took")


class EndpointProbe(Model):
    host: Annotated[ShortText, ServerSetting] = Field(description="the host probed")
    proxy: Annotated[ShortText | None, ServerSetting] = Field(
        None,
        description="the proxy this host's requests went through (`http://proxy.corp.example:8080/`), null = "
        "direct. In `probes`: the scan session's system proxy (GetSystemWebProxy: WinINET static, PAC or WPAD "
        "of the account the scan runs as); in `winhttp_probes`: the WinHTTP proxy",
    )
    dns: DnsProbe | None = Field(None, description="the DNS lookup")
    tcp: TcpProbe | None = Field(
        None,
        description="a TCP connection to port 443 or to the proxy (then an HTTP CONNECT); when DNS gave no "
        "address and there is no proxy: `ok` null, `error` `not attempted: the DNS lookup gave no address`",
    )
    tls: TlsProbe | None = Field(None, description="the TLS handshake; null when TCP failed")
    http: HttpProbe | None = Field(None, description="a HEAD request without redirects; null when TCP failed")
    timed_out_at: Step | None = Field(
        None,
        description="the step during which this probe's time budget ran out (`proxy_discovery`, `dns`, `tcp`, "
        "`tls`, `http`); the steps before it keep their results. null = finished in time",
    )


class PacProbe(Model):
    """The user's WinINET AutoConfigURL (or -PacUrl), fetched DIRECT as WinINET fetches a PAC."""

    url: Annotated[Text, ServerSetting] = Field(description="the PAC address as configured (long)")
    dns: DnsProbe | None = Field(None, description="as for a host")
    tcp: TcpProbe | None = Field(None, description="a direct connection to the PAC server's port (`wpad.corp.example:80`)")
    http: HttpProbe | None = Field(None, description="a GET without a proxy, redirects followed; null when TCP failed")
    bytes: int | None = Field(None, description="body bytes read when the status was 2xx (at most 262144)")
    looks_like_pac: bool | None = Field(
        None, description="the body contains `FindProxyForURL`; false for a login or error page served instead"
    )


class EndpointsData(Model):
    timeout_ms: int | None = Field(None, description="the per-step bound used")
    budget_ms: int | None = Field(
        None, description="each probe's whole time budget, counted from when the probes started running"
    )
    probes: list[EndpointProbe] = _items(64, "one per host, in the order asked, through the session's system proxy")
    winhttp_probes: list[EndpointProbe] = _items(
        64,
        "the same hosts through the WinHTTP proxy, probed when it differs from the path of `probes` (a dead or "
        "filtering WinHTTP proxy is then seen directly); empty = not probed",
    )
    pac: PacProbe | None = Field(
        None,
        description="the PAC file of the user whose WinINET settings the proxy check reports; null = no PAC "
        "address, or it could not be read (the document's errors say which)",
    )
