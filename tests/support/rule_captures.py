"""Builds realistic captures for the rule tests: the reference machine (tests/support/
reference_machine.py, the one every lab host and fixture is a variant of) with changes.

``capture(network=..., endpoints=...)`` takes each check's data; a check given as None is
recorded as not run, so tests can prove a rule reports not_collected instead of pass.
``probe(...)`` and ``pac_probe(...)`` build the endpoints check's probes with a fault.
"""

from __future__ import annotations

import copy
from typing import Any

from support import reference_machine as reference

from msdiag.capture.models import Capture
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Finding, Status
from msdiag.diagnosis.rules import RULES, RuleContext

COLLECTED = reference.iso_utc(reference.SCAN_START)
TIME_STAMP = reference.iso_utc(reference.check_started("time"))  # 01:02:03.540: the time check starts
ENDPOINTS_STAMP = reference.iso_utc(reference.check_started("endpoints"))  # 01:02:04.335

#: the reference machine's check data (tests/support/reference_machine.py), one entry per check
HEALTHY: dict[str, dict[str, Any]] = {name: build() for name, build in reference.DATA_BUILDERS.items()}

HOSTS = tuple(reference.ENDPOINT_FACTS)
ISSUERS = {host: facts[4] for host, facts in reference.ENDPOINT_FACTS.items()}


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


_STAMPS = {"time": TIME_STAMP, "endpoints": ENDPOINTS_STAMP}


def healthy_endpoints(**overrides: dict[str, Any]) -> dict[str, Any]:
    """The reference machine's six default hosts answering; ``overrides[host]`` replaces one probe."""
    healthy = copy.deepcopy(HEALTHY["endpoints"])
    healthy["probes"] = [overrides.get(p["host"]) or p for p in healthy["probes"]]
    return healthy


def capture(errors: dict[str, list[dict[str, Any]]] | None = None, **data: Any) -> Capture:
    """A capture from HEALTHY with ``check=data`` replacements; ``check=None`` = the check did not run."""
    checks: dict[str, Any] = {}
    merged: dict[str, Any] = {k: copy.deepcopy(v) for k, v in HEALTHY.items()}
    merged.update(data)
    envelope = reference.reference_capture()
    for name, value in merged.items():
        if value is None:
            checks[name] = {"status": "not_run", "reason": "not selected (--checks)"}
            continue
        document = reference.document(name, value, (errors or {}).get(name))
        # Stamped at the scan start except time and endpoints (whose stamps the clock rule reads),
        # so boundary tests count from 01:02:03 (a PRT "4 h old" is 4 h before it).
        document["collected_utc"] = _STAMPS.get(name, COLLECTED)
        checks[name] = {"status": "ok", "document": document}
    return Capture.model_validate({**envelope, "checks": checks})


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
