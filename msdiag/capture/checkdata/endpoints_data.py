"""The ``endpoints`` check: DNS, TCP, TLS and HTTP to the Microsoft account hosts, in parallel and bounded."""

from __future__ import annotations

from typing import Annotated, Literal

from msdiag.capture.bounds import Model, ShortText, Text
from msdiag.capture.bounds import items as _items
from msdiag.capture.names import ServerSetting

Step = Literal["proxy_discovery", "dns", "tcp", "tls", "http"]


class DnsProbe(Model):
    addresses: list[ShortText] = _items(64)  #: what the host resolved to, hosts file included
    error: Text | None = None  #: `No such host is known.` / `そのようなホストは不明です。` (long)
    ms: int | None = None  #: how long the lookup took


class TcpProbe(Model):
    #: connected (through a proxy: the CONNECT tunnel was accepted); null = not attempted
    ok: bool | None = None
    ms: int | None = None  #: how long it took
    error: Text | None = None  #: why it failed (long)
    #: `login.live.com:443`, or the proxy's `host:port`
    target: Annotated[ShortText | None, ServerSetting] = None
    #: through a proxy: the HTTP status of the proxy's reply to CONNECT (200 tunnel open; 403/407/502 ... the
    #: proxy answered and refused); null = direct, or no reply
    connect_status: int | None = None


class TlsProbe(Model):
    ok: bool | None = None  #: the handshake completed
    protocol: ShortText | None = None  #: `Tls12`, `Tls13`: what Windows negotiated (its default)
    subject: Text | None = None  #: the certificate's subject
    #: its issuer; one that is not Microsoft's or DigiCert's suggests TLS interception
    issuer: Text | None = None
    not_after: ShortText | None = None  #: expiry, UTC
    validation_error: Text | None = None  #: SslPolicyErrors and chain status; null when valid
    error: Text | None = None  #: why the handshake failed
    ms: int | None = None  #: how long it took


class HttpProbe(Model):
    status: int | None = None  #: the HTTP status (200/302 normal)
    date: ShortText | None = None  #: the raw Date header (RFC 7231: `Wed, 25 Nov 2026 01:02:05 GMT`)
    error: Text | None = None  #: why the request failed
    ms: int | None = None  #: how long it took


class EndpointProbe(Model):
    host: Annotated[ShortText, ServerSetting]  #: the host probed
    #: the proxy this host's requests went through (`http://proxy.corp.example:8080/`), null = direct. In
    #: `probes`: the scan session's system proxy (GetSystemWebProxy: WinINET static, PAC or WPAD of the
    #: account the scan runs as); in `winhttp_probes`: the WinHTTP proxy
    proxy: Annotated[ShortText | None, ServerSetting] = None
    dns: DnsProbe | None = None  #: the DNS lookup
    #: a TCP connection to port 443 or to the proxy (then an HTTP CONNECT); when DNS gave no address and there
    #: is no proxy: `ok` null, `error` `not attempted: the DNS lookup gave no address`
    tcp: TcpProbe | None = None
    tls: TlsProbe | None = None  #: the TLS handshake; null when TCP failed
    http: HttpProbe | None = None  #: a HEAD request without redirects; null when TCP failed
    #: the step during which this probe's time budget ran out (`proxy_discovery`, `dns`, `tcp`, `tls`,
    #: `http`); the steps before it keep their results. null = finished in time
    timed_out_at: Step | None = None


class PacProbe(Model):
    """The user's WinINET AutoConfigURL (or -PacUrl), fetched DIRECT as WinINET fetches a PAC."""

    url: Annotated[Text, ServerSetting]  #: the PAC address as configured (long)
    dns: DnsProbe | None = None  #: as for a host
    tcp: TcpProbe | None = None  #: a direct connection to the PAC server's port (`wpad.corp.example:80`)
    http: HttpProbe | None = None  #: a GET without a proxy, redirects followed; null when TCP failed
    bytes: int | None = None  #: body bytes read when the status was 2xx (at most 262144)
    #: the body contains `FindProxyForURL`; false for a login or error page served instead
    looks_like_pac: bool | None = None


class EndpointsData(Model):
    timeout_ms: int | None = None  #: the per-step bound used
    #: each probe's whole time budget, counted from when the probes started running
    budget_ms: int | None = None
    #: one per host, in the order asked, through the session's system proxy
    probes: list[EndpointProbe] = _items(64)
    #: the same hosts through the WinHTTP proxy, probed when it differs from the path of `probes` (a dead or
    #: filtering WinHTTP proxy is then seen directly); empty = not probed
    winhttp_probes: list[EndpointProbe] = _items(64)
    #: the PAC file of the user whose WinINET settings the proxy check reports; null = no PAC address, or it
    #: could not be read (the document's errors say which)
    pac: PacProbe | None = None
