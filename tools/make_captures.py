"""Generate the realistic captures msdiag ships (msdiag/lab/hosts/) and tests with (tests/fixtures/captures/).

One reference machine (a ja-JP Windows 11 25H2 home PC, signed in with a Microsoft account, where
everything works) is built in tests/support/reference_machine.py, field by field from what Windows
really reports (see shared/reference/windows-facts.md); the rule tests and the example check
documents use the same one. Every capture here is that machine with a small, documented change
(tests/fixtures/captures/README.md lists them), so a test can prove a variant differs from the
reference only where it says it does.

Run from the repository root:  python tools/make_captures.py   (add --check to verify only)
Every capture is validated against msdiag.capture.models.Capture and each check's data model before
it is written; the output is deterministic (fixed timestamps), so re-running it changes nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the reference machine: tests/support/reference_machine.py

from support.reference_machine import (  # noqa: E402
    LOCAL_USER,
    PST,
    SCAN_START,
    Json,
    adapter,
    data,
    dsregcmd_status,
    en_us_capture,
    http_date,
    iso_local,
    probe,
    reference_capture,
    rename_computer,
    service,
    set_native,
    set_user,
    variant,
)

from msdiag.capture.models import Capture, CheckStatus  # noqa: E402
from msdiag.capture.parse import parse_check_output, validate_document  # noqa: E402

LAB_DIR = REPO / "msdiag" / "lab" / "hosts"
FIXTURE_DIR = REPO / "tests" / "fixtures" / "captures"


# ---------------------------------------------------------------- built-in lab hosts
def healthy_ja_jp() -> Json:
    return reference_capture()


def proxy_mismatch() -> Json:
    """The user's WinINET proxy is set, WinHTTP (services, the token broker) is direct.

    The endpoints check probes through the proxy the *user* would use (WinINET), so every probe
    goes to proxy.corp.example:8080 with CONNECT and succeeds: the user's browser works. The
    broker path is direct (WinHTTP) and this network only lets traffic out through the proxy, but
    the check does not probe that path, so the capture shows the mismatch itself, not a failure.
    """
    capture = variant()
    rename_computer(capture, "DESKTOP-8RJ2VXC")
    wininet = data(capture, "proxy")["wininet"]
    wininet.update(
        proxy_enable=True,
        proxy_server="proxy.corp.example:8080",
        proxy_override="<local>;*.corp.example",
        auto_detect=False,
    )
    for item in data(capture, "endpoints")["probes"]:
        item["proxy"] = "http://proxy.corp.example:8080/"  # Uri.AbsoluteUri
        # a TCP connect to the proxy, not to the host; the tunnel adds a little to TLS and HTTP
        item["tcp"].update(target="proxy.corp.example:8080", ms=3)
        item["tls"]["ms"] += 21
        item["http"]["ms"] += 25
    return capture


CLOCK_BEHIND = timedelta(minutes=7, seconds=12)
W32TM_NOT_STARTED_JA = "次のエラーが発生しました: サービスは開始されていません。 (0x80070426)\r\n"


def clock_skew() -> Json:
    """The PC's clock is 7 min 12 s behind the servers; W32Time is stopped and set to NoSync.

    Every timestamp the machine wrote (collected_utc, utc_time, local_time) comes from its own slow
    clock, so only the servers' Date headers move: they are 432 s ahead of utc_time.
    """
    capture = variant()
    rename_computer(capture, "DESKTOP-TQ5MZ8H")
    w32time = data(capture, "time")["w32time"]
    w32time.update(service_status="Stopped", type="NoSync")
    service(capture, "W32Time")["status"] = "Stopped"
    # the service is stopped: w32tm prints the error instead of a status (the Japanese wording is
    # composed from the Win32 message of 1062; only the code was seen in real outputs)
    set_native(capture, "time", "w32tm_output", "w32tm", W32TM_NOT_STARTED_JA)
    for item in data(capture, "endpoints")["probes"]:
        served = datetime.strptime(item["http"]["date"], "%a, %d %b %Y %H:%M:%S GMT").replace(
            tzinfo=timezone.utc
        )
        item["http"]["date"] = http_date(served + CLOCK_BEHIND)
    return capture


GLOBALPROTECT_INDEX = 23
JA_NO_SUCH_HOST = "そのようなホストは不明です。"  # SocketException WSAHOST_NOT_FOUND (11001)
TCP_NOT_ATTEMPTED = "not attempted: the DNS lookup gave no address"  # the endpoints script's own text


def vpn_dns_failure() -> Json:
    """GlobalProtect is connected (full tunnel) and its DNS servers cannot resolve the live.com hosts."""
    capture = variant()
    rename_computer(capture, "DESKTOP-VN3P7KD")
    network = data(capture, "network")
    network["adapters"].append(
        adapter(
            "イーサネット 2",
            "PANGP Virtual Ethernet Adapter Secure",
            "Up",
            "802.3",
            GLOBALPROTECT_INDEX,
            vendor="Palo Alto GlobalProtect",
        )
    )
    network["dns_servers"].append(
        {
            "interface_alias": "イーサネット 2",
            "if_index": GLOBALPROTECT_INDEX,
            "addresses": ["10.20.0.53", "10.20.0.54"],
        }
    )
    network["default_route"] = {
        "interface_alias": "イーサネット 2",
        "if_index": GLOBALPROTECT_INDEX,
        "next_hop": "0.0.0.0",
    }
    for host in ("login.live.com", "account.live.com"):
        item = probe(capture, host)
        # no address, so nothing further was attempted for this host
        item.update(
            dns={"addresses": [], "error": JA_NO_SUCH_HOST, "ms": 2004},
            tcp={"ok": None, "ms": None, "error": TCP_NOT_ATTEMPTED, "target": f"{host}:443"},
            tls=None,
            http=None,
        )
    return capture


HOSTS_BLOCKED = {"login.live.com": 22, "www.msftconnecttest.com": 23}
JA_ADDRESS_NOT_VALID = "要求されたアドレスはそのコンテキストでは無効です。"  # WSAEADDRNOTAVAIL (10049)


def hosts_file_block() -> Json:
    """C:\\Windows\\System32\\drivers\\etc\\hosts maps two Microsoft hosts to 0.0.0.0 (lines 22-23)."""
    capture = variant()
    rename_computer(capture, "DESKTOP-H0S7BLK")
    data(capture, "network")["hosts_entries"] = [
        {"address": "0.0.0.0", "hostname": host, "line_number": line} for host, line in HOSTS_BLOCKED.items()
    ]
    for host in HOSTS_BLOCKED:
        item = probe(capture, host)
        # the hosts file answers instantly; connecting to 0.0.0.0 fails at once on Windows
        item.update(
            dns={"addresses": ["0.0.0.0"], "error": None, "ms": 0},
            tcp={"ok": False, "ms": 1, "error": JA_ADDRESS_NOT_VALID, "target": f"{host}:443"},
            tls=None,
            http=None,
        )
    return capture


def wlidsvc_disabled() -> Json:
    """The Microsoft Account Sign-in Assistant is Disabled (a 'debloat' script did it) and stopped."""
    capture = variant()
    rename_computer(capture, "DESKTOP-W1DS0FF")
    service(capture, "wlidsvc").update(status="Stopped", start_type="Disabled")
    return capture


LAB_HOSTS: dict[str, Callable[[], Json]] = {
    "healthy-ja-jp": healthy_ja_jp,
    "proxy-mismatch": proxy_mismatch,
    "clock-skew": clock_skew,
    "vpn-dns-failure": vpn_dns_failure,
    "hosts-file-block": hosts_file_block,
    "wlidsvc-disabled": wlidsvc_disabled,
}


# ---------------------------------------------------------------- test fixtures
def healthy_en_us() -> Json:
    """The reference machine's English twin (tests/support/reference_machine.py)."""
    return en_us_capture()



def abroad_ja_jp_in_us() -> Json:
    """海外赴任: a Japanese PC taken to California. Culture, system locale and home location (122) are
    still Japan; the time zone is Pacific, and the user is adding a +1 US number."""
    capture = variant()
    rename_computer(capture, "DESKTOP-KAIGAI1")
    time = data(capture, "time")
    time["time_zone"] = {
        "id": "Pacific Standard Time",
        "display_name": "(UTC-08:00) 太平洋標準時 (米国およびカナダ)",
        "base_utc_offset_minutes": -480,
        "current_utc_offset_minutes": -480,
        "supports_dst": True,
    }
    time["local_time"] = iso_local(datetime.fromisoformat(time["utc_time"].replace("0Z", "+00:00")), PST)
    network = data(capture, "network")
    network["dns_servers"][0]["addresses"] = ["192.168.0.1"]
    network["default_route"]["next_hop"] = "192.168.0.1"
    return capture


CONTOSO_CA = "CN=Contoso Inspection CA, O=Contoso"
CONTOSO_SID = "S-1-5-21-1004336348-1177238915-682003330-51234"
CONTOSO_PROXY = "proxy.contoso.com:8080"


def org_joined_tls_interception() -> Json:
    """A Contoso laptop: hybrid joined (AD + Entra ID), Microsoft accounts blocked by policy (3), and a
    TLS-inspecting proxy that re-signs every Microsoft host with Contoso's own CA (trusted by GPO)."""
    capture = variant()
    rename_computer(capture, "CNT-LT-04217", "t.yamada")
    os = data(capture, "os")
    os.update(
        caption="Microsoft Windows 11 Enterprise",
        product_name="Windows 10 Enterprise",
        edition="Enterprise",
        domain="corp.contoso.com",
        part_of_domain=True,
        workgroup=None,
        is_elevated=False,
    )
    set_user(capture, "CONTOSO\\t.yamada", CONTOSO_SID)
    data(capture, "proxy")["wininet"].update(
        proxy_enable=True,
        proxy_server=CONTOSO_PROXY,
        proxy_override="<local>;*.corp.contoso.com",
        auto_detect=False,
    )
    data(capture, "proxy")["winhttp"].update(
        direct=False, proxy_server=CONTOSO_PROXY, bypass_list="<local>;*.corp.contoso.com"
    )
    data(capture, "time")["w32time"].update(start_type="Automatic", type="NT5DS", ntp_server=None)
    network = data(capture, "network")
    network["dns_servers"][0]["addresses"] = ["10.1.0.10", "10.1.0.11"]
    network["default_route"]["next_hop"] = "10.1.64.1"
    for item in data(capture, "endpoints")["probes"]:
        item["proxy"] = f"http://{CONTOSO_PROXY}/"
        item["tcp"].update(target=CONTOSO_PROXY, ms=2)
        # the proxy terminates TLS and mints a certificate for the host on the fly
        item["tls"].update(
            protocol="Tls12",
            subject=f"CN={item['host']}",
            issuer=CONTOSO_CA,
            not_after="2026-12-25T00:00:00.0000000Z",
        )
    identity = data(capture, "identity")
    set_native(capture, "identity", "dsregcmd_output", "dsregcmd", hybrid_joined_dsregcmd("CONTOSO", "Contoso"))
    identity.update(no_connected_user=3, signed_in_with_msa=False, user_name="CONTOSO\\t.yamada")
    return capture


def hybrid_joined_dsregcmd(domain: str, tenant: str) -> str:
    """dsregcmd /status of a hybrid-joined laptop whose user has a PRT refreshed 47 minutes before the
    scan (the fields of tests/data/native/dsregcmd-status/en-1, with a fresh PRT as in en-8)."""
    refreshed = (SCAN_START.replace(microsecond=0) - timedelta(minutes=47)).strftime("%Y-%m-%d %H:%M:%S.000 UTC")
    return dsregcmd_status(
        ("Device State", [("AzureAdJoined", "YES"), ("EnterpriseJoined", "NO"), ("DomainJoined", "YES"),
                          ("DomainName", domain)]),
        ("Tenant Details", [("TenantName", tenant), ("Idp", "login.windows.net")]),
        ("User State", [("NgcSet", "NO"), ("WorkplaceJoined", "NO"), ("WamDefaultSet", "YES"),
                        ("WamDefaultAuthority", "organizations")]),
        ("SSO State", [("AzureAdPrt", "YES"), ("AzureAdPrtUpdateTime", refreshed), ("EnterprisePrt", "NO")]),
    )  # fmt: skip


# What the endpoints script records on a ja-JP machine: the AuthenticationException SslStream throws
# (its inner Win32Exception, "共通のアルゴリズムを保有していない", is not unwrapped), then the
# WebException of the HTTP request that fails the same way.
JA_SSPI_FAILED = "SSPI への呼び出しに失敗しました。内部例外を参照してください。"
JA_CONNECTION_CLOSED_ON_SEND = "基礎になる接続が閉じられました: 送信時に、予期しないエラーが発生しました。"


def tls12_disabled() -> Json:
    """A Windows 10 22H2 PC where a hardening script disabled TLS 1.0, 1.1 and 1.2 for the client.

    Windows 10 has no client TLS 1.3 by default, so no protocol is left: every handshake fails with
    SEC_E_ALGORITHM_MISMATCH (0x80090331) after a successful TCP connect.
    """
    capture = variant()
    rename_computer(capture, "DESKTOP-7TLSOFF")
    data(capture, "os").update(
        caption="Microsoft Windows 10 Home",
        version="10.0.19045",
        build=19045,
        ubr=5131,
        display_version="22H2",
        ps_version="5.1.19041.5129",
    )
    capture["powershell"]["version"] = "5.1.19041.5129"
    for item in data(capture, "tls")["schannel_client"]:
        if item["protocol"] in ("TLS 1.0", "TLS 1.1", "TLS 1.2"):
            item.update(key_present=True, enabled=0, disabled_by_default=1)
    for item in data(capture, "endpoints")["probes"]:
        item["tls"] = {
            "ok": False,
            "protocol": None,
            "subject": None,
            "issuer": None,
            "not_after": None,
            "validation_error": None,
            "error": JA_SSPI_FAILED,
            "ms": item["tcp"]["ms"] + 3,
        }
        item["http"] = {
            "status": None,
            "date": None,
            "error": JA_CONNECTION_CLOSED_ON_SEND,
            "ms": item["tcp"]["ms"] + 9,
        }
    return capture


def partial_check_failures() -> Json:
    """What a scan looks like when parts of it break (each kind of failure once)."""
    capture = variant()
    rename_computer(capture, "DESKTOP-P4RT1AL")
    checks = capture["checks"]
    # time: the output was cut off mid-document (the runner was stopped by the deadline)
    full_time = json.dumps(checks["time"]["document"], ensure_ascii=False, separators=(",", ":"))
    truncated = full_time[: full_time.index('"w32time"') + 5]
    _, result = parse_check_output(truncated, "time")
    checks["time"] = result.model_dump(mode="json", exclude_none=True)
    # services: a 5.1 script serialized the enums as integers (Status 1, StartType 3)
    services_doc = copy.deepcopy(checks["services"]["document"])
    for item in services_doc["data"]["services"]:
        item["status"] = 4 if item["status"] == "Running" else 1
        item["start_type"] = {"Automatic": 2, "Manual": 3, "Disabled": 4}[item["start_type"]]
    raw = json.dumps(services_doc, ensure_ascii=False, separators=(",", ":"))
    _, result = parse_check_output(raw, "services")
    checks["services"] = result.model_dump(mode="json", exclude_none=True)
    # tls: the check script threw (the runner's check_failed line)
    failed_line = {
        "msdiag_runner": "check_failed",
        "check": "tls",
        "message": "null 値の式ではメソッドを呼び出せません。",
        "elapsed_ms": 9,
    }
    checks["tls"] = {
        "status": "error",
        "reason": f"the check failed: {failed_line['message']}",  # as msdiag.collectors.runner_output words it
        "raw": json.dumps(failed_line, ensure_ascii=False, separators=(",", ":")),
    }
    # endpoints: not selected for this scan (--checks without endpoints)
    checks["endpoints"] = {"status": "not_run", "reason": "not selected"}
    # ok documents with probe errors inside; each failed probe leaves its field None
    locale = checks["locale"]["document"]
    locale["data"]["home_location"] = None
    locale["errors"] = [
        {
            "probe": "home_location",
            "message": "neither Get-WinHomeLocation nor the registry (Control Panel\\International\\Geo) "
            "gave a home location",
            "category": "failed",
        }
    ]
    network = checks["network"]["document"]
    network["data"]["hosts_file_readable"] = False
    network["errors"] = [
        {
            # some security products lock the hosts file against reading
            "probe": "hosts_file",
            "message": "パス 'C:\\Windows\\System32\\drivers\\etc\\hosts' へのアクセスが拒否されました。",
            "category": "access_denied",
        }
    ]
    identity = checks["identity"]["document"]
    # dsregcmd hung on the network and printed nothing before its bound: stopped, its (empty) output kept
    identity["data"]["dsregcmd"] = None
    identity["data"]["dsregcmd_output"] = {
        "command": "dsregcmd /status",
        "text": "",
        "exit_code": None,
        "timed_out": True,
        "truncated": False,
        "encoding": None,
    }
    identity["data"]["signed_in_with_msa"] = None
    identity["data"]["user_name"] = f"DESKTOP-P4RT1AL\\{LOCAL_USER}"
    identity["errors"] = [
        {
            "probe": "dsregcmd",
            "message": "dsregcmd.exe did not finish within 25000 ms",
            "category": "timeout",
        },
        {
            "probe": "dsregcmd_output",
            "message": "dsregcmd /status printed nothing (kept in dsregcmd_output)",
            "category": "failed",
        },
        {
            # 32-bit Windows PowerShell has no Get-LocalUser
            "probe": "user_account",
            "message": "用語 'Get-LocalUser' は、コマンドレット、関数、スクリプト ファイル、または操作可能な"
            "プログラムの名前として認識されません。",
            "category": "unavailable",
        },
    ]
    data(capture, "os")["is_elevated"] = False
    return capture


# ---------------------------------------------------------------- hostile and PII captures
HOSTILE_PAYLOADS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}{% raw %}${7*7}",
    "\u001b[31mRED\u001b[0m\u001b]0;pwned\u0007",
    "nul\u0000bell\u0007bs\u0008cr\rlf\nend",
    "\u202etxt.exe\u202c right-to-left override",
    "'; DROP TABLE hosts;-- \\x00 `id` $(id)",
    "javascript:alert(document.cookie)",
    '|=HYPERLINK("http://evil.invalid")',
    "\ufeff\u200b\u2028zero-width\u2029",
)
# String fields whose values are fixed by the format (Literals: proxy scope source, WinHTTP source,
# environment variable scope), so they cannot carry hostile content and still validate.
LITERAL_KEYS = {"source", "scope"}
# native programs' text and what msdiag reads from it: set below as a hostile host would print it
NATIVE_KEYS = {"w32tm_output", "w32tm", "dsregcmd_output", "dsregcmd", "winhttp_output"}


def hostile_text(seed: int, limit: int) -> str:
    """A hostile string; every seventh one is as long as its field allows."""
    text = HOSTILE_PAYLOADS[seed % len(HOSTILE_PAYLOADS)]
    if seed % 7 == 3:
        text = (text * (limit // len(text) + 1))[:limit]
    return text


class Poisoner:
    """Replaces every free-text string in check data with a hostile one, within the field's bound."""

    # fields whose bound is Text (4096) rather than ShortText (512)
    LONG_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "message",
            "error",
            "proxy_server",
            "proxy_override",
            "auto_config_url",
            "bypass_list",
            "value",
            "subject",
            "issuer",
            "validation_error",
        }
    )

    def __init__(self) -> None:
        self.seed = 0

    def poison(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {
                k: v if (k in LITERAL_KEYS and isinstance(v, str)) or k in NATIVE_KEYS else self.poison(v, k)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.poison(v, key) for v in value]
        if isinstance(value, str):
            self.seed += 1
            return hostile_text(self.seed, 4096 if key in self.LONG_FIELDS else 512)
        return value


HOSTILE_PAC_URL = (
    "http://wpad.evil.invalid/\"><script>alert('pac')</script>.pac?x=<img src=x onerror=alert(1)>"
)
# WSAETIMEDOUT (10060) as ja-JP .NET prints it, with the address it tried appended
JA_CONNECT_TIMED_OUT = (
    "接続済みの呼び出し先が一定の時間を過ぎても正しく応答しなかったため、接続できませんでした。"
    "または接続済みのホストが応答しなかったため、確立された接続は失敗しました。"
)


def hostile() -> Json:
    """Every string the host reported is hostile (markup, template syntax, ANSI and control
    characters, RTL override, strings at their length limit) and the capture still validates."""
    capture = variant()
    poisoner = Poisoner()
    for name, result in capture["checks"].items():
        doc = result["document"]
        doc["data"] = poisoner.poison(doc["data"])
        doc["errors"] = [
            {"probe": hostile_text(i, 512), "message": hostile_text(i + 3, 4096), "category": cat}
            for i, cat in enumerate(("failed", "access_denied"))
        ]
        if name == "endpoints":
            # probe status fields are numbers in the format; keep the HTTP status a real one
            for item in doc["data"]["probes"]:
                item["http"]["status"] = 200
    # free-text fields the reference machine leaves empty get hostile values too
    proxy = data(capture, "proxy")
    proxy["wininet"].update(
        proxy_enable=True,
        proxy_server=hostile_text(1, 4096),
        proxy_override=hostile_text(3, 4096),
        auto_config_url=hostile_text(4, 4096),
    )
    proxy["winhttp"].update(
        direct=False, proxy_server=hostile_text(2, 4096), bypass_list=hostile_text(5, 4096)
    )
    proxy["environment"] = [{"scope": "user", "name": hostile_text(6, 512), "value": hostile_text(7, 4096)}]
    # programs print hostile text too: msdiag reads the fields out of it as from any output
    set_native(
        capture,
        "identity",
        "dsregcmd_output",
        "dsregcmd",
        dsregcmd_status(
            ("Device State", [("AzureAdJoined", "NO"), ("DomainJoined", "YES"), ("DomainName", hostile_text(8, 512))]),
            ("Tenant Details", [("TenantName", hostile_text(0, 512))]),
        ),
    )
    set_native(
        capture,
        "time",
        "w32tm_output",
        "w32tm",
        f"Leap Indicator: 0(no warning)\r\nStratum: 3 ({hostile_text(1, 100)})\r\nSource: {hostile_text(2, 400)}\r\n",
    )
    for check, raw in (("identity", "dsregcmd_output"), ("time", "w32tm_output")):
        data(capture, check)[raw].update(command=hostile_text(3, 512), encoding=hostile_text(4, 512))
    data(capture, "network")["hosts_entries"] = [
        {"address": hostile_text(10, 512), "hostname": hostile_text(11, 512), "line_number": 1}
    ]
    data(capture, "network")["vpn_profiles"] = [
        {"name": hostile_text(12, 512), "server_address": hostile_text(13, 512)}
    ]
    # a PAC the hostile host reports probing: markup in the URL (also its AutoConfigURL, the same
    # user's setting) and in every step's error text
    proxy["wininet"]["auto_config_url"] = HOSTILE_PAC_URL
    data(capture, "endpoints")["pac"] = {
        "url": HOSTILE_PAC_URL,
        "dns": {"addresses": [hostile_text(17, 512)], "error": None, "ms": 4},
        "tcp": {"ok": False, "ms": 3000, "error": hostile_text(15, 4096), "target": hostile_text(16, 512)},
        "http": {
            "status": None,
            "date": None,
            "error": '</td></tr></table><script>alert("pac")</script>',
            "ms": 1,
        },
        "bytes": None,
        "looks_like_pac": None,
    }
    capture["warnings"] = [hostile_text(14, 4096)]
    capture["host"] = "<script>alert('host')</script>\u001b[2J\u202e"
    capture["powershell"] = {
        "edition": '"><svg onload=alert(1)>',
        "version": "{{config.items()}}",
        "path": "C:\\<b>evil</b>\\powershell.exe",
    }
    # the envelope keeps msdiag's own fields sane: mode, format and collected_utc are written by msdiag
    return capture


PII_PAC_URL = "http://wpad.taro-yamada.example/proxy.pac?user=taro.yamada@contoso.co.jp&client=10.1.20.33"


def pii() -> Json:
    """Personal and organisational data in every place a real machine puts it, for redaction tests:
    phone numbers, UPNs and e-mail addresses, a password inside a proxy URL, IPv4 and IPv6 addresses,
    computer, user and domain names, user profile paths."""
    capture = org_joined_tls_interception()
    rename_computer(capture, "YAMADA-TARO-PC", "taro.yamada")
    data(capture, "os")["domain"] = "corp.contoso.co.jp"
    set_user(capture, "CONTOSO\\taro.yamada", CONTOSO_SID)
    proxy = data(capture, "proxy")
    proxy["wininet"].update(
        proxy_server="proxy.corp.contoso.co.jp:8080",
        proxy_override="<local>;*.corp.contoso.co.jp;10.*;192.168.*",
        auto_config_url=PII_PAC_URL,
    )
    proxy["winhttp"].update(
        proxy_server="proxy.corp.contoso.co.jp:8080", bypass_list="<local>;*.corp.contoso.co.jp"
    )
    proxy["environment"] = [
        {
            "scope": "user",
            "name": "HTTPS_PROXY",
            "value": "http://taro.yamada%40contoso.co.jp:Sakura2026!@proxy.corp.contoso.co.jp:8080",
        },
        {
            "scope": "user",
            "name": "NO_PROXY",
            "value": "localhost,127.0.0.1,::1,.corp.contoso.co.jp,10.1.0.0/16",
        },
        {"scope": "machine", "name": "HTTP_PROXY", "value": "http://10.1.0.8:8080"},
    ]
    network = data(capture, "network")
    network["adapters"].append(
        adapter(
            "iPhone (山田 太郎 090-1234-5678)", "Apple Mobile Device Ethernet", "Disconnected", "802.3", 31
        )
    )
    network["vpn_profiles"] = [
        {
            "name": "Contoso VPN (taro.yamada@contoso.co.jp)",
            "server_address": "vpn.contoso.co.jp",
            "tunnel_type": "Ikev2",
            "split_tunneling": True,
            "connection_status": "Disconnected",
            "all_users": False,
        },
        {
            "name": "自宅 +81 3-1234-5678",
            "server_address": "203.0.113.45",
            "tunnel_type": "Sstp",
            "split_tunneling": False,
            "connection_status": "Disconnected",
            "all_users": False,
        },
    ]
    network["dns_servers"] = [
        {"interface_alias": "Wi-Fi", "if_index": 14, "addresses": ["10.1.0.10", "10.1.0.11"]},
        {"interface_alias": "Wi-Fi", "if_index": 14, "addresses": ["2001:db8:10:1::53"]},  # the IPv6 entry
    ]
    network["hosts_entries"] = [
        {"address": "192.168.50.12", "hostname": "login.live.com.yamada-home.local", "line_number": 24}
    ]
    for item in data(capture, "endpoints")["probes"]:
        item["proxy"] = "http://proxy.corp.contoso.co.jp:8080/"
        item["tcp"]["target"] = "proxy.corp.contoso.co.jp:8080"
    data(capture, "endpoints")["probes"][0]["dns"]["addresses"].append("2603:1036:3000:1d0::2")
    # through the machine's WinHTTP proxy (a gateway named after the user), which refuses the tunnel
    data(capture, "endpoints")["winhttp_probes"] = [
        {
            "host": "login.live.com",
            "proxy": "http://gw.taro-yamada.example:3128/",
            "dns": None,
            "tcp": {
                "ok": False,
                "ms": 41,
                "error": "The proxy refused the tunnel: 407 Proxy Authentication Required",
                "target": "gw.taro-yamada.example:3128",
                "connect_status": 407,
            },
            "tls": None,
            "http": None,
            "timed_out_at": None,
        }
    ]
    # the PAC the user's AutoConfigURL names: a home-office host named after the user, the user's
    # address and client IP in the query; it resolves to a LAN address that does not answer
    data(capture, "endpoints")["pac"] = {
        "url": PII_PAC_URL,
        "dns": {"addresses": ["192.168.50.12"], "error": None, "ms": 3},
        "tcp": {
            "ok": False,
            "ms": 3000,
            "error": f"{JA_CONNECT_TIMED_OUT} 192.168.50.12:80",
            "target": "wpad.taro-yamada.example:80",
        },
        "http": None,
        "bytes": None,
        "looks_like_pac": None,
    }
    identity = data(capture, "identity")
    set_native(capture, "identity", "dsregcmd_output", "dsregcmd", hybrid_joined_dsregcmd("CONTOSO", "contoso.co.jp"))
    identity["user_name"] = "CONTOSO\\taro.yamada"
    capture["checks"]["identity"]["document"]["errors"] = [
        {
            "probe": "msa_sign_in",
            "message": "C:\\Users\\taro.yamada\\AppData\\Local\\Packages\\"
            "Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy: "
            "account taro.yamada@outlook.jp (recovery phone +81 90-1234-5678, 080 9876 5432) not readable",
            "category": "access_denied",
        }
    ]
    capture["warnings"] = [
        "scanned as CONTOSO\\helpdesk.suzuki from HD-WS-0042.corp.contoso.co.jp (10.1.20.33)"
    ]
    return capture


def old_os() -> Json:
    """Windows 10 1809 (build 17763, no DisplayVersion yet: ReleaseId only), scanned without elevation."""
    capture = variant()
    rename_computer(capture, "DESKTOP-OLD1809")
    os = data(capture, "os")
    os.update(
        caption="Microsoft Windows 10 Pro",
        product_name="Windows 10 Pro",
        version="10.0.17763",
        build=17763,
        ubr=6414,
        display_version="1809",  # no DisplayVersion before 20H2: the script reads ReleaseId
        edition="Professional",
        ps_version="5.1.17763.6414",
        is_elevated=False,
    )
    capture["powershell"]["version"] = "5.1.17763.6414"
    # TLS 1.3 does not exist on 1809: the probes negotiate TLS 1.2
    for item in data(capture, "endpoints")["probes"]:
        item["tls"]["protocol"] = "Tls12"
    return capture


PAC_URL = "http://wpad.corp.example/proxy.pac"


def pac_unreachable() -> Json:
    """A company laptop at home with the VPN off: "Use setup script" points at the company's PAC
    (http://wpad.corp.example/proxy.pac), whose name only the company's DNS knows.

    The PAC probe fails at DNS with the ja-JP WSAHOST_NOT_FOUND text, so TCP is not attempted (the
    script's own text) and no HTTP request is made. WinINET falls back to DIRECT when the PAC
    cannot be downloaded, so GetSystemWebProxy() names no proxy: the six host probes go direct over
    the home connection and succeed, unchanged. The user sees sign-in stall while Windows keeps
    trying (and timing out on) the PAC, and the proxy check shows the PAC with WinHTTP direct.
    """
    capture = variant()
    rename_computer(capture, "CNT-LT-05190")
    data(capture, "proxy")["wininet"].update(auto_config_url=PAC_URL)
    data(capture, "endpoints")["pac"] = {
        "url": PAC_URL,
        "dns": {"addresses": [], "error": JA_NO_SUCH_HOST, "ms": 6},
        "tcp": {"ok": None, "ms": None, "error": TCP_NOT_ATTEMPTED, "target": "wpad.corp.example:80"},
        "http": None,
        "bytes": None,
        "looks_like_pac": None,
    }
    return capture


FIXTURES: dict[str, Callable[[], Json]] = {
    "healthy-en-us": healthy_en_us,
    "abroad-ja-jp-in-us": abroad_ja_jp_in_us,
    "org-joined-tls-interception": org_joined_tls_interception,
    "tls12-disabled": tls12_disabled,
    "partial-check-failures": partial_check_failures,
    "hostile": hostile,
    "pii": pii,
    "old-os": old_os,
    "pac-unreachable": pac_unreachable,
}


# ---------------------------------------------------------------- validate and write
def validated(name: str, capture: Json) -> Json:
    """Refuse to write a capture that msdiag itself would not accept unchanged."""
    Capture.model_validate(capture)
    for check, result in capture["checks"].items():
        if result["status"] == CheckStatus.OK.value:
            outcome = validate_document(result["document"], check)
            if outcome.status is not CheckStatus.OK:
                raise ValueError(f"{name}: check {check}: {outcome.reason}")
            # what msdiag reads from a program's raw output must be what the capture says it read
            assert outcome.document is not None
            if outcome.document["data"] != result["document"]["data"]:
                raise ValueError(f"{name}: check {check}: its data differs from what msdiag reads (set_native)")
    return capture


def render(capture: Json) -> str:
    return json.dumps(capture, ensure_ascii=False, indent=1) + "\n"


def outputs() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for directory, builders in ((LAB_DIR, LAB_HOSTS), (FIXTURE_DIR, FIXTURES)):
        for name, build in builders.items():
            files[directory / f"{name}.json"] = render(validated(name, build()))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only verify the files on disk are up to date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(REPO)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
