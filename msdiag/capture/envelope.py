"""The capture envelope and the check document: what wraps each check's data.

A capture is everything one scan collected from one host: one ``CheckResult`` per check, holding
the ``CheckDocument`` a check script printed (its ``data`` follows the check's model in
msdiag/capture/models.py, chosen by the check spec in msdiag/checks.py).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from msdiag.capture.bounds import Model, ProbeError, ShortText, Text, items
from msdiag.capture.migrate import migrated_v1
from msdiag.capture.user_context import UNKNOWN, UserContext, UserContextFacts, context_of_documents

#: Version of the per-check document format (``schema_version`` in every check document). Version 2
#: documents carry ``user_context`` and native programs' raw text; version 1 ones are still read.
CHECK_SCHEMA_VERSION: Final = 2
#: Version of the capture envelope (``schema_version`` of a capture). Version 2 adds
#: ``user_context``; a version 1 capture is migrated when read (see :meth:`Capture._migrate_v1`).
CAPTURE_SCHEMA_VERSION: Final = 2
CAPTURE_FORMAT: Final = "msdiag-capture"
#: The reason of a selected check that never reported because the scan ended first.
NOT_REPORTED: Final = "the scan ended before this check reported"


class CheckDocument(Model):
    """The one JSON document a check script prints."""

    #: one of the check names in msdiag/checks.py (msdiag.capture.parse checks it against the spec);
    #: must equal the key it is stored under
    check: ShortText
    schema_version: Literal[1, 2]  #: the document format version (2; 1 is still read)
    collected_utc: ShortText  #: when this check started, by the host's clock
    elapsed_ms: int | None = None  #: how long the check took
    data: dict[str, Any]  #: the check's facts (its data model, per check below)
    errors: list[ProbeError] = items(256)  #: one entry per probe that failed
    #: per-user checks: who the script saw signed in and whose hive it read; msdiag moves it to the
    #: capture's `user_context` (kept here only by a check that read another user's hive)
    user_context: UserContextFacts | None = None


# ---------------------------------------------------------------- capture envelope
class CheckStatus(str, Enum):
    OK = "ok"  # the document validated
    ERROR = "error"  # the script failed, or its output did not validate (raw kept)
    NOT_RUN = "not_run"  # not selected, or the scan stopped before it ran or finished
    BLOCKED = "blocked"  # antivirus software (AMSI) refused the check's script before it ran


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
    CONSTRAINED_LANGUAGE = "constrained_language"  # PowerShell is not in FullLanguage (WDAC/AppLocker)
    EXECUTION_POLICY = "execution_policy"  # an execution policy (Group Policy) refused the runner
    BLOCKED_BY_ANTIVIRUS = "blocked_by_antivirus"  # AMSI refused the runner or some checks
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
    schema_version: Literal[2] = CAPTURE_SCHEMA_VERSION
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
    #: whose per-user facts these are and how that was decided (msdiag.capture.user_context);
    #: None = no per-user check reported
    user_context: UserContext | None = None

    @model_validator(mode="before")
    @classmethod
    def _complete(cls, data: Any) -> Any:
        """Read a version 1 capture as version 2 (msdiag.capture.migrate says how), and record whose
        facts these are once when only the documents say it (a capture the exported script built)."""
        if not isinstance(data, dict):
            return data
        documents = _documents(data.get("checks"))
        if data.get("user_context") is None and any("user_context" in doc for _, doc in documents):
            context, disagreements = context_of_documents(documents)
            given = data.get("warnings")
            warnings: list[Any] = list(given) if isinstance(given, list) else []
            data = {**data, "user_context": context.model_dump(mode="json") if context else None,
                    "warnings": [*disagreements, *warnings][:64]}  # fmt: skip
        if data.get("schema_version") == 1:
            return migrated_v1(data, not_reported=NOT_REPORTED, unknown_context=UNKNOWN.model_dump(mode="json"))
        return data

    @property
    def unfinished_checks(self) -> list[str]:
        """Checks that were asked for but never reported because the scan ended first."""
        return [
            name
            for name, result in self.checks.items()
            if result.status is CheckStatus.NOT_RUN and result.reason == NOT_REPORTED
        ]


def _documents(checks: Any) -> list[tuple[str, dict[str, Any]]]:
    """(check, document) of the checks in a capture's raw ``checks`` that carry a document."""
    if not isinstance(checks, dict):
        return []
    out = []
    for name, result in checks.items():
        document = result.document if isinstance(result, CheckResult) else (
            result.get("document") if isinstance(result, dict) else None
        )
        if isinstance(document, dict):
            out.append((str(name), document))
    return out
