"""Typed models of the knowledge base: one entry per error code or message (data in entries/*.toml).

The model enforces what is structural in the safety policy (msdiag.knowledge.policy holds the rest,
which reads the texts): a step that changes the machine comes after a step of the same list that
records or backs up the current state, and it tells a user on a managed device to leave it to the
administrator, in both languages. Sources are https URLs.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from msdiag.diagnosis.models import Localized, Step

#: How far Microsoft's own pages back an entry: "documented" (a Microsoft documentation page says
#: it), "community" (public issue threads, forums, blogs say it), "unconfirmed" (a plausible reading
#: nobody has documented; the entry says so in its meaning and words its causes as possibilities).
EvidenceLevel = Literal["documented", "community", "unconfirmed"]
#: the name the entries' TOML and the report JSON use for the evidence level
Confidence = EvidenceLevel

#: what every "change" step says, so that the helpdesk never changes a managed PC on its own
MANAGED_DEVICE: Final = Localized(
    en="On a managed (work or school) PC, ask your administrator to do this.",
    ja="会社や学校が管理する PC では、管理者に依頼してください。",
)


def _check_steps(steps: list[Step]) -> list[Step]:
    recorded = False
    for number, step in enumerate(steps, 1):
        if step.kind == "record":
            recorded = True
        elif step.kind == "change":
            if not recorded:
                raise ValueError(
                    f"step {number} changes the machine but no earlier step records the current state "
                    "(add a kind = \"record\" step before it: netsh winhttp show proxy, reg export ...)"
                )
            for lang in ("en", "ja"):
                if MANAGED_DEVICE.get(lang) not in step.get(lang):
                    raise ValueError(
                        f"step {number} changes the machine but its {lang} text lacks "
                        f"{MANAGED_DEVICE.get(lang)!r}"
                    )
    return steps


#: remediation steps, in order (checked by _check_steps)
Steps = Annotated[list[Step], AfterValidator(_check_steps)]


class Cause(BaseModel):
    """A possible cause of an error, linked to the rules that can confirm or rule it out."""

    model_config = ConfigDict(extra="forbid")

    id: str  # unique within the entry, e.g. "proxy_mismatch"
    text: Localized
    #: rule ids (msdiag.diagnosis.rules) that confirm (fail/warn) or rule out (pass) this cause;
    #: empty = cannot be checked from the machine (account side), always "unknown"
    rules: list[str] = Field(default_factory=list)
    remediation: Steps = Field(default_factory=list)


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # stable id, e.g. "0x800704CF" or "msg-country-code-not-supported"
    kind: Literal["hresult", "wam", "aadsts", "message", "win32", "ntstatus"]
    codes: list[str] = Field(default_factory=list)  # canonical codes, "0x800704CF"
    aliases: list[str] = Field(default_factory=list)  # other spellings and message texts (en, ja)
    name: str  # symbolic name, "HRESULT_FROM_WIN32(ERROR_NETWORK_UNREACHABLE)"
    meaning: Localized
    seen_in: Localized  # where users see it
    causes: list[Cause] = Field(default_factory=list)
    remediation: Steps = Field(default_factory=list)
    #: public pages a user may open (policy.check_sources: https, allowed hosts)
    sources: list[str] = Field(min_length=1)
    last_verified: str  # ISO date the entry was last checked against its sources
    confidence: Confidence  # the evidence level

    @field_validator("sources")
    @classmethod
    def _https_sources(cls, sources: list[str]) -> list[str]:
        for source in sources:
            if not source.startswith("https://") or any(ch.isspace() for ch in source):
                raise ValueError(f"source {source!r} is not an https URL (sources are public pages)")
        return sources
