"""Reading a capture of an older schema version as the current one (on plain JSON data).

Version 1 -> 2 (docs/capture-format.md, Versioning):

- ``user_context`` is unknown: captured before msdiag recorded whose per-user facts these are, so
  the rules read those facts as they always did;
- a check cut short by the end of the scan was ``error`` "the scan ended before this check
  reported": it is ``not_run`` (it did not finish; the diagnosis is then incomplete);
- a host probe that the version 1 endpoints script gave up on had its failure written into
  ``dns.error`` ("the probe did not finish within 13000 ms"): that is no DNS result, so ``dns``
  becomes null instead of reading as a name that does not resolve.
"""

from __future__ import annotations

import re
from typing import Any

#: what the version 1 endpoints script wrote into dns.error for a probe it gave up on
_V1_FAILED_PROBE = re.compile(r"^the probe (did not finish within \d+ ms|returned nothing|failed: .*)$", re.DOTALL)


def migrated_v1(data: dict[str, Any], *, not_reported: str, unknown_context: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a version 1 capture) as version 2."""
    migrated = {**data, "schema_version": 2}
    migrated.setdefault("user_context", unknown_context)
    checks = data.get("checks")
    if isinstance(checks, dict):
        migrated["checks"] = {name: _result(result, not_reported) for name, result in checks.items()}
    return migrated


def _result(result: Any, not_reported: str) -> Any:
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json")
    if not isinstance(result, dict):
        return result
    if result.get("status") == "error" and result.get("reason") == not_reported:
        return {"status": "not_run", "reason": not_reported}
    document = result.get("document")
    if isinstance(document, dict) and document.get("check") == "endpoints":
        result = {**result, "document": _endpoints(document)}
    return result


def _endpoints(document: dict[str, Any]) -> dict[str, Any]:
    data = document.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("probes"), list):
        return document
    probes = []
    for probe in data["probes"]:
        dns = probe.get("dns") if isinstance(probe, dict) else None
        if (
            isinstance(dns, dict)
            and isinstance(dns.get("error"), str)
            and _V1_FAILED_PROBE.match(dns["error"])
            and not dns.get("addresses")
            and probe.get("tcp") is None
        ):
            probe = {**probe, "dns": None}
        probes.append(probe)
    return {**document, "data": {**data, "probes": probes}}
