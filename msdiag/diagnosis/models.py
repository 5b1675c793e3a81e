"""The diagnosis result: what the report formats render. Stable JSON form (schema_version)."""

from __future__ import annotations

from enum import Enum
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from msdiag.capture.models import Capture

DIAGNOSIS_SCHEMA_VERSION: Final = 1


class Localized(BaseModel):
    """A text in English and Japanese (both required: many users read the Japanese)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str
    ja: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


#: advice: changes nothing (look, sign in, contact); record: records or backs up the current
#: state (``netsh winhttp show proxy``, ``reg export``, a copy of the hosts file); change: changes
#: the machine (registry, netsh, hosts file, services, resets, rejoin), so it must come after a
#: record step and say "on a managed device, ask your administrator"
StepKind = Literal["advice", "record", "change"]


class Step(Localized):
    """One remediation step, in both languages, with what it does to the machine."""

    kind: StepKind = "advice"

    @model_validator(mode="before")
    @classmethod
    def _from_localized(cls, value: Any) -> Any:
        # a plain Localized text is an advice step (rules and entries write most steps that way)
        if isinstance(value, Localized) and not isinstance(value, Step):
            return {"en": value.en, "ja": value.ja}
        return value


class Status(str, Enum):
    FAIL = "fail"
    WARN = "warn"
    PASS = "pass"
    NOT_COLLECTED = "not_collected"
    NOT_APPLICABLE = "not_applicable"


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


SEVERITY_ORDER: dict[Severity, int] = {
    Severity.CRITICAL: 0,
    Severity.HIGH: 1,
    Severity.MEDIUM: 2,
    Severity.LOW: 3,
    Severity.INFO: 4,
}
STATUS_ORDER: dict[Status, int] = {
    Status.FAIL: 0,
    Status.WARN: 1,
    Status.NOT_COLLECTED: 2,
    Status.PASS: 3,
    Status.NOT_APPLICABLE: 4,
}


class Evidence(BaseModel):
    """One fact a finding rests on: where it came from and its value, exactly as collected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: str  # dotted path into the capture, e.g. "proxy.winhttp.proxy_server" or "endpoints[login.live.com].tcp"
    value: Any  # JSON-able value as collected (None = absent)
    note: Localized | None = None  # what the value means here


class Finding(BaseModel):
    """A rule's verdict on one possible cause."""

    model_config = ConfigDict(extra="forbid")

    id: str  # rule id, e.g. "proxy.wininet_winhttp_mismatch"
    status: Status
    severity: Severity
    title: Localized
    detail: Localized | None = None  # the measured situation, with values ("clock is 7 min 12 s ahead")
    evidence: list[Evidence] = Field(default_factory=list)
    remediation: list[Step] = Field(default_factory=list)  # numbered steps
    related_codes: list[str] = Field(default_factory=list)  # knowledge-base entry ids
    checks: list[str] = Field(default_factory=list)  # checks whose data the rule read


class CauseVerdict(str, Enum):
    CONFIRMED = "confirmed"  # a fail (or warn) finding supports it
    UNKNOWN = "unknown"  # its checks were not collected, or it cannot be checked from the machine
    RULED_OUT = "ruled_out"  # the checks it needs ran and passed


class RankedCause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rank: int  # 1 = most likely
    cause_id: str
    verdict: CauseVerdict
    text: Localized
    rules: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)  # ids of findings that decided the verdict
    remediation: list[Step] = Field(default_factory=list)


class DecodedHresult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hresult: str  # "0x800704CF"
    severity_bit: bool
    facility: int
    facility_name: str | None = None
    code: int
    win32_name: str | None = None  # "ERROR_NETWORK_UNREACHABLE"
    win32_message: str | None = None
    #: the whole code's name and description when known ("E_FAIL", "HRESULT_FROM_NT(STATUS_ACCESS_DENIED)")
    name: str | None = None
    message: str | None = None
    #: Microsoft's Japanese for win32_message, where public (None: only the English is published)
    win32_message_ja: str | None = None


class ErrorAnalysis(BaseModel):
    """The error the user reported, what it means, and its causes ranked by the findings."""

    model_config = ConfigDict(extra="forbid")

    input: str
    entry_id: str | None = None  # knowledge-base entry, None = msdiag has no entry
    name: str | None = None
    meaning: Localized | None = None
    decoded: DecodedHresult | None = None
    causes: list[RankedCause] = Field(default_factory=list)
    remediation: list[Step] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    confidence: str | None = None
    #: the code family whose causes were added to the entry's (or stand in for a missing entry),
    #: e.g. "wam-network" for 0xCAA7xxxx / 0xCAA8xxxx (msdiag.diagnosis.families)
    family: str | None = None


class PhoneAnalysis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str
    valid: bool
    possible: bool = False
    e164: str | None = None
    region: str | None = None  # ISO 3166 alpha-2
    country_code: int | None = None
    number_type: str | None = None  # mobile, fixed_line, fixed_line_or_mobile, voip, toll_free, ...
    national_format: str | None = None
    corrected_input: str | None = None  # when a trunk prefix after the country code was detected
    findings: list[Finding] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)  # safe change order, recovery route
    #: the number type in words ("mobile" / 「携帯電話」), None when the number is not valid
    number_type_text: Localized | None = None
    #: the country a number typed without +country code was read for, None = it had one
    assumed_region: str | None = None
    #: why that country: given with --phone-region, or which of the PC's settings agreed on it
    assumed_region_note: Localized | None = None


RegionSource = Literal["culture", "ui_culture", "system_locale", "home_location", "time_zone", "phone"]


class RegionSignal(BaseModel):
    """One place the machine (or the phone number) says which country the user is in."""

    model_config = ConfigDict(extra="forbid")

    source: RegionSource
    value: str | None = None  # as collected: "ja-JP", "122 Japan", "Tokyo Standard Time", "+81 90-****-5678"
    country: str | None = None  # ISO 3166 alpha-2 it maps to, None = unknown / not collected


class RegionPair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: RegionSource
    b: RegionSource
    agree: bool | None  # None = one side unknown


class RegionMatrix(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signals: list[RegionSignal] = Field(default_factory=list)
    pairs: list[RegionPair] = Field(default_factory=list)


class ActionStep(BaseModel):
    """One step of the "do this first" list: what to do, and which finding or cause it fixes."""

    model_config = ConfigDict(extra="forbid")

    text: Step
    #: the failing/warning finding whose fix this is (rule id), None for a step of a cause only
    finding_id: str | None = None
    #: the knowledge-base cause (entry id, cause id) this step comes from or, with a finding_id, the
    #: confirmed cause that finding supports; None for a finding's own fix outside any cause
    cause: tuple[str, str] | None = None
    #: why the step is in the list: "confirmed" (a confirmed cause of the reported error and the
    #: findings behind it), "finding" (another failing or warning finding), "possible" (the most
    #: likely cause of the reported error when nothing on this machine confirmed one)
    basis: Literal["confirmed", "finding", "possible"] = "finding"


class StatusCounts(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    fail: int = 0
    warn: int = 0
    pass_: int = Field(0, alias="pass")
    not_collected: int = 0
    not_applicable: int = 0


class DiagnosisResult(BaseModel):
    """One host's diagnosis: the capture it came from, the findings, the ranked causes, the phone."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = DIAGNOSIS_SCHEMA_VERSION
    msdiag_version: str
    verdict: Literal["fail", "warn", "pass", "incomplete"]
    counts: StatusCounts
    findings: list[Finding]  # ordered: status, then severity, then id
    errors: list[ErrorAnalysis] = Field(default_factory=list)
    #: the ordered "do this first" list: the confirmed cause's steps merged with the fixes of the
    #: failing findings behind it (msdiag.diagnosis fills it; every format shows it first)
    do_first: list[ActionStep] = Field(default_factory=list)
    phone: PhoneAnalysis | None = None
    region: RegionMatrix | None = None
    #: server Date minus local UTC clock, seconds (median over endpoints), None = not measured
    clock_skew_seconds: float | None = None
    capture: Capture
    #: which redaction msdiag.formats.redact applied ("none" until redact() runs); reports state it
    redaction: Literal["none", "standard", "strict"] = "none"
    #: phone numbers were left unmasked on request (--show-phone)
    phone_shown: bool = False
