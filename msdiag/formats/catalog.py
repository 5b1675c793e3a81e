"""Every report format msdiag ships: importing this module registers them all.

Each format module adds its format to its registry when imported (msdiag.formats.interface);
``FORMAT_MODULES`` is the one list of those modules. A new format is its module, one line here,
and a test. The order here is the order ``--help`` and messages list the formats in, whatever
imported a format module first (the default, the table, first).
"""

from __future__ import annotations

import importlib

from msdiag.diagnosis.models import DiagnosisResult
from msdiag.fleet.report import FleetReport
from msdiag.formats.interface import FLEET_FORMATS, HOST_FORMATS, RenderOptions

FORMAT_MODULES = (
    # single-host formats (msdiag scan, msdiag diagnose)
    "msdiag.formats.table",
    "msdiag.formats.json_format",
    "msdiag.formats.html",
    "msdiag.formats.ticket",
    # fleet formats (msdiag report, msdiag scan --inventory)
    "msdiag.formats.fleet.table",
    "msdiag.formats.fleet.json_format",
    "msdiag.formats.fleet.html",
    "msdiag.formats.fleet.csv_format",
)

for _module in FORMAT_MODULES:
    importlib.import_module(_module)
for _registry in (HOST_FORMATS, FLEET_FORMATS):
    _registry.order_by_module(FORMAT_MODULES)

__all__ = ["FLEET_FORMATS", "FORMAT_MODULES", "HOST_FORMATS", "render_fleet", "render_host"]


def render_host(result: DiagnosisResult, name: str, lang: str = "en", *, color: bool = False) -> str:
    """One single-host format by name (scripts, tests; the CLI routes through msdiag/cli/output.py)."""
    return HOST_FORMATS.get(name).render(result, RenderOptions(lang=lang, color=color))


def render_fleet(report: FleetReport, name: str, lang: str = "en") -> str:
    """One fleet format by name (scripts, tests, the benchmark)."""
    return FLEET_FORMATS.get(name).render(report, RenderOptions(lang=lang))
