"""One line of a fleet results file (JSON Lines): a host's target and its capture."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from msdiag.capture.models import Capture
from msdiag.diagnosis.models import Finding

FLEET_RECORD_VERSION = 1


class FleetTarget(BaseModel):
    """How a host was addressed (from the inventory; never a password)."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(max_length=255)
    port: int | None = None
    transport: str | None = None
    auth: str | None = None
    username: str | None = None
    tags: list[str] = Field(default_factory=list)
    group: str | None = None
    #: how reports name the host when that is not its address (an Ansible inventory name whose
    #: ansible_host is an IP, a lab host's name)
    name: str | None = Field(default=None, max_length=255)

    @property
    def key(self) -> str:
        """Identity of a host in a results file (resume skips keys already present)."""
        return f"{self.host.lower()}:{self.port or ''}"


class HostDiagnosis(BaseModel):
    """What the fleet report needs from the diagnosis engine, computed once when the host is scanned.

    Produced by msdiag.diagnosis.engine.diagnose on the record's own capture (never edited by hand);
    the report uses it only when ``msdiag_version`` is its own version and diagnoses the capture
    again otherwise, so older files (without it) and newer engines stay correct."""

    model_config = ConfigDict(extra="forbid")

    msdiag_version: str
    verdict: Literal["fail", "warn", "pass", "incomplete"]
    #: the fail and warn findings, without evidence and remediation (the report does not show them)
    findings: list[Finding] = Field(default_factory=list)


class RecordSource(BaseModel):
    """Where an ingested record came from (`msdiag ingest`): the engine's export and the row in it."""

    model_config = ConfigDict(extra="forbid")

    #: the input form: intune-graph, intune-csv, configmgr-csv, configmgr-json, capture-file,
    #: ansible-json, ansible-jsonl
    kind: str = Field(max_length=32)
    file: str = Field(max_length=4096)  #: the file it was read from, as named on the command line
    row: int | None = None  #: its row (CSV data row, JSON record, JSON Lines line), 1-based
    #: the engine's own status of the run (Graph detectionState, ConfigMgr ScriptExecutionState ...)
    state: str | None = Field(default=None, max_length=64)
    #: SHA-256 of the output the capture was read from: records with the same digest have the same
    #: capture but for its host name (the fleet report reduces each such group's capture once)
    output_sha256: str | None = Field(default=None, max_length=64)


class FleetRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_version: int = FLEET_RECORD_VERSION
    target: FleetTarget
    started_utc: str
    duration_ms: int
    capture: Capture
    #: added in msdiag 0.x fleet files; absent in older ones (the report diagnoses those)
    diagnosis: HostDiagnosis | None = None
    #: the scan ran with --insecure (HTTPS certificates not validated): reports say so
    insecure: bool = False
    #: set by `msdiag ingest` (what an engine returned); None for records msdiag scanned itself
    source: RecordSource | None = None
