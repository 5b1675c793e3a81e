"""The ``proxy`` check: WinINET (the signed-in user's), WinHTTP (the machine's) and environment proxies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from msdiag.capture.bounds import Model, ShortText, Text
from msdiag.capture.bounds import items as _items
from msdiag.capture.names import AccountSid, PersonName, ServerSetting
from msdiag.capture.native import NativeOutput


class ProxyScopeData(Model):
    source: Literal["current_user", "interactive_user", "unavailable"] = Field(
        "current_user",
        description="whose WinINET settings were read: `current_user` (the scan's own HKCU: it runs as the "
        "signed-in user), `interactive_user` (`HKEY_USERS\\<SID>` of the signed-in user), `unavailable` "
        "(that hive is not loaded)",
    )
    user: Annotated[ShortText | None, PersonName] = Field(None, description="`DOMAIN\\user`, when the name resolves")
    sid: Annotated[ShortText | None, AccountSid] = Field(None, description="the account's SID")


class WinInetData(Model):
    proxy_enable: bool | None = Field(None, description="`Internet Settings\\ProxyEnable`")
    proxy_server: Annotated[Text | None, ServerSetting] = Field(
        None, description="`ProxyServer`: `host:port` or `http=h:p;https=h:p` (long)"
    )
    proxy_override: Annotated[Text | None, ServerSetting] = Field(None, description="`ProxyOverride`: `<local>;*.corp` (long)")
    auto_config_url: Annotated[Text | None, ServerSetting] = Field(None, description="`AutoConfigURL`: the PAC address (long)")
    auto_detect: bool | None = Field(None, description="WPAD (\"Automatically detect settings\"), from DefaultConnectionSettings")


class WinHttpData(Model):
    source: Literal["registry", "netsh", "unavailable"] = Field(
        "registry", description="`registry` (the WinHttpSettings value), `netsh` (`netsh winhttp show proxy`), `unavailable`"
    )
    direct: bool | None = Field(None, description="true = no proxy")
    proxy_server: Annotated[Text | None, ServerSetting] = Field(None, description="the proxy (long)")
    bypass_list: Annotated[Text | None, ServerSetting] = Field(None, description="the bypass list (long)")


class EnvProxyVar(Model):
    scope: Literal["user", "machine", "process"] = Field(
        description="`user` (the signed-in user's `HKEY_USERS\\<SID>\\Environment`), `machine`, `process` (the scan's own)"
    )
    name: ShortText = Field(description="HTTP_PROXY, HTTPS_PROXY, NO_PROXY, ALL_PROXY (any case)")
    value: Annotated[Text, ServerSetting] = Field(
        description="a proxy URL or NO_PROXY's list (long); may hold credentials, which reports hide"
    )


class ProxyData(Model):
    scope: ProxyScopeData | None = Field(None, description="whose per-user (WinINET) settings were read")
    wininet: WinInetData | None = Field(
        None, description="`Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings` of that user"
    )
    winhttp: WinHttpData | None = Field(
        None,
        description="what services and the token broker use; from the registry, else read by msdiag from "
        "`winhttp_output`",
    )
    winhttp_output: NativeOutput | None = Field(
        None, description="what `netsh winhttp show proxy` printed, when the WinHttpSettings value is absent (raw)"
    )
    environment: list[EnvProxyVar] = _items(32, "proxy environment variables at user, machine and process scope")
