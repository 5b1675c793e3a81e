"""Typed models of what each check script reports: the contract between ps_scripts/ and Python.

Everything here arrives from a scanned machine and is untrusted. The models bound every string
and list, reject wrong types instead of coercing them, and are the only way the rest of msdiag
reads a check's data. Fields a probe could not fill are None (with an entry in the document's
``errors`` list saying why), so "not collected" is always distinguishable from a real value.

Fields that name people or infrastructure carry a marker from msdiag.capture.names
(``Annotated[..., PersonName]``): redaction finds them through it.

This module holds the check data models (a new check adds its model here). The bounded types are
in msdiag.capture.bounds and the envelope around the data (Capture, CheckDocument ...) in
msdiag.capture.envelope, both also importable from here. Which check a data model belongs to is said
once, in the check spec (msdiag/checks.py), which imports these models; the spec is where a check's
name is checked.

The shapes are documented for other tools in docs/capture-format.md; the JSON Schema shipped in
msdiag/capture/capture.schema.json is generated from these models (see msdiag.capture.schema).
"""

from __future__ import annotations

from typing import Annotated, Literal

from msdiag.capture.bounds import MAX_ITEMS as MAX_ITEMS
from msdiag.capture.bounds import Model as Model
from msdiag.capture.bounds import ProbeError as ProbeError
from msdiag.capture.bounds import ShortText as ShortText
from msdiag.capture.bounds import Text as Text
from msdiag.capture.bounds import items as _items

# The envelope lives in msdiag.capture.envelope; imported here too, where most code has always
# imported it from (msdiag.capture.models.Capture ...).
from msdiag.capture.envelope import CAPTURE_FORMAT as CAPTURE_FORMAT
from msdiag.capture.envelope import CAPTURE_SCHEMA_VERSION as CAPTURE_SCHEMA_VERSION
from msdiag.capture.envelope import CHECK_SCHEMA_VERSION as CHECK_SCHEMA_VERSION
from msdiag.capture.envelope import Capture as Capture
from msdiag.capture.envelope import CheckDocument as CheckDocument
from msdiag.capture.envelope import CheckResult as CheckResult
from msdiag.capture.envelope import CheckStatus as CheckStatus
from msdiag.capture.envelope import ConnectionInfo as ConnectionInfo
from msdiag.capture.envelope import HostState as HostState
from msdiag.capture.envelope import HostStatus as HostStatus
from msdiag.capture.envelope import PowerShellInfo as PowerShellInfo
from msdiag.capture.names import AccountSid, ComputerName, DomainName, PersonName, ServerSetting, SignedInUser


# ---------------------------------------------------------------- os
class OsData(Model):
    caption: ShortText | None = None  # "Microsoft Windows 11 Pro"
    product_name: ShortText | None = None  # registry ProductName (may say Windows 10 on 11)
    version: ShortText | None = None  # "10.0.22631"
    build: int | None = None  # 22631
    ubr: int | None = None  # update build revision, 22631.<ubr>
    display_version: ShortText | None = None  # "23H2"
    edition: ShortText | None = None  # "Professional" (EditionID)
    architecture: ShortText | None = None  # "64-bit" / "ARM 64-bit Processor"
    computer_name: Annotated[ShortText | None, ComputerName] = None
    domain: Annotated[ShortText | None, DomainName] = None  # DNS domain or workgroup name
    part_of_domain: bool | None = None
    workgroup: Annotated[ShortText | None, DomainName] = None
    last_boot_utc: ShortText | None = None  # ISO 8601 UTC
    uptime_seconds: int | None = None
    is_elevated: bool | None = None
    ps_edition: ShortText | None = None  # "Desktop" (5.1) / "Core" (7)
    ps_version: ShortText | None = None  # "5.1.22621.2506"
    is_windows: bool | None = None


# ---------------------------------------------------------------- locale
class CultureData(Model):
    name: ShortText | None = None  # "ja-JP"
    lcid: int | None = None  # 1041
    english_name: ShortText | None = None  # "Japanese (Japan)"
    display_name: ShortText | None = None  # localized: "日本語 (日本)"


class HomeLocationData(Model):
    geo_id: int | None = None  # 122 = Japan
    name: ShortText | None = None  # Get-WinHomeLocation HomeLocation, "Japan"
    iso2: ShortText | None = None  # "JP" (HKCU\Control Panel\International\Geo\Name)


class UserLanguageData(Model):
    tag: ShortText  # "ja"
    english_name: ShortText | None = None
    autonym: ShortText | None = None


class LocaleData(Model):
    culture: CultureData | None = None
    ui_culture: CultureData | None = None
    system_locale: CultureData | None = None
    home_location: HomeLocationData | None = None
    user_languages: list[UserLanguageData] = _items(64)


# ---------------------------------------------------------------- time
class TimeZoneData(Model):
    id: ShortText | None = None  # "Tokyo Standard Time"
    display_name: ShortText | None = None  # "(UTC+09:00) 大阪、札幌、東京"
    base_utc_offset_minutes: int | None = None
    current_utc_offset_minutes: int | None = None
    supports_dst: bool | None = None


class W32TimeData(Model):
    service_status: ShortText | None = None  # "Running" / "Stopped" / "NotFound"
    start_type: ShortText | None = None  # "Automatic" / "Manual" / "Disabled"
    type: ShortText | None = None  # registry Parameters\Type: NTP / NT5DS / NoSync / AllSync
    ntp_server: Annotated[ShortText | None, ServerSetting] = None  # "time.windows.com,0x9"


class TimeData(Model):
    time_zone: TimeZoneData | None = None
    local_time: ShortText | None = None  # ISO 8601 with offset
    utc_time: ShortText | None = None  # ISO 8601 UTC, "2026-11-25T01:02:03.0000000Z"
    w32time: W32TimeData | None = None


# ---------------------------------------------------------------- proxy
class ProxyScopeData(Model):
    #: whose per-user (WinINET) settings were read
    source: Literal["current_user", "interactive_user", "unavailable"] = "current_user"
    user: Annotated[ShortText | None, PersonName] = None  # DOMAIN\user
    sid: Annotated[ShortText | None, AccountSid] = None


class WinInetData(Model):
    proxy_enable: bool | None = None
    proxy_server: Annotated[Text | None, ServerSetting] = None  # "host:port" or "http=h:p;https=h:p"
    proxy_override: Annotated[Text | None, ServerSetting] = None  # "<local>;*.corp"
    auto_config_url: Annotated[Text | None, ServerSetting] = None  # PAC URL
    auto_detect: bool | None = None  # WPAD


class WinHttpData(Model):
    source: Literal["registry", "netsh", "unavailable"] = "registry"
    direct: bool | None = None  # True = no proxy
    proxy_server: Annotated[Text | None, ServerSetting] = None
    bypass_list: Annotated[Text | None, ServerSetting] = None


class EnvProxyVar(Model):
    scope: Literal["user", "machine", "process"]
    name: ShortText  # HTTP_PROXY / HTTPS_PROXY / NO_PROXY (any case)
    value: Annotated[Text, ServerSetting]  # a proxy URL, or NO_PROXY's bypass list


class ProxyData(Model):
    scope: ProxyScopeData | None = None
    wininet: WinInetData | None = None
    winhttp: WinHttpData | None = None
    environment: list[EnvProxyVar] = _items(32)


# ---------------------------------------------------------------- network
class AdapterData(Model):
    name: ShortText
    description: ShortText | None = None
    status: ShortText | None = None  # Up / Disconnected / Disabled / Not Present
    media_type: ShortText | None = None
    if_index: int | None = None
    is_vpn: bool = False
    vpn_vendor: ShortText | None = None  # matched vendor label, e.g. "Cisco AnyConnect"


class VpnProfileData(Model):
    name: ShortText
    server_address: Annotated[ShortText | None, ServerSetting] = None
    tunnel_type: ShortText | None = None
    split_tunneling: bool | None = None
    connection_status: ShortText | None = None  # Connected / Disconnected
    all_users: bool = False


class DnsServersData(Model):
    interface_alias: ShortText | None = None
    if_index: int | None = None
    addresses: list[ShortText] = _items(32)


class DefaultRouteData(Model):
    interface_alias: ShortText | None = None
    if_index: int | None = None
    next_hop: ShortText | None = None


class HostsEntryData(Model):
    address: ShortText
    hostname: Annotated[ShortText, ServerSetting]
    line_number: int | None = None


class NetworkData(Model):
    adapters: list[AdapterData] = _items(256)
    vpn_profiles: list[VpnProfileData] = _items(64)
    dns_servers: list[DnsServersData] = _items(256)
    default_route: DefaultRouteData | None = None
    #: hosts-file entries whose name is a Microsoft account / connectivity host (or a subdomain)
    hosts_entries: list[HostsEntryData] = _items(256)
    hosts_file_readable: bool | None = None


# ---------------------------------------------------------------- endpoints
class DnsProbe(Model):
    addresses: list[ShortText] = _items(64)
    error: Text | None = None
    ms: int | None = None


class TcpProbe(Model):
    ok: bool | None = None
    ms: int | None = None
    error: Text | None = None
    target: Annotated[ShortText | None, ServerSetting] = None  # "login.live.com:443" or the proxy's "proxy:8080"
    #: through a proxy: the HTTP status of the proxy's reply to CONNECT (200 = tunnel open;
    #: 403/407/502 ... = the proxy answered and refused); None = direct, or no reply
    connect_status: int | None = None


class TlsProbe(Model):
    ok: bool | None = None
    protocol: ShortText | None = None  # "Tls12" / "Tls13"
    subject: Text | None = None
    issuer: Text | None = None
    not_after: ShortText | None = None  # ISO 8601 UTC
    validation_error: Text | None = None  # SslPolicyErrors / chain status, None when valid
    error: Text | None = None
    ms: int | None = None


class HttpProbe(Model):
    status: int | None = None
    date: ShortText | None = None  # the raw Date response header (RFC 7231)
    error: Text | None = None
    ms: int | None = None


class EndpointProbe(Model):
    host: Annotated[ShortText, ServerSetting]  # a Microsoft host, or one given with --endpoint-hosts
    #: the proxy this host's requests would go through ("http://proxy:8080"), None = direct
    proxy: Annotated[ShortText | None, ServerSetting] = None
    dns: DnsProbe | None = None
    tcp: TcpProbe | None = None
    tls: TlsProbe | None = None
    http: HttpProbe | None = None
    #: the step during which this probe's time budget ran out ("dns", "tcp", "tls", "http",
    #: "proxy_discovery"); the steps before it kept their results. None = finished in time
    timed_out_at: Literal["proxy_discovery", "dns", "tcp", "tls", "http"] | None = None


class PacProbe(Model):
    """The user's WinINET AutoConfigURL (or -PacUrl), fetched DIRECT as WinINET fetches a PAC."""

    url: Annotated[Text, ServerSetting]
    dns: DnsProbe | None = None
    tcp: TcpProbe | None = None  # target "wpad.corp.example:80"
    http: HttpProbe | None = None  # a GET, redirects followed
    bytes: int | None = None  # body bytes read (the script reads at most 262144)
    looks_like_pac: bool | None = None  # the body contains "FindProxyForURL"


class EndpointsData(Model):
    timeout_ms: int | None = None
    probes: list[EndpointProbe] = _items(64)
    #: the same hosts through the WinHTTP proxy, probed when it differs from the user's path
    #: (a dead or filtering WinHTTP proxy is then seen directly); empty = not probed
    winhttp_probes: list[EndpointProbe] = _items(64)
    #: None = no PAC URL configured, or it could not be read (the document's errors say which)
    pac: PacProbe | None = None


# ---------------------------------------------------------------- services
class ServiceData(Model):
    name: ShortText  # wlidsvc
    display_name: ShortText | None = None
    present: bool = True
    status: ShortText | None = None  # Running / Stopped / ...
    start_type: ShortText | None = None  # Automatic / Manual / Disabled / ...


class ServicesData(Model):
    services: list[ServiceData] = _items(64)


# ---------------------------------------------------------------- tls
class SchannelProtocolData(Model):
    protocol: ShortText  # "TLS 1.2"
    key_present: bool = False  # absent = OS default
    enabled: int | None = None  # registry Enabled (1/0; 0xffffffff also means enabled)
    disabled_by_default: int | None = None


class DotNetTlsData(Model):
    sch_use_strong_crypto: int | None = None  # HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319
    sch_use_strong_crypto_wow64: int | None = None
    system_default_tls_versions: int | None = None


class TlsData(Model):
    schannel_client: list[SchannelProtocolData] = _items(16)
    dotnet: DotNetTlsData | None = None
    winhttp_default_secure_protocols: int | None = None


# ---------------------------------------------------------------- identity
class DsregData(Model):
    available: bool = False
    azure_ad_joined: bool | None = None
    enterprise_joined: bool | None = None
    domain_joined: bool | None = None
    domain_name: Annotated[ShortText | None, DomainName] = None
    workplace_joined: bool | None = None
    tenant_name: Annotated[ShortText | None, DomainName] = None
    azure_ad_prt: bool | None = None
    azure_ad_prt_update_time: ShortText | None = None  # ISO 8601 UTC when parseable, else raw


class IdentityData(Model):
    dsregcmd: DsregData | None = None
    #: HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\NoConnectedUser:
    #: 0/None allowed, 1 users can't add Microsoft accounts, 3 can't add or sign in with them
    no_connected_user: int | None = None
    #: the signed-in user signs in to Windows with a Microsoft account (None = could not tell)
    signed_in_with_msa: bool | None = None
    user_name: Annotated[ShortText | None, SignedInUser] = None  # DOMAIN\user or MicrosoftAccount\x@outlook.com

