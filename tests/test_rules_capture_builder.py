"""Builds realistic captures for the rule tests (shapes from windows-facts.md and the lab hosts).

``capture(network=..., endpoints=...)`` takes each check's data; a check given as None is
recorded as not run, so tests can prove a rule reports not_collected instead of pass.
"""

from __future__ import annotations

import copy
from typing import Any

from diag.capture.models import Capture
from diag.capture.parse import Facts
from diag.diagnosis.models import Finding, Status
from diag.diagnosis.rules import RULES, RuleContext

COLLECTED = "2026-11-25T01:02:03.0000000Z"
TIME_STAMP = "2026-11-25T01:02:03.5400000Z"
ENDPOINTS_STAMP = "2026-11-25T01:02:04.3350000Z"

HEALTHY: dict[str, dict[str, Any]] = {
    "os": {
        "caption": "Microsoft Windows 11 Home",
        "version": "10.0.22631",
        "build": 22631,
        "ubr": 4460,
        "display_version": "23H2",
        "is_elevated": True,
        "is_windows": True,
    },
    "locale": {
        "culture": {
            "name": "ja-JP",
            "lcid": 1041,
            "english_name": "Japanese (Japan)",
            "display_name": "日本語 (日本)",
        },
        "ui_culture": {"name": "ja-JP", "lcid": 1041},
        "system_locale": {"name": "ja-JP", "lcid": 1041},
        "home_location": {"geo_id": 122, "name": "Japan", "iso2": "JP"},
        "user_languages": [{"tag": "ja", "english_name": "Japanese", "autonym": "日本語"}],
    },
    "time": {
        "time_zone": {
            "id": "Tokyo Standard Time",
            "display_name": "(UTC+09:00) 大阪、札幌、東京",
            "base_utc_offset_minutes": 540,
            "current_utc_offset_minutes": 540,
            "supports_dst": False,
        },
        "local_time": "2026-11-25T10:02:03.5400000+09:00",
        "utc_time": TIME_STAMP,
        "w32time": {
            "service_status": "Running",
            "start_type": "Manual",
            "type": "NTP",
            "ntp_server": "time.windows.com,0x9",
        },
    },
    "proxy": {
        "scope": {"source": "current_user", "user": "DESKTOP-8RJ2VXC\\taro"},
        "wininet": {
            "proxy_enable": False,
            "proxy_server": None,
            "proxy_override": None,
            "auto_config_url": None,
            "auto_detect": True,
        },
        "winhttp": {"source": "registry", "direct": True, "proxy_server": None, "bypass_list": None},
        "environment": [],
    },
    "network": {
        "adapters": [
            {
                "name": "Wi-Fi",
                "description": "Intel(R) Wi-Fi 6E AX211 160MHz",
                "status": "Up",
                "if_index": 14,
            },
            {
                "name": "イーサネット",
                "description": "Realtek PCIe GbE Family Controller",
                "status": "Disconnected",
                "if_index": 9,
            },
        ],
        "vpn_profiles": [],
        "dns_servers": [{"interface_alias": "Wi-Fi", "if_index": 14, "addresses": ["192.168.10.1"]}],
        "hosts_entries": [],
        "hosts_file_readable": True,
    },
    "services": {
        "services": [
            {"name": "wlidsvc", "status": "Stopped", "start_type": "Manual"},
            {"name": "TokenBroker", "status": "Running", "start_type": "Manual"},
            {"name": "W32Time", "status": "Running", "start_type": "Manual"},
            {"name": "Dnscache", "status": "Running", "start_type": "Automatic"},
            {"name": "NlaSvc", "status": "Running", "start_type": "Automatic"},
        ]
    },
    "tls": {"schannel_client": [{"protocol": "TLS 1.2", "key_present": False}]},
    "identity": {
        "dsregcmd": {
            "available": True,
            "azure_ad_joined": False,
            "enterprise_joined": False,
            "domain_joined": False,
            "workplace_joined": False,
        },
        "no_connected_user": None,
        "signed_in_with_msa": True,
    },
}

HOSTS = (
    "login.live.com",
    "account.live.com",
    "account.microsoft.com",
    "login.microsoftonline.com",
    "logincdn.msftauth.net",
    "www.msftconnecttest.com",
)
ISSUERS = {
    "login.live.com": "CN=DigiCert SHA2 Secure Server CA, O=DigiCert Inc, C=US",
    "account.live.com": "CN=DigiCert SHA2 Secure Server CA, O=DigiCert Inc, C=US",
    "account.microsoft.com": "CN=Microsoft Azure RSA TLS Issuing CA 07, O=Microsoft Corporation, C=US",
    "login.microsoftonline.com": "CN=DigiCert SHA2 Secure Server CA, O=DigiCert Inc, C=US",
    "logincdn.msftauth.net": "CN=Microsoft Azure RSA TLS Issuing CA 03, O=Microsoft Corporation, C=US",
    "www.msftconnecttest.com": "CN=Microsoft Azure RSA TLS Issuing CA 04, O=Microsoft Corporation, C=US",
}


def probe(
    host: str,
    *,
    date: str = "Wed, 25 Nov 2026 01:02:04 GMT",
    proxy: str | None = None,
    dns_error: str | None = None,
    tcp_error: str | None = None,
    tls_error: str | None = None,
    issuer: str | None = None,
    status: int = 200,
) -> dict[str, Any]:
    """One endpoint probe as the endpoints check reports it."""
    target = proxy.split("://")[-1].rstrip("/") if proxy else f"{host}:443"
    result: dict[str, Any] = {"host": host, "proxy": proxy}
    if dns_error:
        result["dns"] = {"addresses": [], "error": dns_error, "ms": 12}
        return result
    result["dns"] = {"addresses": ["20.190.177.21"], "error": None, "ms": 3}
    if tcp_error:
        result["tcp"] = {"ok": False, "ms": 3000, "error": tcp_error, "target": target}
        return result
    result["tcp"] = {"ok": True, "ms": 14, "error": None, "target": target}
    if tls_error:
        result["tls"] = {"ok": False, "error": tls_error, "issuer": None}
        result["http"] = {"status": None, "date": None, "error": tls_error}
        return result
    result["tls"] = {
        "ok": True,
        "protocol": "Tls12",
        "subject": f"CN={host}",
        "issuer": issuer or ISSUERS.get(host, ISSUERS["login.live.com"]),
        "validation_error": None,
    }
    result["http"] = {"status": status, "date": date, "error": None, "ms": 100}
    return result


def pac_probe(
    url: str = "http://wpad.corp.example/proxy.pac",
    *,
    dns_error: str | None = None,
    tcp_error: str | None = None,
    http_error: str | None = None,
    status: int = 200,
    body_bytes: int = 4318,
    looks_like_pac: bool = True,
) -> dict[str, Any]:
    """The endpoints check's PAC probe, stopping at the first failing step as the script does."""
    result: dict[str, Any] = {
        "url": url,
        "dns": None,
        "tcp": None,
        "http": None,
        "bytes": None,
        "looks_like_pac": None,
    }
    target = "wpad.corp.example:80"
    if dns_error:
        result["dns"] = {"addresses": [], "error": dns_error, "ms": 4}
        result["tcp"] = {
            "ok": None,
            "ms": None,
            "error": "not attempted: the DNS lookup gave no address",
            "target": target,
        }
        return result
    result["dns"] = {"addresses": ["10.20.1.15"], "error": None, "ms": 2}
    if tcp_error:
        result["tcp"] = {"ok": False, "ms": 3000, "error": tcp_error, "target": target}
        return result
    result["tcp"] = {"ok": True, "ms": 3, "error": None, "target": target}
    if http_error:
        result["http"] = {"status": None, "date": None, "error": http_error, "ms": 3000}
        return result
    result["http"] = {"status": status, "date": "Wed, 25 Nov 2026 01:02:04 GMT", "error": None, "ms": 21}
    if 200 <= status < 300:
        result["bytes"] = body_bytes
        result["looks_like_pac"] = looks_like_pac
    return result


def healthy_endpoints(**overrides: dict[str, Any]) -> dict[str, Any]:
    """All six default hosts answering; ``overrides[host]`` replaces one probe."""
    probes = [overrides.get(h) or probe(h) for h in HOSTS]
    return {"timeout_ms": 3000, "probes": probes}


_STAMPS = {"time": TIME_STAMP, "endpoints": ENDPOINTS_STAMP}
_MISSING = object()


def capture(errors: dict[str, list[dict[str, Any]]] | None = None, **data: Any) -> Capture:
    """A capture from HEALTHY with ``check=data`` replacements; ``check=None`` = the check did not run."""
    checks: dict[str, Any] = {}
    merged: dict[str, Any] = {k: copy.deepcopy(v) for k, v in HEALTHY.items()}
    merged["endpoints"] = healthy_endpoints()
    merged.update(data)
    for name, value in merged.items():
        if value is None:
            checks[name] = {"status": "not_run", "reason": "not selected (--checks)"}
            continue
        checks[name] = {
            "status": "ok",
            "document": {
                "check": name,
                "schema_version": 1,
                "collected_utc": _STAMPS.get(name, COLLECTED),
                "elapsed_ms": 100,
                "data": value,
                "errors": (errors or {}).get(name, []),
            },
        }
    return Capture.model_validate(
        {
            "host": "DESKTOP-8RJ2VXC",
            "mode": "local",
            "collected_utc": COLLECTED,
            "host_status": {"state": "ok"},
            "checks": checks,
        }
    )


def run(rule_id: str, cap: Capture, ctx: RuleContext | None = None) -> Finding:
    return RULES[rule_id](Facts(cap), ctx or RuleContext())


def with_changes(check: str, **changes: Any) -> dict[str, Any]:
    """HEALTHY[check] with top-level keys replaced."""
    value = copy.deepcopy(HEALTHY[check])
    value.update(changes)
    return value


def assert_status(finding: Finding, status: Status) -> None:
    assert finding.status is status, f"{finding.id}: {finding.status} ({finding.detail})"
    # every finding speaks both languages
    assert finding.title.en and finding.title.ja
    if finding.detail is not None:
        assert finding.detail.en and finding.detail.ja


def test_healthy_capture_has_no_problem_findings() -> None:
    cap = capture()
    for rule_id in RULES:
        f = run(rule_id, cap)
        assert f.status in (Status.PASS, Status.NOT_APPLICABLE), (rule_id, f.status, f.detail)
