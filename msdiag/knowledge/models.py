"""Typed models of the knowledge base: one entry per error code or message (data in entries/*.toml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from msdiag.diagnosis.models import Localized, Step

Confidence = Literal["documented", "community", "unconfirmed"]


class Cause(BaseModel):
    """A possible cause of an error, linked to the rules that can confirm or rule it out."""

    model_config = ConfigDict(extra="forbid")

    id: str  # unique within the entry, e.g. "proxy_mismatch"
    text: Localized
    #: rule ids (msdiag.diagnosis.rules) that confirm (fail/warn) or rule out (pass) this cause;
    #: empty = cannot be checked from the machine (account side), always "unknown"
    rules: list[str] = Field(default_factory=list)
    remediation: list[Step] = Field(default_factory=list)


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
    remediation: list[Step] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)  # URLs (or "seed-article-ja")
    last_verified: str  # ISO date
    confidence: Confidence
