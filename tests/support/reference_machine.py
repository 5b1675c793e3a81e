"""The reference machine: the one Windows PC every capture and test example is a variant of.

A ja-JP Windows 11 25H2 home PC, signed in with a Microsoft account, where everything works, built
field by field from what Windows really reports (shared/reference/windows-facts.md; the scripts in
ps_scripts/ for the exact strings). Written once, here, and used by
- tools/make_captures.py, which writes the lab hosts and test fixtures as documented variants of it
  (tests/fixtures/captures/README.md lists them);
- tests/test_rules_capture_builder.py (``HEALTHY``, ``capture()``: the rule tests' healthy machine);
- tests/test_ps_examples.py (``JA_JP``, ``EN_US``: example check documents as the scripts print them).

A plain module (not a test module): tests import it as ``support.reference_machine`` (tests/ is on
sys.path when pytest runs), the generator by putting tests/ on sys.path. A check without a builder
here (``<check>_data()`` in ``BUILDERS``) takes its data from the example declared on its data model
(``json_schema_extra={"examples": [...]}``), so adding a check needs no edit here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

from msdiag.capture.native.dsregcmd import parse_dsregcmd_status
from msdiag.capture.native.w32tm import parse_w32tm_status
from msdiag.capture.user_context import choose_interactive_user
from msdiag.checks import CHECK_NAMES, CHECKS_BY_NAME

Json = dict[str, Any]

# The moment the reference scan started (UTC), and the machine's timestamps derived from it.
SCAN_START = datetime(2026, 11, 25, 1, 2, 3, tzinfo=timezone.utc)
JST = timezone(timedelta(hours=9))
PST = timezone(timedelta(hours=-8))  # 25 November: US daylight saving time has ended


def iso_utc(moment: datetime) -> str:
    """ISO 8601 UTC with 7 fractional digits, as [DateTime]::UtcNow.ToString('o') prints it."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def iso_local(moment: datetime, tz: timezone) -> str:
    """ISO 8601 with offset, as (Get-Date).ToString('o') prints it on that machine."""
    text = moment.astimezone(tz).isoformat(timespec="microseconds")  # ...03.563000+09:00
    return text[:-6] + "0" + text[-6:]


def http_date(moment: datetime) -> str:
    """An RFC 7231 Date header: 'Wed, 25 Nov 2026 01:02:04 GMT'."""
    return format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


# Each check runs in order inside the one runner invocation; these are its offsets and durations (ms).
CHECK_TIMING: dict[str, tuple[int, int]] = {
    "os": (180, 212),
    "locale": (395, 143),
    "time": (540, 61),
    "proxy": (603, 38),
    "network": (644, 688),
    "endpoints": (1335, 1462),
    "services": (2800, 97),
    "tls": (2900, 24),
    "identity": (2926, 431),
}
SCAN_DURATION_MS = 3412


def check_started(check: str) -> datetime:
    # a check added later runs after the others, 50 ms each
    offset = CHECK_TIMING.get(check, (3400 + 50 * CHECK_NAMES.index(check), 40))[0]
    return SCAN_START + timedelta(milliseconds=offset)


# ---------------------------------------------------------------- the reference machine's data
COMPUTER = "DESKTOP-4KQ7N2M"
LOCAL_USER = "taroy"  # the profile name Windows derives from the Microsoft account's address
MSA = "taro.yamada@outlook.jp"
USER_SID = "S-1-5-21-3623811015-3361044348-30300820-1001"
#: explorer.exe of the console logon started at sign-in, 75 hours before the scan
SIGNED_IN = SCAN_START - timedelta(seconds=270_011)

JA_JP = {"name": "ja-JP", "lcid": 1041, "english_name": "Japanese (Japan)", "display_name": "日本語 (日本)"}
EN_US = {
    "name": "en-US",
    "lcid": 1033,
    "english_name": "English (United States)",
    "display_name": "English (United States)",
}
TOKYO = {
    "id": "Tokyo Standard Time",
    "display_name": "(UTC+09:00) 大阪、札幌、東京",
    "base_utc_offset_minutes": 540,
    "current_utc_offset_minutes": 540,
    "supports_dst": False,
}


def os_data() -> Json:
    return {
        "caption": "Microsoft Windows 11 Home",
        # the registry still says Windows 10 on Windows 11: decide the version from the build
        "product_name": "Windows 10 Home",
        # 25H2: on the scan date (November 2026) 23H2 and 24H2 Home/Pro are out of servicing
        # (msdiag/diagnosis/data/lifecycle.toml), and this machine is meant to be healthy
        "version": "10.0.26200",
        "build": 26200,
        "ubr": 7171,
        "display_version": "25H2",
        "edition": "Core",
        "architecture": "64 ビット",  # Win32_OperatingSystem.OSArchitecture is localized
        "computer_name": COMPUTER,
        "domain": "WORKGROUP",
        "part_of_domain": False,
        "workgroup": "WORKGROUP",
        "last_boot_utc": iso_utc(SCAN_START - timedelta(seconds=272_157)),
        "uptime_seconds": 272_157,
        "is_elevated": True,
        "ps_edition": "Desktop",
        "ps_version": "5.1.26100.4202",
        "is_windows": True,
    }


def user_context_facts(account: str = f"{COMPUTER}\\{LOCAL_USER}", sid: str = USER_SID) -> Json:
    """Who a per-user check saw signed in: the user at the console, running msdiag themselves."""
    return {
        "session": {"sid": sid, "account": account},
        "candidates": [
            {"sid": sid, "account": account, "source": "explorer", "session_id": 1, "logon_type": 2,
             "started_utc": iso_utc(SIGNED_IN)},
            {"sid": sid, "account": account, "source": "profile", "session_id": None, "logon_type": None,
             "started_utc": iso_utc(SCAN_START - timedelta(seconds=41))},
        ],
        "hive_sid": sid,
    }  # fmt: skip


def user_context(facts: Json) -> Json:
    """The capture's user_context, as msdiag decides it from what the scripts saw."""
    from msdiag.capture.user_context import UserContextFacts

    return choose_interactive_user(UserContextFacts.model_validate(facts)).model_dump(mode="json")


def locale_data() -> Json:
    return {
        "culture": dict(JA_JP),
        "ui_culture": dict(JA_JP),
        "system_locale": dict(JA_JP),
        "home_location": {"geo_id": 122, "name": "Japan", "iso2": "JP"},
        "user_languages": [
            {"tag": "ja", "english_name": "Japanese", "autonym": "日本語"},
            {"tag": "en-US", "english_name": "English (United States)", "autonym": "English (United States)"},
        ],
        "installed_ui_culture": dict(JA_JP),
        # a local scan by the user: the session's culture is theirs
        "session_culture": dict(JA_JP),
        "session_ui_culture": dict(JA_JP),
    }


def native(command: str, text: str) -> Json:
    """A native program's output as Invoke-MsdiagNativeCommand returns it (decoded from UTF-8)."""
    return {"command": command, "text": text, "exit_code": 0, "timed_out": False, "truncated": False,
            "encoding": "utf-8"}  # fmt: skip


# w32tm /query /status on a Japanese workgroup PC synchronised with time.windows.com (labels as in
# tests/data/native/w32tm-query-status/ja-1 and the @IT field table; CRLF as w32tm writes them)
W32TM_JA = (
    "閏インジケーター: 0 (警告なし)\r\n"
    "階層: 4 (二次参照 - (S)NTP で同期)\r\n"
    "精度: -23 (ティックごとに 119.209ns)\r\n"
    "ルート遅延: 0.0292130s\r\n"
    "ルート分散: 7.7861893s\r\n"
    "参照 ID: 0x142B5EC7 (ソース IP:  20.43.94.199)\r\n"
    "最終正常同期時刻: 2026/11/24 17:49:02\r\n"
    "ソース: time.windows.com,0x9\r\n"
    "ポーリング間隔: 10 (1024s)\r\n"
)


def w32tm_facts(text: str) -> tuple[Json, Json | None]:
    """(w32tm_output, w32tm): the raw text and what msdiag reads from it."""
    parsed = parse_w32tm_status(text)
    return native("w32tm /query /status", text), None if parsed is None else parsed.model_dump(mode="json")


def time_data() -> Json:
    now = check_started("time") + timedelta(milliseconds=23)
    return {
        "time_zone": dict(TOKYO),
        "local_time": iso_local(now, JST),
        "utc_time": iso_utc(now),
        "w32time": {
            "service_status": "Running",
            "start_type": "Manual",  # trigger-start on a workgroup PC
            "type": "NTP",
            "ntp_server": "time.windows.com,0x9",
        },
        **dict(zip(("w32tm_output", "w32tm"), w32tm_facts(W32TM_JA), strict=True)),
    }


def proxy_data() -> Json:
    return {
        "scope": {"source": "current_user", "user": f"{COMPUTER}\\{LOCAL_USER}", "sid": USER_SID},
        "wininet": {
            "proxy_enable": False,
            "proxy_server": None,
            "proxy_override": None,
            "auto_config_url": None,
            "auto_detect": True,  # "Automatically detect settings" is on by default
        },
        "winhttp": {"source": "registry", "direct": True, "proxy_server": None, "bypass_list": None},
        "winhttp_output": None,  # the WinHttpSettings value was there: netsh was not needed
        "environment": [],
    }


def adapter(name: str, description: str, status: str, media: str, index: int, **vpn: Any) -> Json:
    return {
        "name": name,
        "description": description,
        "status": status,
        "media_type": media,
        "if_index": index,
        "is_vpn": bool(vpn),
        "vpn_vendor": vpn.get("vendor"),
    }


def network_data() -> Json:
    return {
        "adapters": [
            adapter("Wi-Fi", "Intel(R) Wi-Fi 6E AX211 160MHz", "Up", "Native 802.11", 14),
            adapter("イーサネット", "Realtek PCIe GbE Family Controller", "Disconnected", "802.3", 9),
            adapter(
                "Bluetooth ネットワーク接続",
                "Bluetooth Device (Personal Area Network)",
                "Disconnected",
                "802.3",
                11,
            ),
            adapter("vEthernet (Default Switch)", "Hyper-V Virtual Ethernet Adapter", "Up", "802.3", 28),
        ],
        "vpn_profiles": [],
        "dns_servers": [
            {"interface_alias": "Wi-Fi", "if_index": 14, "addresses": ["192.168.10.1"]},
        ],
        "default_route": {
            "interface_alias": "Wi-Fi",
            "if_index": 14,
            "next_hop": "192.168.10.1",
            "route_metric": 0,
            "interface_metric": 35,
        },
        "hosts_entries": [],
        "hosts_file_readable": True,
    }


DIGICERT = "CN=DigiCert SHA2 Secure Server CA, O=DigiCert Inc, C=US"


def azure_ca(n: int) -> str:
    return f"CN=Microsoft Azure RSA TLS Issuing CA {n:02d}, O=Microsoft Corporation, C=US"


# host -> (addresses, tcp ms, TLS protocol, subject, issuer, not_after, HTTP status)
ENDPOINT_FACTS: dict[str, tuple[list[str], int, str, str, str, str, int]] = {
    "login.live.com": (
        ["20.190.177.21", "40.126.49.85", "20.190.177.147"],
        12,
        "Tls12",
        "CN=login.live.com, O=Microsoft Corporation, L=Redmond, S=WA, C=US",
        DIGICERT,
        "2027-06-17T23:59:59Z",
        200,
    ),
    "account.live.com": (
        ["40.126.49.20", "20.190.177.83"],
        13,
        "Tls12",
        "CN=account.live.com, O=Microsoft Corporation, L=Redmond, S=WA, C=US",
        DIGICERT,
        "2027-03-02T23:59:59Z",
        302,
    ),
    "account.microsoft.com": (
        ["13.107.246.60"],
        9,
        "Tls13",
        "CN=account.microsoft.com",
        azure_ca(7),
        "2027-04-21T08:11:42Z",
        302,
    ),
    "login.microsoftonline.com": (
        ["40.126.53.11", "20.190.181.2", "40.126.53.16"],
        14,
        "Tls13",
        "CN=stamp2.login.microsoftonline.com",
        azure_ca(4),
        "2027-02-09T17:40:05Z",
        302,
    ),
    "logincdn.msftauth.net": (
        ["13.107.253.45"],
        8,
        "Tls13",
        "CN=*.msftauth.net",
        azure_ca(3),
        "2027-01-28T04:02:51Z",
        200,
    ),
    "www.msftconnecttest.com": (
        ["23.212.253.224", "23.212.253.210"],
        11,
        "Tls12",
        "CN=www.msftconnecttest.com",
        azure_ca(8),
        "2027-05-14T12:30:00Z",
        200,
    ),
}


def endpoint_probe(host: str, index: int) -> Json:
    addresses, tcp_ms, protocol, subject, issuer, not_after, status = ENDPOINT_FACTS[host]
    dns_ms = 3 + index * 2
    tls_ms = tcp_ms * 2 + 9
    http_ms = tcp_ms * 3 + 40
    # the probes run in parallel: each response is dated a second or so after the check started
    answered = check_started("endpoints") + timedelta(milliseconds=dns_ms + tcp_ms + tls_ms + http_ms + 650)
    return {
        "host": host,
        "proxy": None,
        "dns": {"addresses": list(addresses), "error": None, "ms": dns_ms},
        "tcp": {"ok": True, "ms": tcp_ms, "error": None, "target": f"{host}:443"},
        "tls": {
            "ok": True,
            "protocol": protocol,
            "subject": subject,
            "issuer": issuer,
            "not_after": not_after.replace("Z", ".0000000Z"),
            "validation_error": None,
            "error": None,
            "ms": tls_ms,
        },
        "http": {"status": status, "date": http_date(answered), "error": None, "ms": http_ms},
        "timed_out_at": None,
    }


def endpoints_data() -> Json:
    # pac: null: no AutoConfigURL on this machine, so the script probes no PAC file
    # winhttp_probes: []: WinHTTP is direct, the same path as the user's, so it was not probed again
    return {
        "timeout_ms": 3000,
        "budget_ms": 13000,
        "probes": [endpoint_probe(h, i) for i, h in enumerate(ENDPOINT_FACTS)],
        "winhttp_probes": [],
        "pac": None,
    }


# (name, display name on a ja-JP machine, display name on an en-US machine, status, start type)
SERVICES: list[tuple[str, str, str, str, str]] = [
    (
        "wlidsvc",
        "Microsoft アカウント サインイン アシスタント",
        "Microsoft Account Sign-in Assistant",
        "Stopped",
        "Manual",
    ),
    ("TokenBroker", "Web アカウント マネージャー", "Web Account Manager", "Stopped", "Manual"),
    ("W32Time", "Windows Time", "Windows Time", "Running", "Manual"),
    ("Dnscache", "DNS Client", "DNS Client", "Running", "Automatic"),
    ("NlaSvc", "Network Location Awareness", "Network Location Awareness", "Running", "Automatic"),
]


def services_data(lang: str = "ja") -> Json:
    return {
        "services": [
            {
                "name": name,
                "display_name": ja if lang == "ja" else en,
                "present": True,
                "status": status,
                "start_type": start,
            }
            for name, ja, en, status, start in SERVICES
        ]
    }


BORDER = "+" + "-" * 70 + "+"


def dsregcmd_status(*sections: tuple[str, list[tuple[str, str]]]) -> str:
    """``dsregcmd /status`` text in the console's layout: a bordered heading per section, labels
    right-aligned to 26 columns, CRLF line ends (as tests/data/native/dsregcmd-status/en-1 shows)."""
    lines = [""]
    for title, fields in sections:
        lines += [BORDER, f"| {title:<68} |", BORDER, ""]
        lines += [f"{label:>26} : {value}" for label, value in fields]
        lines.append("")
    lines += [BORDER, ""]
    return "\r\n".join(lines)


# a workgroup PC, scan run elevated (WamDefaultSet ERROR): the fields of the real
# tests/data/native/dsregcmd-status/en-3
DSREGCMD_WORKGROUP = dsregcmd_status(
    ("Device State", [("AzureAdJoined", "NO"), ("EnterpriseJoined", "NO"), ("DomainJoined", "NO")]),
    ("User State", [("NgcSet", "NO"), ("WorkplaceJoined", "NO"), ("WamDefaultSet", "ERROR")]),
    ("SSO State", [("AzureAdPrt", "NO"), ("AzureAdPrtAuthority", "NO"), ("EnterprisePrt", "NO"),
                   ("EnterprisePrtAuthority", "NO")]),
)  # fmt: skip


def dsregcmd_facts(text: str) -> tuple[Json, Json]:
    """(dsregcmd_output, dsregcmd): the raw text and what msdiag reads from it."""
    return native("dsregcmd /status", text), parse_dsregcmd_status(text).model_dump(mode="json")


def identity_data() -> Json:
    output, parsed = dsregcmd_facts(DSREGCMD_WORKGROUP)
    return {
        "dsregcmd": parsed,
        "dsregcmd_output": output,
        "no_connected_user": None,  # policy value absent: Microsoft accounts allowed
        "signed_in_with_msa": True,
        "user_name": f"MicrosoftAccount\\{MSA}",
    }


#: hand-written builders; the other checks' data is their model's declared example
BUILDERS: dict[str, Callable[[], Json]] = {
    "os": os_data,
    "locale": locale_data,
    "time": time_data,
    "proxy": proxy_data,
    "network": network_data,
    "endpoints": endpoints_data,
    "services": services_data,
    "identity": identity_data,
}


def model_example(check: str) -> Json:
    """The example declared on ``check``'s data model (``json_schema_extra={"examples": [...]}``)."""
    extra = CHECKS_BY_NAME[check].model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if not isinstance(examples, list) or not examples or not isinstance(examples[0], dict):
        raise LookupError(
            f"the {check} check has no data builder in tests/support/reference_machine.py and its data model "
            f"{CHECKS_BY_NAME[check].model.__name__} declares no example: add "
            'model_config = ConfigDict(json_schema_extra={"examples": [{...}]})'
        )
    return copy.deepcopy(examples[0])


def _builder(check: str) -> Callable[[], Json]:
    return BUILDERS.get(check) or (lambda: model_example(check))


#: every check's data builder, in the spec's order
DATA_BUILDERS: dict[str, Callable[[], Json]] = {name: _builder(name) for name in CHECK_NAMES}
#: the checks whose scripts read the signed-in user's hive, and say so in their document
HIVE_CHECKS = ("locale", "proxy", "endpoints", "identity")


def document(check: str, data: Json, errors: list[Json] | None = None, *, printed: bool = False) -> Json:
    """A check document as stored in a capture, or as the script printed it (with its user_context)."""
    doc: Json = {
        "check": check,
        "schema_version": 2,
        "collected_utc": iso_utc(check_started(check)),
        "elapsed_ms": CHECK_TIMING.get(check, (0, 40))[1],
        "data": data,
        "errors": errors or [],
    }
    if printed and check in HIVE_CHECKS:
        doc["user_context"] = user_context_facts()
    return doc


def reference_capture() -> Json:
    """healthy-ja-jp: the machine every other capture is a variant of."""
    return {
        "format": "msdiag-capture",
        "schema_version": 2,
        "msdiag_version": "0.1.0",
        "host": COMPUTER,
        "mode": "local",
        "collected_utc": iso_utc(SCAN_START),
        "duration_ms": SCAN_DURATION_MS,
        "powershell": {
            "edition": "Desktop",
            "version": "5.1.26100.4202",
            "path": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        },
        "host_status": {"state": "ok"},
        "checks": {
            name: {"status": "ok", "document": document(name, build())}
            for name, build in DATA_BUILDERS.items()
        },
        "warnings": [],
        "user_context": user_context(user_context_facts()),
    }


# ---------------------------------------------------------------- helpers for variants
def data(capture: Json, check: str) -> Json:
    result: Json = capture["checks"][check]["document"]["data"]
    return result


def probe(capture: Json, host: str) -> Json:
    for item in data(capture, "endpoints")["probes"]:
        if item["host"] == host:
            result: Json = item
            return result
    raise KeyError(host)


def service(capture: Json, name: str) -> Json:
    for item in data(capture, "services")["services"]:
        if item["name"] == name:
            result: Json = item
            return result
    raise KeyError(name)


def rename_computer(capture: Json, computer: str, local_user: str = LOCAL_USER) -> None:
    """Give a variant its own computer name everywhere the machine reports it (its local user too)."""
    previous = capture["host"]
    capture["host"] = computer
    data(capture, "os")["computer_name"] = computer
    user = (capture.get("user_context") or {}).get("interactive_user") or {}
    if str(user.get("account", "")).startswith(f"{previous}\\"):
        set_user(capture, f"{computer}\\{local_user}", user["sid"])


def set_native(capture: Json, check: str, raw: str, into: str, text: str) -> None:
    """Give a variant another program output, and what msdiag reads from it (as a saved capture holds)."""
    from msdiag.capture.parse import read_native_text

    document = capture["checks"][check]["document"]
    document["data"][raw] = native(document["data"][raw]["command"], text)
    read_native_text(CHECKS_BY_NAME[check], document)


def set_user(capture: Json, account: str, sid: str) -> None:
    """The variant's user (signed in at the console, running the scan): everywhere the machine names them."""
    scope = data(capture, "proxy")["scope"]
    if scope is not None:
        scope.update(user=account, sid=sid)
    capture["user_context"] = user_context(user_context_facts(account, sid))


def variant(base: Callable[[], Json] = reference_capture) -> Json:
    return copy.deepcopy(base())


# ---------------------------------------------------------------- its English twin
def en_us_capture() -> Json:
    """The reference machine as an en-US Windows 11 25H2 Pro in Seattle: English everywhere, Pacific time, home location US.

    25H2, like the reference: on the scan date (November 2026) Windows 10 and Windows 11 23H2 and
    24H2 Home/Pro are past end of servicing, and this capture is meant to be free of findings.
    """
    capture = variant()
    rename_computer(capture, "DESKTOP-2F8LQ0W", "jsmith")
    os = data(capture, "os")
    os.update(
        caption="Microsoft Windows 11 Pro",
        product_name="Windows 10 Pro",
        version="10.0.26200",
        build=26200,
        ubr=7171,
        display_version="25H2",
        edition="Professional",
        architecture="64-bit",
        ps_version="5.1.26100.4202",
    )
    capture["powershell"]["version"] = "5.1.26100.4202"
    locale = data(capture, "locale")
    locale.update(
        culture=dict(EN_US),
        ui_culture=dict(EN_US),
        system_locale=dict(EN_US),
        home_location={"geo_id": 244, "name": "United States", "iso2": "US"},
        user_languages=[
            {"tag": "en-US", "english_name": "English (United States)", "autonym": "English (United States)"}
        ],
    )
    time = data(capture, "time")
    time["time_zone"] = {
        "id": "Pacific Standard Time",
        "display_name": "(UTC-08:00) Pacific Time (US & Canada)",
        "base_utc_offset_minutes": -480,
        "current_utc_offset_minutes": -480,
        "supports_dst": True,
    }
    time["local_time"] = iso_local(datetime.fromisoformat(time["utc_time"].replace("0Z", "+00:00")), PST)
    network = data(capture, "network")
    network["adapters"] = [
        adapter("Ethernet", "Intel(R) Ethernet Connection (7) I219-V", "Up", "802.3", 6),
        adapter("Wi-Fi", "Intel(R) Wi-Fi 6 AX201 160MHz", "Disconnected", "Native 802.11", 12),
        adapter(
            "Bluetooth Network Connection",
            "Bluetooth Device (Personal Area Network)",
            "Disconnected",
            "802.3",
            10,
        ),
    ]
    network["dns_servers"] = [
        {"interface_alias": "Ethernet", "if_index": 6, "addresses": ["192.168.1.1"]},
    ]
    network["default_route"] = {"interface_alias": "Ethernet", "if_index": 6, "next_hop": "192.168.1.1"}
    data(capture, "services").update(services_data("en"))
    data(capture, "identity")["user_name"] = "MicrosoftAccount\\john.smith@outlook.com"
    for name in ("installed_ui_culture", "session_culture", "session_ui_culture"):
        locale[name] = dict(EN_US)
    set_native(capture, "time", "w32tm_output", "w32tm", W32TM_EN)
    return capture


# w32tm /query /status on an en-US PC synchronised with time.windows.com (the real
# tests/data/native/w32tm-query-status/en-5, with this machine's sync time)
W32TM_EN = (
    "Leap Indicator: 0(no warning)\r\n"
    "Stratum: 4 (secondary reference - syncd by (S)NTP)\r\n"
    "Precision: -23 (119.209ns per tick)\r\n"
    "Root Delay: 0.0037284s\r\n"
    "Root Dispersion: 0.0346264s\r\n"
    "ReferenceId: 0x142B5EC7 (source IP:  20.43.94.199)\r\n"
    "Last Successful Sync Time: 11/24/2026 12:49:02 AM\r\n"
    "Source: time.windows.com,0x9\r\n"
    "Poll Interval: 10 (1024s)\r\n"
)
