"""The bounded building blocks every capture model uses: bounded strings and lists, the strict base.

Everything in a capture arrives from a scanned machine and is untrusted: these bounds keep a
hostile host from making msdiag allocate without limit or render a megabyte-long cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# generous for real machines: 4096 for long fields (proxy lists, error messages), 512 otherwise
Text = Annotated[str, StringConstraints(max_length=4096)]
ShortText = Annotated[str, StringConstraints(max_length=512)]
MAX_ITEMS = 512


@dataclass(frozen=True)
class FieldLabel:
    """A data-model field's readable name in English and Japanese, as ``Annotated`` metadata::

        broker_present: Annotated[bool | None, FieldLabel("Broker package present", "ブローカーの有無")] = None

    Reports name a fact by it when msdiag/formats/fact_labels.toml has no name for its path, so a
    new check's fields are named where they are declared."""

    en: str
    ja: str


def items(max_length: int = MAX_ITEMS) -> Any:
    """A bounded list field, empty by default."""
    return Field(default_factory=list, max_length=max_length)


class Model(BaseModel):
    """Base for check data: strict types, unknown keys kept (newer scripts may add fields).

    A field's ``#:`` comment is its description: the JSON Schema's and docs/capture-format.md's
    (msdiag.capture.field_docs).
    """

    model_config = ConfigDict(strict=True, extra="allow", frozen=False)


class ProbeError(Model):
    """A probe inside a check that failed or is not available on this platform."""

    probe: ShortText  #: the probe's name
    message: Text  #: the exception message as the host printed it (localized)
    #: `unavailable` (not on this OS or edition), `access_denied`, `timeout` (the probe's own bound passed),
    #: `failed` (anything else)
    category: Literal["unavailable", "failed", "access_denied", "timeout"] = "failed"
