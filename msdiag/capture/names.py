"""Markers on the data-model fields that name people or infrastructure, and a walker that finds them.

A field whose value names a person (an account, a SID) or a piece of the organisation's
infrastructure (this computer, its domain, a proxy or PAC server) carries one marker as
``Annotated`` metadata, declared once in msdiag/capture/models.py::

    user_name: Annotated[ShortText | None, SignedInUser] = None

Redaction (msdiag/formats/redact.py) learns which names to replace by walking every check's data
for these markers, and the check spec (msdiag/checks.py) derives from them which checks hold names.
So a new field that holds a name is masked everywhere as soon as it is marked; a test fails when
a field that looks like a name (by its field name) carries no marker.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class NameMarker:
    """What kind of name a field holds, and the placeholder kind redaction numbers it under."""

    name: str
    #: the placeholder family it is replaced with: user-N, sid-N, host-N, domain-N
    placeholder: str
    #: replaced at standard redaction too (people), or only under strict (infrastructure)
    personal: bool
    what: str

    def __repr__(self) -> str:
        return self.name


#: The account signed in to Windows (the person with the problem): numbered first, so it is user-1.
SignedInUser = NameMarker("SignedInUser", "user", True, "the signed-in account: DOMAIN\\user, UPN or e-mail")
#: Any other account of a person: ``DOMAIN\user``, a UPN, ``MicrosoftAccount\taro@outlook.jp``.
PersonName = NameMarker("PersonName", "user", True, "a person's account: DOMAIN\\user, UPN or e-mail")
#: A security identifier of an account (``S-1-5-21-...``, Entra ID ``S-1-12-1-...``).
AccountSid = NameMarker("AccountSid", "sid", True, "a user account's security identifier")
#: This machine's name.
ComputerName = NameMarker("ComputerName", "host", False, "the computer's name")
#: An Active Directory / DNS domain, a workgroup or an Entra tenant.
DomainName = NameMarker("DomainName", "domain", False, "an AD/DNS domain, workgroup or Entra tenant")
#: A value that names servers: a host, ``host:port``, a URL, a proxy list or a bypass list.
ServerSetting = NameMarker(
    "ServerSetting", "host", False, "a host, host:port, URL or proxy/bypass list naming servers"
)


@dataclass(frozen=True)
class NotAName:
    """Metadata for a field whose name looks like it holds a name but does not (``user_count``):
    the test that looks for unmarked name fields accepts it, with the reason given here."""

    why: str


#: Every marker, in the order redaction collects names: people first (the signed-in user is user-1),
#: then this machine, its domains, and the servers it is configured with.
NAME_MARKERS: tuple[NameMarker, ...] = (SignedInUser, PersonName, AccountSid, ComputerName, DomainName, ServerSetting)


def _markers(metadata: list[typing.Any]) -> tuple[NameMarker, ...]:
    return tuple(m for m in metadata if isinstance(m, NameMarker))


def _nested_models(annotation: typing.Any) -> tuple[type[BaseModel], ...]:
    """Data models inside a field's type (``X | None``, ``list[X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (annotation,)
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_nested_models(arg))
    return tuple(found)


@functools.cache
def _plan(model: type[BaseModel]) -> tuple[tuple[str, tuple[NameMarker, ...], bool], ...]:
    """(field, its markers, may hold nested names) for the fields worth visiting, in field order."""
    plan = []
    for field_name, info in model.model_fields.items():
        markers = _markers(info.metadata)
        nested = any(name_markers(m) for m in _nested_models(info.annotation))
        if markers or nested:
            plan.append((field_name, markers, nested))
    return tuple(plan)


@functools.cache
def name_markers(model: type[BaseModel]) -> frozenset[NameMarker]:
    """Every marker on ``model``'s fields and on the models nested in it."""
    found: set[NameMarker] = set()
    for info in model.model_fields.values():
        found.update(_markers(info.metadata))
        for nested in _nested_models(info.annotation):
            if nested is not model:
                found |= name_markers(nested)
    return frozenset(found)


def marked_fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, NameMarker]]:
    """(dotted field path, marker) for every marked field of ``model`` and its nested models."""
    for field_name, info in model.model_fields.items():
        path = f"{prefix}{field_name}"
        for marker in _markers(info.metadata):
            yield path, marker
        for nested in _nested_models(info.annotation):
            yield from marked_fields(nested, f"{path}.")


def named_values(data: BaseModel) -> Iterator[tuple[NameMarker, str]]:
    """(marker, value) for every non-empty marked string in ``data``, depth first in field order."""
    for field_name, markers, nested in _plan(type(data)):
        value = getattr(data, field_name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str) and item:
                for marker in markers:
                    yield marker, item
            elif nested and isinstance(item, BaseModel):
                yield from named_values(item)


@functools.cache
def _names_only_plan(model: type[BaseModel]) -> tuple[tuple[str, type[BaseModel] | None], ...]:
    """(field, the nested model to cut down, or None to keep the value) for the fields kept."""
    plan: list[tuple[str, type[BaseModel] | None]] = []
    for field_name, info in model.model_fields.items():
        nested = [m for m in _nested_models(info.annotation) if name_markers(m)]
        if nested:
            plan.append((field_name, nested[0]))
        elif _markers(info.metadata) or info.is_required():
            plan.append((field_name, None))
    return tuple(plan)


def names_only(model: type[BaseModel], data: object) -> object:
    """``data`` (a check's JSON data shaped by ``model``) cut down to its marked fields, and the
    required fields around them so it still validates: what a name collector needs, far smaller."""
    if not isinstance(data, dict):
        return data
    out: dict[str, object] = {}
    for field_name, nested in _names_only_plan(model):
        if field_name not in data:
            continue
        value = data[field_name]
        if nested is not None and isinstance(value, list):
            out[field_name] = [names_only(nested, item) for item in value]
        elif nested is not None:
            out[field_name] = names_only(nested, value)
        else:
            out[field_name] = value
    return out
