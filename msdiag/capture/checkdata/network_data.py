"""The ``network`` check: adapters, VPNs, DNS servers, the default route and hosts-file overrides."""

from __future__ import annotations

from typing import Annotated

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.bounds import items as _items
from msdiag.capture.names import ServerSetting


class AdapterData(Model):
    name: ShortText  #: localized, e.g. `イーサネット`
    description: ShortText | None = None  #: `Intel(R) Wi-Fi 6E AX211 160MHz`
    status: ShortText | None = None  #: `Up`, `Disconnected`, `Disabled`, `Not Present`
    media_type: ShortText | None = None  #: `802.3`, `Native 802.11`
    if_index: int | None = None  #: the interface index
    is_vpn: bool = False  #: the description matches a known VPN client's virtual adapter
    #: the VPN label matched: `Palo Alto GlobalProtect`, `Cisco AnyConnect`
    vpn_vendor: ShortText | None = None


class VpnProfileData(Model):
    name: ShortText  #: the profile's name
    server_address: Annotated[ShortText | None, ServerSetting] = None  #: the VPN server
    tunnel_type: ShortText | None = None  #: `Automatic`, `Ikev2`, `Sstp` ...
    split_tunneling: bool | None = None  #: only company traffic goes through the VPN
    connection_status: ShortText | None = None  #: `Connected`, `Disconnected`
    all_users: bool = False  #: from the all-user phone book (else the scan account's own)


class DnsServersData(Model):
    interface_alias: ShortText | None = None  #: the interface's name
    if_index: int | None = None  #: the interface index
    addresses: list[ShortText] = _items(32)  #: DNS server addresses


class DefaultRouteData(Model):
    interface_alias: ShortText | None = None  #: the interface's name
    if_index: int | None = None  #: the interface index
    next_hop: ShortText | None = None  #: the gateway
    route_metric: int | None = None  #: the route's own metric
    #: the interface's metric, which Windows adds to the route metric to choose a route
    interface_metric: int | None = None


class HostsEntryData(Model):
    address: ShortText  #: the address the hosts file gives
    hostname: Annotated[ShortText, ServerSetting]  #: the Microsoft host it overrides
    line_number: int | None = None  #: the line in the hosts file


class NetworkData(Model):
    adapters: list[AdapterData] = _items(256)  #: network adapters (Get-NetAdapter)
    #: Windows' own VPN profiles (not AnyConnect/GlobalProtect): all-user ones and the scan account's own
    vpn_profiles: list[VpnProfileData] = _items(64)
    #: interfaces that have DNS servers, one entry per address family
    dns_servers: list[DnsServersData] = _items(256)
    #: the IPv4 default route Windows uses: the lowest route metric + interface metric
    default_route: DefaultRouteData | None = None
    #: hosts-file lines naming a Microsoft account or connectivity host (or a subdomain)
    hosts_entries: list[HostsEntryData] = _items(256)
    #: false when the hosts file could not be read (then `hosts_entries` says nothing)
    hosts_file_readable: bool | None = None
