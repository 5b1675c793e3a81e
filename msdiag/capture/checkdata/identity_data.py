"""The ``identity`` check: device join and PRT state, the Microsoft-account policy, the signed-in account."""

from __future__ import annotations

from typing import Annotated

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.names import SignedInUser
from msdiag.capture.native import NativeOutput
from msdiag.capture.native.dsregcmd import DsregData


class IdentityData(Model):
    #: read by msdiag from `dsregcmd_output` (a producer need not fill it); `{"available": false}` when
    #: dsregcmd could not run
    dsregcmd: DsregData | None = None
    #: what `dsregcmd /status` printed (raw, bounded); its User State and SSO State are the account the scan
    #: ran as
    dsregcmd_output: NativeOutput | None = None
    #: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\NoConnectedUser`: null/0 allowed, 1
    #: users can't add Microsoft accounts, 3 can't add or sign in with them
    no_connected_user: int | None = None
    #: the signed-in user signs in to Windows with a Microsoft account (null = could not tell)
    signed_in_with_msa: bool | None = None
    #: the signed-in user: `DOMAIN\user`, `AzureAD\...`, `MicrosoftAccount\taro.yamada@outlook.jp`
    user_name: Annotated[ShortText | None, SignedInUser] = None
