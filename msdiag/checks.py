"""The check spec: one :class:`Check` record per bundled check, and everything derived from it.

This is the one place a check is declared. The capture models' check map, the parser's dispatch,
the JSON Schema, the report labels, the lab, redaction's and the fleet report's name sources all
read :data:`CHECKS`; tests/capture/test_check_spec.py fails, naming the file to touch, when a check is only
half added. To add a check: its script ps_scripts/Get-Msdiag<Name>.ps1, its data model in a module
of msdiag/capture/checkdata/ (field descriptions are its documentation), one ``Check(...)`` below,
then a rule and a knowledge-base entry that use it.
"""

from __future__ import annotations

from collections.abc import Callable
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
from msdiag.capture.native.dsregcmd import read_dsregcmd_status
from msdiag.capture.native.netsh import parse_netsh_winhttp_proxy
from msdiag.capture.native.w32tm import parse_w32tm_status
from msdiag.errors import InputError


class Label(NamedTuple):
    """A check's heading in reports, in English and Japanese."""

    en: str
    ja: str


@dataclass(frozen=True)
class NativeText:
    """A native program's raw output in a check's data, and the parser that reads facts from it.

    When a document has ``raw`` (a NativeOutput), msdiag fills ``into`` with what ``parse`` reads
    from its text (msdiag/capture/native/); None from the parser = a layout it does not know,
    recorded as a probe error with the text kept.
    """

    raw: str
    into: str
    parse: Callable[[str], Model | None]


@dataclass(frozen=True)
class Check:
    name: str
    model: type[Model]  # what the script's document holds in ``data``
    label: Label  # the report's heading for this check's data
    summary: str  # one line: what it collects
    runs_on: str  # where it works
    #: dotted paths (into ``data``) of the facts that belong to one user rather than to the machine.
    #: The scripts read them from the signed-in user's hive (HKEY_USERS\<SID>, chosen as
    #: msdiag.capture.user_context says), except the ``session_only`` ones.
    per_user: tuple[str, ...] = ()
    #: the per-user facts only the scan's own session can read: they are the account the scan runs
    #: as (over remoting the helpdesk's, from an agent SYSTEM's), the user's only when that is the
    #: signed-in user. dsregcmd's User State / SSO State "must run in a user context",
    #: https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd ; the session
    #: culture is the client's (MS-WSMV wsman:Locale); GetSystemWebProxy and Get-VpnConnection
    #: without -AllUserConnection read the current user's settings.
    session_only: tuple[str, ...] = ()
    native: tuple[NativeText, ...] = ()  # raw program output the check returns for msdiag to read
    needs_elevation: bool = False  # some probes give less without an elevated session

    @property
    def script(self) -> str:
        """Its file name in ps_scripts/: ``Get-Msdiag<Name>.ps1``."""
        return f"Get-Msdiag{self.name.capitalize()}.ps1"

    @property
    def name_kinds(self) -> frozenset[NameMarker]:
        """Which kinds of names of people or infrastructure its data holds (from the model's markers)."""
        return name_markers(self.model)

    @property
    def holds_names(self) -> bool:
        return bool(self.name_kinds)


CHECKS: tuple[Check, ...] = (
    Check("os", OsData, Label("Windows", "Windows"),
          summary="Windows version, build, display version, edition, architecture, computer and domain, "
          "uptime, elevation, PowerShell version",
          runs_on="Windows; partial on PowerShell 7 elsewhere"),
    Check("locale", LocaleData, Label("Language and region", "言語と地域"),
          summary="The signed-in user's regional format, display language, home location and language "
          "list (from their hive); system locale; the scan session's own culture, labelled",
          runs_on="Windows (the session culture anywhere)",
          per_user=("culture", "ui_culture", "home_location", "user_languages", "session_culture",
                    "session_ui_culture"),
          session_only=("session_culture", "session_ui_culture")),
    Check("time", TimeData, Label("Time zone and clock", "タイム ゾーンと時刻"),
          summary="Time zone, UTC offset, DST, local and UTC time, W32Time state, configured and actual "
          "source, last successful sync (w32tm /query /status)",
          runs_on="Windows; time zone and clock anywhere",
          native=(NativeText("w32tm_output", "w32tm", parse_w32tm_status),)),
    Check("proxy", ProxyData, Label("Proxy", "プロキシ"),
          summary="WinINET per-user proxy and PAC, WinHTTP proxy, HTTP(S)_PROXY / NO_PROXY; whose settings they are",
          runs_on="Windows",
          per_user=("scope", "wininet", "environment"),
          native=(NativeText("winhttp_output", "winhttp", parse_netsh_winhttp_proxy),)),
    Check("network", NetworkData, Label("Network", "ネットワーク"),
          summary="Adapters, VPN adapters and profiles, DNS servers, default route, hosts-file overrides "
          "of Microsoft hosts",
          runs_on="Windows",
          per_user=("vpn_profiles",), session_only=("vpn_profiles",)),
    Check("endpoints", EndpointsData, Label("Reachability of Microsoft sign-in hosts",
                                            "Microsoft サインイン ホストへの到達性"),
          summary="DNS, TCP 443, TLS certificate and HTTP Date for the Microsoft account hosts, in parallel, "
          "through the session's proxy and through the WinHTTP proxy",
          runs_on="Windows; works on PowerShell 7 anywhere",
          per_user=("probes.proxy", "pac"), session_only=("probes.proxy",)),
    Check("services", ServicesData, Label("Services", "サービス"),
          summary="wlidsvc, TokenBroker, W32Time, Dnscache, NlaSvc: status and start type",
          runs_on="Windows"),
    Check("tls", TlsData, Label("TLS settings", "TLS 設定"),
          summary="SCHANNEL client TLS 1.0-1.3 settings, .NET SchUseStrongCrypto, WinHTTP DefaultSecureProtocols",
          runs_on="Windows"),
    Check("identity", IdentityData, Label("Account and device join", "アカウントとデバイスの参加状態"),
          summary="dsregcmd /status join and PRT state, NoConnectedUser policy, the signed-in user and "
          "whether they sign in with a Microsoft account",
          runs_on="Windows",
          per_user=("dsregcmd.workplace_joined", "dsregcmd.azure_ad_prt", "dsregcmd.azure_ad_prt_update_time",
                    "dsregcmd.wam_default_set", "signed_in_with_msa", "user_name"),
          session_only=("dsregcmd.workplace_joined", "dsregcmd.azure_ad_prt",
                        "dsregcmd.azure_ad_prt_update_time", "dsregcmd.wam_default_set"),
          native=(NativeText("dsregcmd_output", "dsregcmd", read_dsregcmd_status),)),
)  # fmt: skip

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
