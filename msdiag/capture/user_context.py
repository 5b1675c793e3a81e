"""Whose per-user facts a capture holds: the signed-in (interactive) user, and how msdiag chose them.

Over remoting, or from an agent running as SYSTEM, the scan's session is not the person with the
problem. The check scripts see who is signed in without a name lookup (which fails for a domain
account off the company network): the owner SID of each ``explorer.exe`` (Win32_Process.GetOwnerSid)
with the type of its logon session (Win32_SessionProcess -> Win32_LogonSession.LogonType), and the
loaded, non-special Win32_UserProfile entries. They read that user's hive, ``HKEY_USERS\\<SID>``,
and record what they saw in their document (:class:`UserContextFacts`). msdiag chooses from those
facts by one documented rule, :func:`choose_interactive_user`, and records the result ONCE, in the
capture's ``user_context`` (:class:`UserContext`). The scripts apply the same rule to pick the hive
(MsdiagCommon.ps1, Select-MsdiagInteractiveUser); a check that read another hive is named in a
capture warning.

Sources: GetOwnerSid, https://learn.microsoft.com/windows/win32/cimwin32prov/getownersid-method-in-class-win32-process ;
Win32_SessionProcess, https://learn.microsoft.com/windows/win32/cimwin32prov/win32-sessionprocess ;
logon types (Interactive 2, RemoteInteractive 10, CachedInteractive 11, CachedRemoteInteractive 12),
https://learn.microsoft.com/windows/win32/api/ntsecapi/ne-ntsecapi-security_logon_type .
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict

from msdiag.capture.bounds import Model, ShortText, Text
from msdiag.capture.bounds import items as _items
from msdiag.capture.names import AccountSid, PersonName

#: LocalSystem, LocalService, NetworkService: never a person
SERVICE_SIDS = frozenset({"S-1-5-18", "S-1-5-19", "S-1-5-20"})
#: at the PC itself: Interactive, CachedInteractive (cached credentials: a domain laptop off the network)
CONSOLE_LOGON_TYPES = frozenset({2, 11})
#: Remote Desktop: RemoteInteractive, CachedRemoteInteractive
REMOTE_LOGON_TYPES = frozenset({10, 12})

ChosenBy = Literal["console", "remote_desktop", "explorer", "loaded_profile", "session_account", "nobody", "unknown"]
#: why each choice was made, for reports and docs/capture-format.md
CHOSEN_BY: dict[str, str] = {
    "console": "the owner of explorer.exe in a logon at the PC itself (the most recent one when several)",
    "remote_desktop": "no console user: the owner of explorer.exe in a Remote Desktop logon (the most recent)",
    "explorer": "the owner of the most recently started explorer.exe (its logon type could not be read)",
    "loaded_profile": "no explorer.exe owner could be read: the most recently used loaded user profile "
    "other than the scan account's",
    "session_account": "nobody else is signed in: the account the scan runs as",
    "nobody": "nobody is signed in and the scan runs as a service account: no user's facts were read",
    "unknown": "captured before msdiag recorded whose per-user facts these are",
}


class AccountRef(Model):
    """One account, by SID; its name only when it resolved (a lookup can fail off the network)."""

    sid: Annotated[ShortText | None, AccountSid] = None  #: the account's SID
    #: `DOMAIN\user` when the SID resolved to a name; never required
    account: Annotated[ShortText | None, PersonName] = None


class UserCandidate(AccountRef):
    """One sign-in the script saw."""

    #: `explorer` (the owner of an explorer.exe), `profile` (a loaded, non-special Win32_UserProfile)
    source: Literal["explorer", "profile"]
    session_id: int | None = None  #: explorer.exe's Windows session id
    #: the LogonType of explorer.exe's logon session: 2/11 at the PC, 10/12 Remote Desktop
    logon_type: int | None = None
    #: when explorer.exe started, or the profile's LastUseTime (UTC ISO 8601)
    started_utc: ShortText | None = None


class UserContextFacts(Model):
    """What one check script saw about who is signed in (in the document of each per-user check)."""

    session: AccountRef | None = None  #: the account the scan runs as (WindowsIdentity.GetCurrent)
    candidates: list[UserCandidate] = _items(64)  #: the sign-ins seen
    #: whose hive (`HKEY_USERS\<SID>`) this check read; null = none
    hive_sid: Annotated[ShortText | None, AccountSid] = None


class UserContext(BaseModel):
    """Whose per-user facts this capture holds, decided once for the whole capture."""

    model_config = ConfigDict(extra="forbid")

    #: the signed-in user whose facts the per-user checks read; null = nobody
    interactive_user: AccountRef | None = None
    chosen_by: ChosenBy  #: how it was chosen (see the table below)
    other_users: list[AccountRef] = _items(32)  #: other users signed in at the same time
    session_account: AccountRef | None = None  #: the account the scan ran as
    #: the scan ran as the signed-in user: then the facts only a session can read (dsregcmd's user and SSO
    #: state, the session proxy) are the user's too
    session_is_interactive_user: bool | None = None
    note: Text | None = None  #: why msdiag could not decide, or what disagreed


#: the user context of a capture made before msdiag recorded one (schema version 1)
UNKNOWN = UserContext(chosen_by="unknown", note=CHOSEN_BY["unknown"])


_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def _moment(value: str | None) -> datetime:
    """An ISO 8601 time for ordering (.NET writes 7 fractional digits); unreadable ones sort as oldest."""
    if value:
        try:
            parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()[:40]).replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return datetime.min.replace(tzinfo=timezone.utc)


def _explorer_rank(candidate: UserCandidate) -> int:
    if candidate.logon_type in CONSOLE_LOGON_TYPES:
        return 0
    if candidate.logon_type in REMOTE_LOGON_TYPES:
        return 1
    return 2


_EXPLORER_CHOICE: dict[int, ChosenBy] = {0: "console", 1: "remote_desktop", 2: "explorer"}


def _unique(accounts: Iterable[UserCandidate], skip: str | None) -> list[AccountRef]:
    seen: set[str] = set() if skip is None else {skip}
    out: list[AccountRef] = []
    for item in accounts:
        if item.sid and item.sid not in seen:
            seen.add(item.sid)
            out.append(AccountRef(sid=item.sid, account=item.account))
    return out


def choose_interactive_user(facts: UserContextFacts) -> UserContext:
    """The signed-in user, by the rule in the module docstring and CHOSEN_BY, and the others."""
    session = facts.session
    session_sid = session.sid if session is not None else None
    explorers = sorted(
        (c for c in facts.candidates if c.source == "explorer" and c.sid and c.sid not in SERVICE_SIDS),
        key=lambda c: (_explorer_rank(c), -_moment(c.started_utc).timestamp()),
    )
    chosen: AccountRef | None = None
    how: ChosenBy
    if explorers:
        best = explorers[0]
        chosen, how = AccountRef(sid=best.sid, account=best.account), _EXPLORER_CHOICE[_explorer_rank(best)]
    else:
        profiles = sorted(
            (
                c
                for c in facts.candidates
                if c.source == "profile" and c.sid and c.sid != session_sid and c.sid not in SERVICE_SIDS
            ),
            key=lambda c: -_moment(c.started_utc).timestamp(),
        )
        if profiles:
            chosen, how = AccountRef(sid=profiles[0].sid, account=profiles[0].account), "loaded_profile"
        elif session is not None and session_sid and session_sid not in SERVICE_SIDS:
            chosen, how = session, "session_account"
        else:
            how = "nobody"
    same = None if chosen is None or not session_sid else chosen.sid == session_sid
    return UserContext(
        interactive_user=chosen,
        chosen_by=how,
        other_users=_unique(explorers, chosen.sid if chosen else None)[:32],
        session_account=session,
        session_is_interactive_user=same,
    )


def context_of_documents(documents: Sequence[tuple[str, dict[str, Any]]]) -> tuple[UserContext | None, list[str]]:
    """The capture's user context from its check documents, and warnings where a check disagrees.

    ``documents`` are (check name, document) of the checks that reported. Their ``user_context``
    facts are removed from each document that agrees with the first: the capture records it once.
    """
    reported = [(name, doc) for name, doc in documents if isinstance(doc.get("user_context"), dict)]
    if not reported:
        return None, []
    first = UserContextFacts.model_validate(reported[0][1]["user_context"])
    context = choose_interactive_user(first)
    chosen_sid = context.interactive_user.sid if context.interactive_user else None
    warnings: list[str] = []
    for name, doc in reported:
        facts = UserContextFacts.model_validate(doc["user_context"])
        if facts.hive_sid != chosen_sid and (facts.hive_sid or facts.candidates):
            warnings.append(
                f"the {name} check read the per-user settings of {facts.hive_sid or 'nobody'}, "
                f"not of the signed-in user {chosen_sid or '(nobody)'}"
            )
            continue
        doc.pop("user_context")
    return context, warnings
