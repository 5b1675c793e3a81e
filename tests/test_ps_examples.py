"""Realistic check documents, as the scripts print them on a ja-JP and an en-US Windows 11 machine.

Hand-written from the shapes in shared/reference/windows-facts.md (Japanese where Windows localizes).
"""

from __future__ import annotations

from typing import Any

UTC = "2026-11-25T01:02:03.1234567Z"


def document(check: str, data: dict[str, Any], errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "check": check,
        "schema_version": 1,
        "collected_utc": UTC,
        "elapsed_ms": 41,
        "data": data,
        "errors": errors or [],
    }


def _culture(name: str, lcid: int, english: str, display: str) -> dict[str, Any]:
    return {"name": name, "lcid": lcid, "english_name": english, "display_name": display}


JA_JP: dict[str, dict[str, Any]] = {
    "os": document(
        "os",
        {
            "caption": "Microsoft Windows 11 Pro",
            "product_name": "Windows 10 Pro",
            "version": "10.0.22631",
            "build": 22631,
            "ubr": 4602,
            "display_version": "23H2",
            "edition": "Professional",
            "architecture": "64 ビット",
            "computer_name": "TARO-PC",
            "domain": "WORKGROUP",
            "part_of_domain": False,
            "workgroup": "WORKGROUP",
            "last_boot_utc": "2026-11-24T23:10:00.0000000Z",
            "uptime_seconds": 6723,
            "is_elevated": False,
            "ps_edition": "Desktop",
            "ps_version": "5.1.22621.4391",
            "is_windows": True,
        },
    ),
    "locale": document(
        "locale",
        {
            "culture": _culture("ja-JP", 1041, "Japanese (Japan)", "日本語 (日本)"),
            "ui_culture": _culture("ja-JP", 1041, "Japanese (Japan)", "日本語 (日本)"),
            "system_locale": _culture("ja-JP", 1041, "Japanese (Japan)", "日本語 (日本)"),
            "home_location": {"geo_id": 122, "name": "日本", "iso2": "JP"},
            "user_languages": [
                {"tag": "ja", "english_name": "Japanese", "autonym": "日本語"},
                {"tag": "en-US", "english_name": "English", "autonym": "English (United States)"},
            ],
        },
    ),
    "time": document(
        "time",
        {
            "time_zone": {
                "id": "Tokyo Standard Time",
                "display_name": "(UTC+09:00) 大阪、札幌、東京",
                "base_utc_offset_minutes": 540,
                "current_utc_offset_minutes": 540,
                "supports_dst": False,
            },
            "local_time": "2026-11-25T10:02:03.1234567+09:00",
            "utc_time": UTC,
            "w32time": {
                "service_status": "Stopped",
                "start_type": "Manual",
                "type": "NTP",
                "ntp_server": "time.windows.com,0x9",
            },
        },
    ),
    "proxy": document(
        "proxy",
        {
            "scope": {"source": "current_user", "user": "TARO-PC\\taro", "sid": "S-1-5-21-1-2-3-1001"},
            "wininet": {
                "proxy_enable": True,
                "proxy_server": "proxy.example.co.jp:8080",
                "proxy_override": "<local>;*.example.co.jp",
                "auto_config_url": None,
                "auto_detect": False,
            },
            "winhttp": {"source": "netsh", "direct": True, "proxy_server": None, "bypass_list": None},
            "environment": [],
        },
    ),
    "network": document(
        "network",
        {
            "adapters": [
                {
                    "name": "イーサネット",
                    "description": "Intel(R) Ethernet Connection (7) I219-V",
                    "status": "Up",
                    "media_type": "802.3",
                    "if_index": 12,
                    "is_vpn": False,
                    "vpn_vendor": None,
                },
                {
                    "name": "イーサネット 2",
                    "description": "PANGP Virtual Ethernet Adapter Secure",
                    "status": "Up",
                    "media_type": "802.3",
                    "if_index": 25,
                    "is_vpn": True,
                    "vpn_vendor": "Palo Alto GlobalProtect",
                },
            ],
            "vpn_profiles": [],
            "dns_servers": [
                {"interface_alias": "イーサネット", "if_index": 12, "addresses": ["192.168.1.1"]}
            ],
            "default_route": {"interface_alias": "イーサネット 2", "if_index": 25, "next_hop": "0.0.0.0"},
            "hosts_entries": [{"address": "127.0.0.1", "hostname": "login.live.com", "line_number": 23}],
            "hosts_file_readable": True,
        },
    ),
    "endpoints": document(
        "endpoints",
        {
            "timeout_ms": 3000,
            "probes": [
                {
                    "host": "login.live.com",
                    "proxy": "http://proxy.example.co.jp:8080/",
                    "dns": {"addresses": ["20.190.151.68", "40.126.23.97"], "error": None, "ms": 12},
                    "tcp": {"ok": True, "ms": 8, "error": None, "target": "proxy.example.co.jp:8080"},
                    "tls": {
                        "ok": True,
                        "protocol": "Tls12",
                        "subject": "CN=login.live.com",
                        "issuer": "CN=Example Corp SSL Inspection CA",
                        "not_after": "2027-03-01T00:00:00.0000000Z",
                        "validation_error": "RemoteCertificateChainErrors UntrustedRoot",
                        "error": None,
                        "ms": 40,
                    },
                    "http": {
                        "status": 200,
                        "date": "Wed, 25 Nov 2026 01:02:05 GMT",
                        "error": None,
                        "ms": 130,
                    },
                },
                {
                    "host": "www.msftconnecttest.com",
                    "proxy": None,
                    "dns": {"addresses": [], "error": "そのようなホストは不明です。", "ms": 3001},
                    "tcp": {
                        "ok": None,
                        "ms": None,
                        "error": "not attempted: the DNS lookup gave no address",
                        "target": "www.msftconnecttest.com:443",
                    },
                    "tls": None,
                    "http": None,
                },
            ],
        },
    ),
    "services": document(
        "services",
        {
            "services": [
                {
                    "name": "wlidsvc",
                    "display_name": "Microsoft アカウント サインイン アシスタント",
                    "present": True,
                    "status": "Stopped",
                    "start_type": "Disabled",
                },
                {
                    "name": "TokenBroker",
                    "display_name": "Web アカウント マネージャー",
                    "present": True,
                    "status": "Running",
                    "start_type": "Manual",
                },
                {
                    "name": "W32Time",
                    "display_name": "Windows Time",
                    "present": True,
                    "status": "Stopped",
                    "start_type": "Manual",
                },
                {
                    "name": "Dnscache",
                    "display_name": "DNS Client",
                    "present": True,
                    "status": "Running",
                    "start_type": "Automatic",
                },
                {
                    "name": "NlaSvc",
                    "display_name": "Network Location Awareness",
                    "present": True,
                    "status": "Running",
                    "start_type": "Automatic",
                },
            ]
        },
    ),
    "tls": document(
        "tls",
        {
            "schannel_client": [
                {"protocol": "TLS 1.0", "key_present": False, "enabled": None, "disabled_by_default": None},
                {"protocol": "TLS 1.1", "key_present": False, "enabled": None, "disabled_by_default": None},
                {"protocol": "TLS 1.2", "key_present": True, "enabled": 0, "disabled_by_default": 1},
                {"protocol": "TLS 1.3", "key_present": False, "enabled": None, "disabled_by_default": None},
            ],
            "dotnet": {
                "sch_use_strong_crypto": None,
                "sch_use_strong_crypto_wow64": None,
                "system_default_tls_versions": None,
            },
            "winhttp_default_secure_protocols": None,
        },
    ),
    "identity": document(
        "identity",
        {
            "dsregcmd": {
                "available": True,
                "azure_ad_joined": False,
                "enterprise_joined": False,
                "domain_joined": False,
                "domain_name": None,
                "workplace_joined": False,
                "tenant_name": None,
                "azure_ad_prt": False,
                "azure_ad_prt_update_time": None,
            },
            "no_connected_user": 3,
            "signed_in_with_msa": True,
            "user_name": "TARO-PC\\taro",
        },
        [{"probe": "user_account", "message": "アクセスが拒否されました。", "category": "access_denied"}],
    ),
}

EN_US: dict[str, dict[str, Any]] = {
    "os": document(
        "os",
        {
            "caption": "Microsoft Windows 10 Enterprise",
            "product_name": "Windows 10 Enterprise",
            "version": "10.0.19045",
            "build": 19045,
            "ubr": 5131,
            "display_version": "22H2",
            "edition": "Enterprise",
            "architecture": "64-bit",
            "computer_name": "PC01",
            "domain": "corp.contoso.com",
            "part_of_domain": True,
            "workgroup": None,
            "last_boot_utc": "2026-11-20T08:00:00.0000000Z",
            "uptime_seconds": 406923,
            "is_elevated": True,
            "ps_edition": "Core",
            "ps_version": "7.4.6",
            "is_windows": True,
        },
    ),
    "locale": document(
        "locale",
        {
            "culture": _culture("en-US", 1033, "English (United States)", "English (United States)"),
            "ui_culture": _culture("en-US", 1033, "English (United States)", "English (United States)"),
            "system_locale": None,
            "home_location": {"geo_id": 244, "name": "United States", "iso2": None},
            "user_languages": [
                {"tag": "en-US", "english_name": "English", "autonym": "English (United States)"}
            ],
        },
        [
            {
                "probe": "system_locale",
                "message": "The term 'Get-WinSystemLocale' is not recognized",
                "category": "unavailable",
            }
        ],
    ),
    "time": document(
        "time",
        {
            "time_zone": {
                "id": "Pacific Standard Time",
                "display_name": "(UTC-08:00) Pacific Time (US & Canada)",
                "base_utc_offset_minutes": -480,
                "current_utc_offset_minutes": -480,
                "supports_dst": True,
            },
            "local_time": "2026-11-24T17:02:03.1234567-08:00",
            "utc_time": UTC,
            "w32time": {
                "service_status": "Running",
                "start_type": "Automatic",
                "type": "NT5DS",
                "ntp_server": None,
            },
        },
    ),
    "proxy": document(
        "proxy",
        {
            "scope": {"source": "interactive_user", "user": "CONTOSO\\alice", "sid": "S-1-5-21-9-8-7-1104"},
            "wininet": {
                "proxy_enable": False,
                "proxy_server": None,
                "proxy_override": None,
                "auto_config_url": "http://wpad.corp.contoso.com/proxy.pac",
                "auto_detect": True,
            },
            "winhttp": {
                "source": "registry",
                "direct": False,
                "proxy_server": "10.0.0.5:3128",
                "bypass_list": "<local>",
            },
            "environment": [{"scope": "machine", "name": "HTTPS_PROXY", "value": "http://10.0.0.5:3128"}],
        },
    ),
    "network": document(
        "network",
        {
            "adapters": [
                {
                    "name": "Ethernet",
                    "description": "Cisco AnyConnect Secure Mobility Client Virtual "
                    "Miniport Adapter for Windows x64",
                    "status": "Up",
                    "media_type": "802.3",
                    "if_index": 18,
                    "is_vpn": True,
                    "vpn_vendor": "Cisco AnyConnect",
                }
            ],
            "vpn_profiles": [
                {
                    "name": "Contoso VPN",
                    "server_address": "vpn.contoso.com",
                    "tunnel_type": "Ikev2",
                    "split_tunneling": False,
                    "connection_status": "Disconnected",
                    "all_users": True,
                }
            ],
            "dns_servers": [
                {"interface_alias": "Ethernet", "if_index": 18, "addresses": ["10.0.0.53", "10.0.0.54"]}
            ],
            "default_route": {"interface_alias": "Ethernet", "if_index": 18, "next_hop": "10.0.0.1"},
            "hosts_entries": [],
            "hosts_file_readable": True,
        },
    ),
    "endpoints": document(
        "endpoints",
        {
            "timeout_ms": 3000,
            "probes": [
                {
                    "host": "login.microsoftonline.com",
                    "proxy": None,
                    "dns": {"addresses": ["20.190.128.1"], "error": None, "ms": 3},
                    "tcp": {
                        "ok": False,
                        "ms": 3000,
                        "error": "timed out after 3000 ms",
                        "target": "login.microsoftonline.com:443",
                    },
                    "tls": None,
                    "http": None,
                }
            ],
        },
    ),
    "services": document(
        "services",
        {
            "services": [
                {
                    "name": "wlidsvc",
                    "display_name": "Microsoft Account Sign-in Assistant",
                    "present": True,
                    "status": "Stopped",
                    "start_type": "Manual",
                },
                {
                    "name": "NlaSvc",
                    "display_name": None,
                    "present": False,
                    "status": None,
                    "start_type": None,
                },
            ]
        },
    ),
    "tls": document(
        "tls",
        {
            "schannel_client": [
                {"protocol": "TLS 1.2", "key_present": True, "enabled": 4294967295, "disabled_by_default": 0}
            ],
            "dotnet": {
                "sch_use_strong_crypto": 1,
                "sch_use_strong_crypto_wow64": 1,
                "system_default_tls_versions": 1,
            },
            "winhttp_default_secure_protocols": 2560,
        },
    ),
    "identity": document(
        "identity",
        {
            "dsregcmd": {
                "available": True,
                "azure_ad_joined": True,
                "enterprise_joined": False,
                "domain_joined": True,
                "domain_name": "CONTOSO",
                "workplace_joined": False,
                "tenant_name": "Contoso",
                "azure_ad_prt": True,
                "azure_ad_prt_update_time": "2026-11-24T20:15:01.0000000Z",
            },
            "no_connected_user": None,
            "signed_in_with_msa": False,
            "user_name": "CONTOSO\\alice",
        },
    ),
}


def test_every_check_has_a_ja_jp_and_an_en_us_example() -> None:
    from diag.checks import CHECK_NAMES

    assert set(JA_JP) == set(EN_US) == set(CHECK_NAMES)
    assert all(JA_JP[c]["check"] == c and EN_US[c]["check"] == c for c in CHECK_NAMES)
