"""The ``os`` check: Windows version and edition, this computer and the scan's own session."""

from __future__ import annotations

from typing import Annotated

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.names import ComputerName, DomainName


class OsData(Model):
    """Win32_OperatingSystem, Win32_ComputerSystem, ``HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion``."""

    caption: ShortText | None = None  #: Win32_OperatingSystem.Caption, `Microsoft Windows 11 Pro`
    #: registry ProductName; may say Windows 10 on Windows 11: decide from `build` (>= 22000 is Windows 11)
    product_name: ShortText | None = None
    version: ShortText | None = None  #: `10.0.22631`
    build: int | None = None  #: build number (`22631`)
    ubr: int | None = None  #: update build revision (`22631.<ubr>`)
    #: registry DisplayVersion (`23H2`); before 20H2 the ReleaseId (`1809`)
    display_version: ShortText | None = None
    edition: ShortText | None = None  #: registry EditionID (`Core` = Home, `Professional`, `Enterprise`)
    architecture: ShortText | None = None  #: OSArchitecture, localized (`64-bit`, `64 ビット`)
    computer_name: Annotated[ShortText | None, ComputerName] = None  #: Win32_ComputerSystem.Name
    domain: Annotated[ShortText | None, DomainName] = None  #: the DNS domain, or the workgroup name
    part_of_domain: bool | None = None  #: joined to an Active Directory domain
    workgroup: Annotated[ShortText | None, DomainName] = None  #: null on a domain member
    last_boot_utc: ShortText | None = None  #: last boot, UTC ISO 8601
    uptime_seconds: int | None = None  #: seconds since the last boot
    is_elevated: bool | None = None  #: the scan ran elevated (some probes give less without)
    ps_edition: ShortText | None = None  #: `$PSVersionTable.PSEdition`: `Desktop` (5.1) or `Core` (7)
    ps_version: ShortText | None = None  #: `$PSVersionTable.PSVersion`
    is_windows: bool | None = None  #: false when the scripts ran on PowerShell 7 outside Windows
