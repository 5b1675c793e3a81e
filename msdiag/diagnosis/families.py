"""Error-code families: causes shared by every code of a facility, added to the code's own entry
(or standing in for it when the knowledge base has none).

The Web Account Manager's network errors are WinINet / WinHTTP errors inside WAM: 0xCAA7xxxx
(FACILITY_ADAL_URLMON, ERROR_INET_*) and 0xCAA8xxxx (FACILITY_ADAL_INTERNET, the WinINet/WinHTTP
error in the low 16 bits, e.g. 0xCAA82F87 = 12167 "the PAC file cannot be downloaded"); MSAL maps
both to "no network" (WebProviderError.ErrorCode table; MSAL's AadPlugin.cs). So a PAC script that
cannot be fetched, or a proxy that refuses the sign-in hosts, is a possible cause of each of them,
whatever the code's own entry lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from msdiag.diagnosis.models import DecodedHresult, Localized
from msdiag.knowledge.models import Cause


@dataclass(frozen=True)
class Family:
    """Codes sharing a facility, and the causes every one of them can have."""

    id: str
    #: the codes' upper 16 bits (0xCAA7 for 0xCAA7000A)
    prefixes: tuple[int, ...]
    name: str
    meaning: Localized
    causes: tuple[Cause, ...]
    sources: tuple[str, ...]

    def covers(self, decoded: DecodedHresult | None) -> bool:
        if decoded is None:
            return False
        try:
            return int(decoded.hresult, 16) >> 16 in self.prefixes
        except ValueError:
            return False

    def causes_for(self, own: list[Cause]) -> list[Cause]:
        """The family's causes an entry does not already cover (same id, or the same rules)."""
        ids = {c.id for c in own}
        linked = {rule for c in own for rule in c.rules}
        return [c for c in self.causes if c.id not in ids and not set(c.rules) <= linked]


WAM_NETWORK = Family(
    id="wam-network",
    prefixes=(0xCAA7, 0xCAA8),
    name="Web Account Manager network error (0xCAA7xxxx FACILITY_ADAL_URLMON, 0xCAA8xxxx FACILITY_ADAL_INTERNET)",
    meaning=Localized(
        en="A network error inside Web Account Manager (WAM): WinINet / WinHTTP could not complete the "
        "request to the sign-in service (connection, proxy, PAC script, DNS or TLS).",
        ja="Web アカウント マネージャー (WAM) 内のネットワーク エラーです。WinINet / WinHTTP がサインイン "
        "サービスへの要求を完了できませんでした (接続、プロキシ、PAC スクリプト、DNS、TLS のいずれか)。",
    ),
    causes=(
        Cause(
            id="pac_unreachable",
            text=Localized(
                en="Possibly: the proxy auto-configuration (PAC) script cannot be downloaded, so Windows may "
                "have no proxy to use (0xCAA82F87 is this failure itself).",
                ja="可能性: プロキシ自動構成 (PAC) スクリプトをダウンロードできず、Windows が使うプロキシを"
                "決められない場合があります (0xCAA82F87 はこの失敗そのものです)。",
            ),
            rules=["proxy.pac_unreachable"],
        ),
        Cause(
            id="proxy_refuses_hosts",
            text=Localized(
                en="Possibly: the proxy refuses the sign-in hosts (a filter, or proxy authentication that "
                "sign-in cannot answer).",
                ja="可能性: プロキシがサインイン用ホストへの接続を拒否している場合があります "
                "(フィルター、またはサインインが応答できないプロキシ認証)。",
            ),
            rules=["proxy.connect_refused"],
        ),
    ),
    sources=(
        "https://learn.microsoft.com/uwp/api/windows.security.authentication.web.core.webprovidererror.errorcode",
        "https://github.com/AzureAD/microsoft-authentication-library-for-dotnet/blob/main/src/client/"
        "Microsoft.Identity.Client/Platforms/Features/WamBroker/AadPlugin.cs",
    ),
)

FAMILIES: tuple[Family, ...] = (WAM_NETWORK,)


def family_of(decoded: DecodedHresult | None) -> Family | None:
    """The family a decoded code belongs to, None when it has none."""
    return next((f for f in FAMILIES if f.covers(decoded)), None)
