"""The capture envelope and the check document: what wraps each check's data.

A capture is everything one scan collected from one host: one ``CheckResult`` per check, holding
the ``CheckDocument`` a check script printed (its ``data`` follows the check's model in
msdiag/capture/models.py, chosen by the check spec in msdiag/checks.py).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from msdiag.capture.bounds import Model, ProbeError, ShortText, Text, items

#: Version of the per-check document format (``schema_version`` in every check document).
CHECK_SCHEMA_VERSION: Final = 1
#: Version of the capture envelope (``schema_version`` of a capture).
CAPTURE_SCHEMA_VERSION: Final = 1
CAPTURE_FORMAT: Final = "msdiag-capture"


class CheckDocument(Model):
    """The one JSON document a check script prints."""

    #: one of the check names in msdiag/checks.py (msdiag.capture.parse checks it against the spec)
    check: ShortText
    schema_version: Literal[1]
    collected_utc: ShortText
    elapsed_ms: int | None = None
    data: dict[str, Any]
    errors: list[ProbeError] = items(256)


# ---------------------------------------------------------------- capture envelope
class CheckStatus(str, Enum):
    OK = "ok"  # the document validated
    ERROR = "error"  # the script failed, or its output did not validate (raw kept)
    NOT_RUN = "not_run"  # not selected, or the scan stopped before it ran


class CheckResult(BaseModel):
    """One check's outcome inside a capture."""

    model_config = ConfigDict(extra="forbid")

    status: CheckStatus
    #: why the check is error / not_run ("not selected", "validation: data.build: ...")
    reason: Text | None = None
    #: the validated document (status ok), or None
    document: dict[str, Any] | None = None
    #: the raw output, kept when it did not validate (bounded)
    raw: Annotated[str, StringConstraints(max_length=262144)] | None = None


class HostState(str, Enum):
    """What happened to a host as a whole (remote scans; local scans are ok or script_error)."""

    OK = "ok"
    UNREACHABLE = "unreachable"
    TLS = "tls"
    AUTH_FAILED = "auth_failed"
    TIMEOUT = "timeout"
    WINRM_FAULT = "winrm_fault"
    SCRIPT_ERROR = "script_error"
    BAD_OUTPUT = "bad_output"
    NO_POWERSHELL = "no_powershell"
    #: fleet scans: msdiag did not contact the host (e.g. its credentials had failed on several hosts
    #: in a row, so using them again risked locking the account out); the detail says why
    NOT_ATTEMPTED = "not_attempted"


class HostStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: HostState
    detail: Text | None = None  # what happened, e.g. the WSMan fault code and message
    hint: Text | None = None  # what to try next


class PowerShellInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: ShortText | None = None
    version: ShortText | None = None
    path: Text | None = None  # local scans: the executable used


class ConnectionInfo(BaseModel):
    """How a remote host was reached (never any credential)."""

    model_config = ConfigDict(extra="forbid")

    transport: Literal["http", "https"]
    port: int
    auth: ShortText
    cert_validation: bool = True
    insecure: bool = False


class Capture(BaseModel):
    """Everything one scan collected from one host."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["msdiag-capture"] = CAPTURE_FORMAT
    schema_version: Literal[1] = CAPTURE_SCHEMA_VERSION
    msdiag_version: ShortText | None = None
    host: ShortText
    mode: Literal["local", "remote", "exported-script", "lab", "other"]
    collected_utc: ShortText
    duration_ms: int | None = None
    powershell: PowerShellInfo | None = None
    connection: ConnectionInfo | None = None
    host_status: HostStatus
    #: check name -> outcome; every known check appears (not_run when not selected)
    checks: dict[str, CheckResult]
    #: notes the collector wants in the report (e.g. "--insecure: certificate not validated")
    warnings: list[Text] = Field(default_factory=list, max_length=64)
    #: personal data replaced before the capture was saved (msdiag scan --save-capture --redact);
    #: None = as collected
    redaction: Literal["none", "standard", "strict"] | None = None
