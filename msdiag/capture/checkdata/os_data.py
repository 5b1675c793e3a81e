"""The ``os`` check: Windows version and edition, this computer and the scan's own session."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.names import ComputerName, DomainName


class OsData(Model):
    """Win32_OperatingSystem, Win32_ComputerSystem, ``HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion``."""

    caption: ShortText | None = Field(None, description="Win32_OperatingSystem.Caption, `Microsoft Windows 11 Pro`")
    product_name: ShortText | None = Field(
        None,
        description="registry ProductName; may say Windows 10 on Windows 11: decide from `build` (>= 22000 is Windows 11)",
    )
    version: ShortText | None = Field(None, description="`10.0.22631`")
    build: int | None = Field(None, description="build number (`22631`)")
    ubr: int | None = Field(None, description="update build revision (`22631.<ubr>`)")
    display_version: ShortText | None = Field(
        None, description="registry DisplayVersion (`23H2`); before 20H2 the ReleaseId (`1809`)"
    )
    edition: ShortText | None = Field(None, description="registry EditionID (`Core` = Home, `Professional`, `Enterprise`)")
    architecture: ShortText | None = Field(None, description="OSArchitecture, localized (`64-bit`, `64 ビット`)")
    computer_name: Annotated[ShortText | None, ComputerName] = Field(None, description="Win32_ComputerSystem.Name")
    domain: Annotated[ShortText | None, DomainName] = Field(None, description="the DNS domain, or the workgroup name")
    part_of_domain: bool | None = Field(None, description="joined to an Active Directory domain")
    workgroup: Annotated[ShortText | None, DomainName] = Field(None, description="null on a domain member")
    last_boot_utc: ShortText | None = Field(None, description="last boot, UTC ISO 8601")
    uptime_seconds: int | None = Field(None, description="seconds since the last boot")
    is_elevated: bool | None = Field(None, description="the scan ran elevated (some probes give less without)")
    ps_edition: ShortText | None = Field(None, description="`$PSVersionTable.PSEdition`: `Desktop` (5.1) or `Core` (7)")
    ps_version: ShortText | None = Field(None, description="`$PSVersionTable.PSVersion`")
    is_windows: bool | None = Field(None, description="false when the scripts ran on PowerShell 7 outside Windows")
