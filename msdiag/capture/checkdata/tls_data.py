"""The ``tls`` check: the machine's SCHANNEL, .NET and WinHTTP TLS settings (registry)."""

from __future__ import annotations

from pydantic import ConfigDict

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.bounds import items as _items


class SchannelProtocolData(Model):
    protocol: ShortText  #: `TLS 1.2`
    #: false = the `...\SCHANNEL\Protocols\<protocol>\Client` key is absent: OS default
    key_present: bool = False
    enabled: int | None = None  #: registry Enabled: 0 disabled, 1 or 0xffffffff enabled
    disabled_by_default: int | None = None  #: registry DisabledByDefault


class DotNetTlsData(Model):
    #: `HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319\SchUseStrongCrypto`, null = absent
    sch_use_strong_crypto: int | None = None
    sch_use_strong_crypto_wow64: int | None = None  #: the same under WOW6432Node
    system_default_tls_versions: int | None = None  #: `SystemDefaultTlsVersions`, null = absent


class TlsData(Model):
    # a Windows 11 PC with no TLS setting of its own: every key absent, the OS defaults apply
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schannel_client": [
                        {"protocol": p, "key_present": False, "enabled": None, "disabled_by_default": None}
                        for p in ("TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3")
                    ],
                    "dotnet": {
                        "sch_use_strong_crypto": None,
                        "sch_use_strong_crypto_wow64": None,
                        "system_default_tls_versions": None,
                    },
                    "winhttp_default_secure_protocols": None,
                }
            ]
        }
    )

    schannel_client: list[SchannelProtocolData] = _items(16)  #: TLS 1.0, 1.1, 1.2, 1.3 client settings
    dotnet: DotNetTlsData | None = None  #: .NET Framework strong-crypto settings
    #: WinHttp DefaultSecureProtocols bit mask, null = absent
    winhttp_default_secure_protocols: int | None = None
