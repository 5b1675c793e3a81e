"""The ``network`` check: adapters, VPNs, DNS servers, the default route and hosts-file overrides."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.bounds import items as _items
from msdiag.capture.names import ServerSetting


class AdapterData(Model):
    name: ShortText = Field(description="localized, e.g. `イーサネット`")
    description: ShortText | None = Field(None, description="`Intel(R) Wi-Fi 6E AX211 160MHz`")
    status: ShortText | None = Field(None, description="`Up`, `Disconnected`, `Disabled`, `Not Present`")
    media_type: ShortText | None = Field(None, description="`802.3`, `Native 802.11`")
    if_index: int | None = Field(None, description="the interface index")
    is_vpn: bool = Field(False, description="the description matches a known VPN client's virtual adapter")
    vpn_vendor: ShortText | None = Field(None, description="the VPN label matched: `Palo Alto GlobalProtect`, `Cisco AnyConnect`")


class VpnProfileData(Model):
    name: ShortText = Field(description="the profile's name")
    server_address: Annotated[ShortText | None, ServerSetting] = Field(None, description="the VPN server")
    tunnel_type: ShortText | None = Field(None, description="`Automatic`, `Ikev2`, `Sstp` ...")
    split_tunneling: bool | None = Field(None, description="only company traffic goes through the VPN")
    connection_status: ShortText | None = Field(None, description="`Connected`, `Disconnected`")
    all_users: bool = Field(False, description="from the all-user phone book (else the scan account's own)")


class DnsServersData(Model):
    interface_alias: ShortText | None = Field(None, description="the interface's name")
    if_index: int | None = Field(None, description="the interface index")
    addresses: list[ShortText] = _items(32, "DNS server addresses")


class DefaultRouteData(Model):
    interface_alias: ShortText | None = Field(None, description="the interface's name")
    if_index: int | None = Field(None, description="the interface index")
    next_hop: ShortText | None = Field(None, description="the gateway")
    route_metric: int | None = Field(None, description="the route's own metric")
    interface_metric: int | None = Field(
        None, description="the interface's metric, which Windows adds to the route metric to choose a route"
    )


class HostsEntryData(Model):
    address: ShortText = Field(description="the address the hosts file gives")
    hostname: Annotated[ShortText, ServerSetting] = Field(description="the Microsoft host it overrides")
    line_number: int | None = Field(None, description="the line in the hosts file")


class NetworkData(Model):
    adapters: list[AdapterData] = _items(256, "network adapters (Get-NetAdapter)")
    vpn_profiles: list[VpnProfileData] = _items(
        64, "Windows' own VPN profiles (not AnyConnect/GlobalProtect): all-user ones and the scan account's own"
    )
    dns_servers: list[DnsServersData] = _items(256, "interfaces that have DNS servers, one entry per address family")
    default_route: DefaultRouteData | None = Field(
        None, description="the IPv4 default route Windows uses: the lowest route metric + interface metric"
    )
    hosts_entries: list[HostsEntryData] = _items(
        256, "hosts-file lines naming a Microsoft account or connectivity host (or a subdomain)"
    )
    hosts_file_readable: bool | None = Field(
        None, description="false when the hosts file could not be read (then `hosts_entries` says nothing)"
    )
