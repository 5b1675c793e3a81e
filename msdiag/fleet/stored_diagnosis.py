"""The diagnosis a fleet record stores with its capture: the verdict and the fail/warn findings,
computed at scan (or ingest) time by the same engine the fleet report would run."""

from __future__ import annotations

from collections.abc import Callable

from msdiag import __version__
from msdiag.capture.models import Capture, HostState
from msdiag.diagnosis.models import DiagnosisResult, Status
from msdiag.fleet.models import HostDiagnosis

Diagnose = Callable[[Capture], DiagnosisResult]


def default_diagnose() -> Diagnose:
    """msdiag's engine with its default knowledge base."""
    from msdiag.diagnosis.engine import diagnose  # imported late: the engine loads its knowledge base

    return lambda capture: diagnose(capture)


def host_diagnosis(capture: Capture, diagnose: Diagnose | None = None) -> HostDiagnosis | None:
    """The record's stored diagnosis, computed at scan time by the same engine the report uses.

    None for a host that was not scanned (nothing to diagnose)."""
    if capture.host_status.state != HostState.OK:
        return None
    if diagnose is None:
        from msdiag.diagnosis.engine import judge  # imported late: the engine loads its knowledge base

        verdict, findings = judge(capture)
    else:
        result = diagnose(capture)
        verdict, findings = result.verdict, result.findings
    shown = [
        finding.model_copy(update={"evidence": [], "remediation": []})
        for finding in findings
        if finding.status in (Status.FAIL, Status.WARN)
    ]
    return HostDiagnosis(msdiag_version=__version__, verdict=verdict, findings=shown)
