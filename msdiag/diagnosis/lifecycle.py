"""The Windows servicing table (data/lifecycle.toml): until when each build and edition gets
security updates. Dates are data, dated by the table's own ``checked`` day, so a diagnosis depends
on the capture's date and the table, never on today's date."""

from __future__ import annotations

import sys
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Group = Literal["home_pro", "ent_edu", "ltsc", "iot_ltsc", "all"]
#: a table older than this (relative to the capture) may miss a changed date: the report says so
STALE_AFTER_DAYS = 365
GROUP_NAMES: dict[str, tuple[str, str]] = {
    "home_pro": ("Home/Pro", "Home/Pro"),
    "ent_edu": ("Enterprise/Education", "Enterprise/Education"),
    "ltsc": ("Enterprise LTSC", "Enterprise LTSC"),
    "iot_ltsc": ("IoT Enterprise LTSC", "IoT Enterprise LTSC"),
}
# EditionID values (registry, OsData.edition), most specific first: LTSC editions end in "S"
_EDITIONS: tuple[tuple[str, Group], ...] = (
    ("iotenterprises", "iot_ltsc"),
    ("enterprises", "ltsc"),
    ("professional", "home_pro"),  # Pro, Pro N, Pro Education, Pro for Workstations
    ("core", "home_pro"),  # Home, Home N, Home Single Language, Home China
    ("iotenterprise", "ent_edu"),
    ("enterprise", "ent_edu"),
    ("education", "ent_edu"),
    ("serverrdsh", "ent_edu"),  # Enterprise multi-session
)
# the same from the caption ("Microsoft Windows 11 Pro"), when EditionID was not collected
_CAPTIONS: tuple[tuple[str, Group], ...] = (
    ("iot enterprise ltsc", "iot_ltsc"),
    ("ltsc", "ltsc"),
    ("ltsb", "ltsc"),
    (" pro", "home_pro"),
    (" home", "home_pro"),
    ("enterprise", "ent_edu"),
    ("education", "ent_edu"),
)
#: where a group without its own row finds its date (IoT LTSC ends with LTSC when not listed)
_FALLBACK: dict[Group, tuple[Group, ...]] = {
    "iot_ltsc": ("iot_ltsc", "ltsc", "all"),
    "ltsc": ("ltsc", "all"),
    "home_pro": ("home_pro", "all"),
    "ent_edu": ("ent_edu", "all"),
    "all": ("all",),
}


class Release(BaseModel):
    """One row: a build's end of servicing for one edition group, with its Microsoft source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    product: str
    version: str
    build: int
    group: Group
    end: date  # the last day of security updates
    url: str
    esu: bool = False  # security updates go on for devices enrolled in Extended Security Updates

    @property
    def name(self) -> str:
        return f"{self.product} {self.version}"


class LifecycleTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format_version: Literal[1]
    checked: date
    release: tuple[Release, ...]

    def find(self, build: int, group: Group) -> Release | None:
        """The row for ``build`` in ``group`` (or the group it falls back to), None = not listed."""
        for candidate in _FALLBACK[group]:
            row = next((r for r in self.release if r.build == build and r.group == candidate), None)
            if row is not None:
                return row
        return None

    def is_stale(self, on: date) -> bool:
        return (on - self.checked).days > STALE_AFTER_DAYS


@lru_cache(maxsize=1)
def lifecycle_table() -> LifecycleTable:
    """The packaged table, loaded and validated once."""
    text = resources.files("msdiag.diagnosis").joinpath("data/lifecycle.toml").read_text(encoding="utf-8")
    return LifecycleTable.model_validate(tomllib.loads(text))


def edition_group(edition: str | None, caption: str | None) -> Group | None:
    """The lifecycle group of an EditionID ("Professional", "EnterpriseS"), else of the caption."""
    key = (edition or "").strip().lower()
    for prefix, group in _EDITIONS:
        if key.startswith(prefix):
            return group
    text = f" {(caption or '').lower()} "
    for marker, group in _CAPTIONS:
        if marker in text:
            return group
    return None
