"""The check spec: one :class:`Check` record per bundled check, and everything derived from it.

This is the one place a check is declared. The capture models' check map, the parser's dispatch,
the JSON Schema, the report labels, the lab, redaction's and the fleet report's name sources all
read :data:`CHECKS`; tests/capture/test_check_spec.py fails, naming the file to touch, when a check is only
half added. To add a check: its script in ps_scripts/, its data model in msdiag/capture/models.py,
one ``Check(...)`` below, then a rule and a knowledge-base entry that use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from msdiag.capture.models import (
    EndpointsData,
    IdentityData,
    LocaleData,
    Model,
    NetworkData,
    OsData,
    ProxyData,
    ServicesData,
    TimeData,
    TlsData,
)
from msdiag.capture.names import NameMarker, name_markers
from msdiag.errors import InputError


class Label(NamedTuple):
    """A check's heading in reports, in English and Japanese."""

    en: str
    ja: str


@dataclass(frozen=True)
class Check:
    name: str
    script: str  # file name in ps_scripts/
    model: type[Model]  # what the script's document holds in ``data``
    summary: str  # one line: what it collects
    runs_on: str  # where it works
    label: Label  # the report's heading for this check's data
    #: dotted paths (into ``data``) of the facts that belong to one user's session or profile
    #: rather than to the machine: over remoting they are the connecting account's unless the
    #: script reads the interactive user's hive (issue 11 labels them per user). Sources:
    #: shared/reference/remoting-context.md (PowerShell's WSManPlugin.cs sets the session culture
    #: from the client's Locale/DataLocale); dsregcmd's "User state" and "SSO state" sections,
    #: https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd ;
    #: Get-VpnConnection reads the global phone book only with -AllUserConnection,
    #: https://learn.microsoft.com/powershell/module/vpnclient/get-vpnconnection
    per_user: tuple[str, ...] = ()
    needs_elevation: bool = False  # some probes give less without an elevated session

    @property
    def name_kinds(self) -> frozenset[NameMarker]:
        """Which kinds of names of people or infrastructure its data holds (from the model's markers)."""
        return name_markers(self.model)

    @property
    def holds_names(self) -> bool:
        return bool(self.name_kinds)


CHECKS: tuple[Check, ...] = (
    Check(
        name="os",
        script="Get-MsdiagOs.ps1",
        model=OsData,
        summary="Windows version, build, display version, edition, architecture, "
        "computer and domain, uptime, elevation, PowerShell version",
        runs_on="Windows; partial on PowerShell 7 elsewhere",
        label=Label("Windows", "Windows"),
    ),
    Check(
        name="locale",
        script="Get-MsdiagLocale.ps1",
        model=LocaleData,
        summary="Culture, UI culture, system locale, home location (GeoId), user language list",
        runs_on="Windows (system locale and home location need Windows)",
        label=Label("Language and region", "言語と地域"),
        # Get-Culture / Get-UICulture are the session's (over WinRM: the culture the client asked
        # for); home location (HKCU Geo) and the language list are the connecting account's.
        # system_locale is the machine's.
        per_user=("culture", "ui_culture", "home_location", "user_languages"),
    ),
    Check(
        name="time",
        script="Get-MsdiagTime.ps1",
        model=TimeData,
        summary="Time zone, UTC offset, DST, local and UTC time, W32Time state and configured source",
        runs_on="Windows; time zone and clock anywhere",
        label=Label("Time zone and clock", "タイム ゾーンと時刻"),
    ),
    Check(
        name="proxy",
        script="Get-MsdiagProxy.ps1",
        model=ProxyData,
        summary="WinINET per-user proxy and PAC, WinHTTP proxy, HTTP(S)_PROXY / NO_PROXY; whose settings they are",
        runs_on="Windows",
        label=Label("Proxy", "プロキシ"),
        # WinINET is read from the hive ``scope`` names; user-scope environment variables are the
        # connecting account's. WinHTTP and machine-scope variables are the machine's.
        per_user=("scope", "wininet", "environment"),
    ),
    Check(
        name="network",
        script="Get-MsdiagNetwork.ps1",
        model=NetworkData,
        summary="Adapters, VPN adapters and profiles, DNS servers, default route, "
        "hosts-file overrides of Microsoft hosts",
        runs_on="Windows",
        label=Label("Network", "ネットワーク"),
        # Get-VpnConnection without -AllUserConnection lists the connecting account's profiles
        # (all_users false); the rest is the machine's.
        per_user=("vpn_profiles",),
    ),
    Check(
        name="endpoints",
        script="Get-MsdiagEndpoints.ps1",
        model=EndpointsData,
        summary="DNS, TCP 443, TLS certificate and HTTP Date for the Microsoft "
        "account hosts, in parallel, through the user's proxy",
        runs_on="Windows; works on PowerShell 7 anywhere",
        label=Label("Reachability of Microsoft sign-in hosts", "Microsoft サインイン ホストへの到達性"),
        # GetSystemWebProxy() is the session account's WinINET proxy; the PAC probed is the
        # AutoConfigURL of the user the proxy check read (or -PacUrl).
        per_user=("probes.proxy", "pac"),
    ),
    Check(
        name="services",
        script="Get-MsdiagServices.ps1",
        model=ServicesData,
        summary="wlidsvc, TokenBroker, W32Time, Dnscache, NlaSvc: status and start type",
        runs_on="Windows",
        label=Label("Services", "サービス"),
    ),
    Check(
        name="tls",
        script="Get-MsdiagTls.ps1",
        model=TlsData,
        summary="SCHANNEL client TLS 1.0-1.3 settings, .NET SchUseStrongCrypto, WinHTTP DefaultSecureProtocols",
        runs_on="Windows",
        label=Label("TLS settings", "TLS 設定"),
        needs_elevation=False,
    ),
    Check(
        name="identity",
        script="Get-MsdiagIdentity.ps1",
        model=IdentityData,
        summary="dsregcmd /status join and PRT state, NoConnectedUser policy, "
        "whether the user signs in with a Microsoft account",
        runs_on="Windows",
        label=Label("Account and device join", "アカウントとデバイスの参加状態"),
        # dsregcmd's User State and SSO State (WorkplaceJoined, AzureAdPrt) are the session
        # account's; the signed-in user is the console user when there is one, else the session's.
        # Device State and the NoConnectedUser policy are the machine's.
        per_user=(
            "dsregcmd.workplace_joined",
            "dsregcmd.azure_ad_prt",
            "dsregcmd.azure_ad_prt_update_time",
            "signed_in_with_msa",
            "user_name",
        ),
    ),
)

CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in CHECKS)
CHECKS_BY_NAME: dict[str, Check] = {c.name: c for c in CHECKS}
#: check name -> the data model of its document's ``data``
CHECK_DATA_MODELS: dict[str, type[Model]] = {c.name: c.model for c in CHECKS}
_CHECKS_BY_MODEL: dict[type[Model], Check] = {c.model: c for c in CHECKS}
#: checks whose data holds names of people or infrastructure (what redaction must read)
NAME_SOURCES: tuple[str, ...] = tuple(c.name for c in CHECKS if c.holds_names)


def check_for_model(model: type[Model]) -> Check:
    """The check whose document's data ``model`` describes."""
    try:
        return _CHECKS_BY_MODEL[model]
    except KeyError:
        raise KeyError(f"{model.__name__} is not the data model of any check in msdiag/checks.py") from None


#: Hosts the endpoints check probes by default (a parameter of the script, not edited into it).
DEFAULT_ENDPOINT_HOSTS: tuple[str, ...] = (
    "login.live.com",
    "account.live.com",
    "account.microsoft.com",
    "login.microsoftonline.com",
    "logincdn.msftauth.net",
    "www.msftconnecttest.com",
)


def parse_check_selection(value: str | None) -> tuple[str, ...]:
    """Parse ``--checks a,b``; None or empty means every check. Unknown names are an input error."""
    if not value:
        return CHECK_NAMES
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [n for n in names if n not in CHECKS_BY_NAME]
    if unknown:
        raise InputError(
            f"unknown check name(s): {', '.join(unknown)}. Known checks: {', '.join(CHECK_NAMES)} "
            "(see `msdiag checks`)."
        )
    # keep the canonical order, drop duplicates
    return tuple(n for n in CHECK_NAMES if n in names)


def scripts_dir() -> Path:
    """Where the bundled .ps1 files are: inside the installed package, or ps_scripts/ in a checkout."""
    packaged = Path(str(resources.files("msdiag"))) / "ps_scripts"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "ps_scripts"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("the bundled PowerShell scripts (ps_scripts/) are missing from this installation")


#: The helper files in ps_scripts/ that check scripts load (one copy of the shared functions),
#: in the order a composed script defines them: MsdiagWinInet.ps1 calls MsdiagCommon.ps1.
HELPER_SCRIPTS: tuple[str, ...] = ("MsdiagCommon.ps1", "MsdiagWinInet.ps1")


def script_text(check: str) -> str:
    path = scripts_dir() / CHECKS_BY_NAME[check].script
    return path.read_text(encoding="utf-8-sig")


def helper_script_text(file_name: str) -> str:
    """The text of one of :data:`HELPER_SCRIPTS`."""
    if file_name not in HELPER_SCRIPTS:
        raise ValueError(f"{file_name!r} is not one of the bundled helper scripts {HELPER_SCRIPTS}")
    return (scripts_dir() / file_name).read_text(encoding="utf-8-sig")
