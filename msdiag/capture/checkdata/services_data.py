"""The ``services`` check: the Windows services Microsoft account sign-in depends on."""

from __future__ import annotations

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.bounds import items as _items


class ServiceData(Model):
    name: ShortText  #: `wlidsvc`, `TokenBroker`, `W32Time`, `Dnscache`, `NlaSvc`
    display_name: ShortText | None = None  #: localized
    present: bool = True  #: false when the service does not exist
    status: ShortText | None = None  #: `Running`, `Stopped` ...
    #: `Automatic`, `Manual`, `Disabled`; Stopped + Manual is normal for trigger-started services
    start_type: ShortText | None = None


class ServicesData(Model):
    services: list[ServiceData] = _items(64)  #: Get-Service for each service
