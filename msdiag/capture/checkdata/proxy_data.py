"""The ``proxy`` check: WinINET (the signed-in user's), WinHTTP (the machine's) and environment proxies."""

from __future__ import annotations

from typing import Annotated, Literal

from msdiag.capture.bounds import Model, ShortText, Text
from msdiag.capture.bounds import items as _items
from msdiag.capture.names import AccountSid, PersonName, ServerSetting
from msdiag.capture.native import NativeOutput


class ProxyScopeData(Model):
    #: whose WinINET settings were read: `current_user` (the scan's own HKCU: it runs as the signed-in user),
    #: `interactive_user` (`HKEY_USERS\<SID>` of the signed-in user), `unavailable` (that hive is not loaded)
    source: Literal["current_user", "interactive_user", "unavailable"] = "current_user"
    user: Annotated[ShortText | None, PersonName] = None  #: `DOMAIN\user`, when the name resolves
    sid: Annotated[ShortText | None, AccountSid] = None  #: the account's SID


class WinInetData(Model):
    proxy_enable: bool | None = None  #: `Internet Settings\ProxyEnable`
    #: `ProxyServer`: `host:port` or `http=h:p;https=h:p` (long)
    proxy_server: Annotated[Text | None, ServerSetting] = None
    proxy_override: Annotated[Text | None, ServerSetting] = None  #: `ProxyOverride`: `<local>;*.corp` (long)
    auto_config_url: Annotated[Text | None, ServerSetting] = None  #: `AutoConfigURL`: the PAC address (long)
    auto_detect: bool | None = None  #: WPAD ("Automatically detect settings"), from DefaultConnectionSettings


class WinHttpData(Model):
    #: `registry` (the WinHttpSettings value), `netsh` (`netsh winhttp show proxy`), `unavailable`
    source: Literal["registry", "netsh", "unavailable"] = "registry"
    direct: bool | None = None  #: true = no proxy
    proxy_server: Annotated[Text | None, ServerSetting] = None  #: the proxy (long)
    bypass_list: Annotated[Text | None, ServerSetting] = None  #: the bypass list (long)


class EnvProxyVar(Model):
    #: `user` (the signed-in user's `HKEY_USERS\<SID>\Environment`), `machine`, `process` (the scan's own)
    scope: Literal["user", "machine", "process"]
    name: ShortText  #: HTTP_PROXY, HTTPS_PROXY, NO_PROXY, ALL_PROXY (any case)
    #: a proxy URL or NO_PROXY's list (long); may hold credentials, which reports hide
    value: Annotated[Text, ServerSetting]


class ProxyData(Model):
    scope: ProxyScopeData | None = None  #: whose per-user (WinINET) settings were read
    #: `Software\Microsoft\Windows\CurrentVersion\Internet Settings` of that user
    wininet: WinInetData | None = None
    #: what services and the token broker use; from the registry, else read by msdiag from `winhttp_output`
    winhttp: WinHttpData | None = None
    #: what `netsh winhttp show proxy` printed, when the WinHttpSettings value is absent (raw)
    winhttp_output: NativeOutput | None = None
    #: proxy environment variables at user, machine and process scope
    environment: list[EnvProxyVar] = _items(32)
