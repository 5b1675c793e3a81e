"""Every report format msdiag ships: importing this module registers them all.

Each format module adds its format to its registry when imported (diag.formats.interface); this
is the one list of those modules. A new format is its module, one line here, and a test. The
order here is the order ``--help`` and messages list the formats in (the default first).
"""

from __future__ import annotations

from diag.diagnosis.models import DiagnosisResult
from diag.fleet.report import FleetReport
from diag.formats.interface import FLEET_FORMATS, HOST_FORMATS, RenderOptions

# isort: off
# Single-host formats (msdiag scan, msdiag diagnose).
import diag.formats.table
import diag.formats.json_format
import diag.formats.html

# Fleet formats (msdiag report, msdiag scan --inventory).
import diag.formats.fleet.table
import diag.formats.fleet.json_format
import diag.formats.fleet.html
import diag.formats.fleet.csv_format  # noqa: F401
# isort: on

__all__ = ["FLEET_FORMATS", "HOST_FORMATS", "render_fleet", "render_host"]


def render_host(result: DiagnosisResult, name: str, lang: str = "en", *, color: bool = False) -> str:
    """One single-host format by name (scripts, tests; the CLI routes through diag/cli/output.py)."""
    return HOST_FORMATS.get(name).render(result, RenderOptions(lang=lang, color=color))


def render_fleet(report: FleetReport, name: str, lang: str = "en") -> str:
    """One fleet format by name (scripts, tests, the benchmark)."""
    return FLEET_FORMATS.get(name).render(report, RenderOptions(lang=lang))
