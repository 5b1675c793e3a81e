"""The ``tls`` check: the machine's SCHANNEL, .NET and WinHTTP TLS settings (registry)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.bounds import items as _items


class SchannelProtocolData(Model):
    protocol: ShortText = Field(description="`TLS 1.2`")
    key_present: bool = Field(
        False, description="false = the `...\\SCHANNEL\\Protocols\\<protocol>\\Client` key is absent: OS default"
    )
    enabled: int | None = Field(None, description="registry Enabled: 0 disabled, 1 or 0xffffffff enabled")
    disabled_by_default: int | None = Field(None, description="registry DisabledByDefault")


class DotNetTlsData(Model):
    sch_use_strong_crypto: int | None = Field(
        None, description="`HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319\\SchUseStrongCrypto`, null = absent"
    )
    sch_use_strong_crypto_wow64: int | None = Field(None, description="the same under WOW6432Node")
    system_default_tls_versions: int | None = Field(None, description="`SystemDefaultTlsVersions`, null = absent")


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

    schannel_client: list[SchannelProtocolData] = _items(16, "TLS 1.0, 1.1, 1.2, 1.3 client settings")
    dotnet: DotNetTlsData | None = Field(None, description=".NET Framework strong-crypto settings")
    winhttp_default_secure_protocols: int | None = Field(
        None, description="WinHttp DefaultSecureProtocols bit mask, null = absent"
    )
