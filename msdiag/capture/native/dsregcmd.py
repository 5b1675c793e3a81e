"""``dsregcmd /status``: the device's join state and the session account's PRT.

Labels are English on every Windows language (Microsoft Japan's support blog tells Japanese users
to look for ``AzureAdPrt : YES``; no Japanese-labelled output exists in any public source:
tests/data/native/README.md). They are matched without spaces and case (``AzureAdPrt``), so both
the padded console layout and copies that lost their alignment read the same. The User State and
SSO State sections are those of the account that ran dsregcmd ("The command must run in a user
context to retrieve a valid status",
https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.names import DomainName, NotAName
from msdiag.capture.native import label_lines, squash


class DsregData(Model):
    """The fields msdiag reads from ``dsregcmd /status``."""

    available: bool = False  #: dsregcmd ran; false = not on this system (the rest is then null)
    azure_ad_joined: bool | None = None  #: Device State `AzureAdJoined` (YES/NO)
    enterprise_joined: bool | None = None  #: Device State `EnterpriseJoined`
    domain_joined: bool | None = None  #: Device State `DomainJoined`
    domain_name: Annotated[ShortText | None, DomainName] = None  #: Device State `DomainName`
    workplace_joined: bool | None = None  #: User State `WorkplaceJoined`: **the account that ran dsregcmd**
    tenant_name: Annotated[ShortText | None, DomainName] = None  #: Tenant Details `TenantName`
    azure_ad_prt: bool | None = None  #: SSO State `AzureAdPrt`: **the account that ran dsregcmd**
    #: SSO State `AzureAdPrtUpdateTime`, UTC ISO 8601 when parseable, else as printed
    azure_ad_prt_update_time: ShortText | None = None
    #: User State `WamDefaultSet` as printed (`YES`, `NO`, `ERROR`: ERROR when run elevated or as another
    #: account)
    wam_default_set: ShortText | None = None
    #: Diagnostic Data `User Context` (`SYSTEM`, `UN-ELEVATED User`, `ELEVATED User`), printed only when
    #: dsregcmd reports a join failure
    diagnostics_user_context: Annotated[ShortText | None, NotAName("a context kind, not an account")] = None


_BOOLEANS = {
    "azureadjoined": "azure_ad_joined",
    "enterprisejoined": "enterprise_joined",
    "domainjoined": "domain_joined",
    "workplacejoined": "workplace_joined",
    "azureadprt": "azure_ad_prt",
}
_TEXTS = {
    "domainname": "domain_name",
    "tenantname": "tenant_name",
    "wamdefaultset": "wam_default_set",
    "usercontext": "diagnostics_user_context",
}
_DSREG_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)? UTC$")


def yes_no(value: str) -> bool | None:
    return {"YES": True, "NO": False}.get(value.strip().upper())


def dsreg_time(value: str) -> str | None:
    """``2026-11-25 01:02:03.000 UTC`` -> ``2026-11-25T01:02:03.0000000Z``; anything else as printed."""
    text = value.strip()
    if not text:
        return None
    match = _DSREG_TIME.match(text)
    if match:
        try:
            moment = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        except ValueError:
            return text[:512]
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000Z"
    return text[:512]


def parse_dsregcmd_status(text: str) -> DsregData:
    """The join, user and SSO state fields of ``dsregcmd /status`` text (first occurrence wins)."""
    fields: dict[str, str] = {}
    for label, value in label_lines(text):
        fields.setdefault(squash(label), value)
    found: dict[str, object] = {"available": True}
    for key, name in _BOOLEANS.items():
        if key in fields:
            found[name] = yes_no(fields[key])
    for key, name in _TEXTS.items():
        if fields.get(key):
            found[name] = fields[key][:512]
    if "azureadprtupdatetime" in fields:
        found["azure_ad_prt_update_time"] = dsreg_time(fields["azureadprtupdatetime"])
    return DsregData.model_validate(found)


def recognised(data: DsregData) -> bool:
    """True when the text had at least one of the fields msdiag reads."""
    return any(value is not None for name, value in data if name != "available")


def read_dsregcmd_status(text: str) -> DsregData | None:
    """:func:`parse_dsregcmd_status`, or None when the text holds none of the fields msdiag reads."""
    data = parse_dsregcmd_status(text)
    return data if recognised(data) else None
