"""The ``services`` check: the Windows services Microsoft account sign-in depends on."""

from __future__ import annotations

from pydantic import Field

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.bounds import items as _items


class ServiceData(Model):
    name: ShortText = Field(description="`wlidsvc`, `TokenBroker`, `W32Time`, `Dnscache`, `NlaSvc`")
    display_name: ShortText | None = Field(None, description="localized")
    present: bool = Field(True, description="false when the service does not exist")
    status: ShortText | None = Field(None, description="`Running`, `Stopped` ...")
    start_type: ShortText | None = Field(
        None, description="`Automatic`, `Manual`, `Disabled`; Stopped + Manual is normal for trigger-started services"
    )


class ServicesData(Model):
    services: list[ServiceData] = _items(64, "Get-Service for each service")
