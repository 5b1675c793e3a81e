"""The machine rules: every module of this package is imported, and each rule registers itself.

A new rule module needs no line here: ``pkgutil`` finds it. ``RULES`` iterates by rule id.
"""

from __future__ import annotations

import importlib
import pkgutil

from msdiag.diagnosis.phone_findings import PHONE_FINDING_IDS
from msdiag.diagnosis.rules.base import REGISTRY, Outcome, Rule, RuleContext, RuleRegistry

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

#: every machine rule by id (a read-only mapping, iterated in id order)
RULES: RuleRegistry = REGISTRY

#: rule ids renamed when the rules moved into one module per subject (old -> new); `msdiag rules`
#: points users at the new id, and docs/report-json.md lists them for report consumers
RENAMED_IDS: dict[str, str] = {
    "network.no_active_adapter": "adapters.none_connected",
    "http.unexpected_response": "endpoints.unexpected_response",
    "os.too_old": "windows.too_old",
    "time.clock_skew": "clock.skew",
    "time.w32time_not_syncing": "clock.w32time_not_syncing",
}


def known_ids() -> frozenset[str]:
    """Every finding id the knowledge base may link: the machine rules and the phone findings."""
    return frozenset(RULES) | frozenset(PHONE_FINDING_IDS)


__all__ = ["PHONE_FINDING_IDS", "RENAMED_IDS", "RULES", "Outcome", "Rule", "RuleContext", "known_ids"]
