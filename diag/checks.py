"""The bundled checks: names, scripts and what each collects."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from diag.errors import InputError


@dataclass(frozen=True)
class Check:
    name: str
    script: str  # file name in ps_scripts/
    summary: str  # one line: what it collects
    runs_on: str  # where it works
    needs_elevation: bool = False  # some probes give less without an elevated session


CHECKS: tuple[Check, ...] = (
    Check(
        "os",
        "Get-MsdiagOs.ps1",
        "Windows version, build, display version, edition, architecture, "
        "computer and domain, uptime, elevation, PowerShell version",
        "Windows; partial on PowerShell 7 elsewhere",
    ),
    Check(
        "locale",
        "Get-MsdiagLocale.ps1",
        "Culture, UI culture, system locale, home location (GeoId), user language list",
        "Windows (system locale and home location need Windows)",
    ),
    Check(
        "time",
        "Get-MsdiagTime.ps1",
        "Time zone, UTC offset, DST, local and UTC time, W32Time state and configured source",
        "Windows; time zone and clock anywhere",
    ),
    Check(
        "proxy",
        "Get-MsdiagProxy.ps1",
        "WinINET per-user proxy and PAC, WinHTTP proxy, HTTP(S)_PROXY / NO_PROXY; whose settings they are",
        "Windows",
    ),
    Check(
        "network",
        "Get-MsdiagNetwork.ps1",
        "Adapters, VPN adapters and profiles, DNS servers, default route, "
        "hosts-file overrides of Microsoft hosts",
        "Windows",
    ),
    Check(
        "endpoints",
        "Get-MsdiagEndpoints.ps1",
        "DNS, TCP 443, TLS certificate and HTTP Date for the Microsoft "
        "account hosts, in parallel, through the user's proxy",
        "Windows; works on PowerShell 7 anywhere",
    ),
    Check(
        "services",
        "Get-MsdiagServices.ps1",
        "wlidsvc, TokenBroker, W32Time, Dnscache, NlaSvc: status and start type",
        "Windows",
    ),
    Check(
        "tls",
        "Get-MsdiagTls.ps1",
        "SCHANNEL client TLS 1.0-1.3 settings, .NET SchUseStrongCrypto, WinHTTP DefaultSecureProtocols",
        "Windows",
        needs_elevation=False,
    ),
    Check(
        "identity",
        "Get-MsdiagIdentity.ps1",
        "dsregcmd /status join and PRT state, NoConnectedUser policy, "
        "whether the user signs in with a Microsoft account",
        "Windows",
    ),
)

CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in CHECKS)
CHECKS_BY_NAME: dict[str, Check] = {c.name: c for c in CHECKS}

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
    packaged = Path(str(resources.files("diag"))) / "ps_scripts"
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
