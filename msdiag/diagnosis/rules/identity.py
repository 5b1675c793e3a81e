"""Identity rules: organisation-managed devices, and the work account's sign-in token (PRT)."""

from __future__ import annotations

from msdiag.capture.models import IdentityData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.clock import parse_iso_utc
from msdiag.diagnosis.models import Severity
from msdiag.diagnosis.rules.base import (
    L,
    Outcome,
    RuleContext,
    ev,
    fail,
    not_applicable,
    not_collected,
    passed,
    rule,
    warn,
)
from msdiag.diagnosis.rules.session import read_as_scan_account

#: dsregcmd's SSO state names the account that ran it
PRT_STATE = L("dsregcmd's sign-in token (SSO) state", "dsregcmd のサインイン トークン (SSO) の状態")


@rule(
    id="identity.org_managed",
    severity=Severity.MEDIUM,
    problem=L(
        "This PC is managed by an organisation: security info may be controlled by its admin",
        "この PC は組織の管理下にあり、セキュリティ情報は管理者が制御している可能性があります",
    ),
    subject=L("Organisation join state", "組織への参加状態"),
    remediation=(
        L(
            "For a work or school account, the phone number for sign-in codes is changed at "
            "https://mysignins.microsoft.com/security-info or "
            "by the IT department, not at account.microsoft.com.",
            "職場または学校のアカウントの場合、コードを受け取る電話番号は https:"
            "//mysignins.microsoft.com/security-info "
            "または IT 部門で変更します(account.microsoft.com ではありません)。",
        ),
        L(
            "If adding a number is blocked, contact the IT "
            "department: company policy may forbid it (組織アカウント).",
            "番号の追加がブロックされる場合は IT 部門に連絡してく"
            "ださい。組織のポリシーで禁止されている可能性があります。",
        ),
    ),
)
def org_managed(identity: IdentityData, facts: Facts) -> Outcome:
    """The PC is joined to an organisation (Entra ID, a domain, or a workplace registration).

    Reads the join state from ``dsregcmd /status`` (``identity.dsregcmd.azure_ad_joined``,
    ``.domain_joined``, ``.workplace_joined``, ``.enterprise_joined``) and the tenant or domain
    name. Warns when any is set, naming the organisation; passes on a personal PC. Not
    collected when dsregcmd was not available or reported no join state. WorkplaceJoined is a
    user's registration: it is left out when dsregcmd ran as another account than the signed-in
    user (a remote scan), since it then says nothing about that user.

    Why it matters: on a managed PC the work or school account's security info (the phone for
    codes) is changed at mysignins.microsoft.com or by IT, and tenant policies such as
    Conditional Access or required MFA registration decide what is allowed (0xCAA20004,
    AADSTS50079, AADSTS53003). It is context for those errors, not a fault of the PC.
    """
    ds = identity.dsregcmd
    if ds is None or not ds.available:
        return not_collected("dsregcmd /status was not available", "dsregcmd /status を実行できませんでした")
    joins = {
        "azure_ad_joined": ds.azure_ad_joined,
        "domain_joined": ds.domain_joined,
        "workplace_joined": ds.workplace_joined,
        "enterprise_joined": ds.enterprise_joined,
    }
    if facts.read_as_another_account("identity", "dsregcmd.workplace_joined") is not None:
        del joins["workplace_joined"]  # the scanning account's registration, not the user's
    evidence = [ev(f"identity.dsregcmd.{k}", v) for k, v in joins.items()]
    evidence += [
        ev("identity.dsregcmd.tenant_name", ds.tenant_name),
        ev("identity.dsregcmd.domain_name", ds.domain_name),
    ]
    joined = [k for k, v in joins.items() if v]
    if joined:
        org = ds.tenant_name or ds.domain_name or "an organisation"
        org_ja = ds.tenant_name or ds.domain_name or "組織"
        kinds = ", ".join(k.replace("_", " ") for k in joined)
        return warn(L(f"Joined to {org} ({kinds}).", f"{org_ja} に参加しています ({kinds})。"), evidence)
    if all(v is None for v in joins.values()):
        return not_collected("dsregcmd did not report the join state", "dsregcmd が参加状態を報告しませんでした")
    return passed(
        L("Not joined to any organisation (personal PC).", "どの組織にも参加していません(個人の PC)。"),
        evidence,
    )


@rule(
    id="identity.prt_stale",
    severity=Severity.MEDIUM,
    problem=L(
        "The work account's sign-in token (PRT) is missing or stale",
        "職場アカウントのサインイン トークン (PRT) がないか、古くなっています",
    ),
    subject=L("Primary Refresh Token (PRT)", "プライマリ更新トークン (PRT)"),
    remediation=(
        L(
            "Lock and unlock the PC while connected to the company network (or VPN), then run "
            "`dsregcmd /status` again: AzureAdPrt should be YES with a recent update time.",
            "社内ネットワーク(または VPN)に接続した状態で PC をロックし"
            "て解除し、`dsregcmd /status` を再実行してください。"
            "AzureAdPrt が YES で、更新時刻が新しくなっていれば正常です。",
        ),
    ),
)
def prt_stale(identity: IdentityData, facts: Facts, ctx: RuleContext) -> Outcome:
    """On an Entra-joined PC, the Primary Refresh Token (PRT) is missing or was not refreshed.

    Reads ``dsregcmd /status`` (``identity.dsregcmd.azure_ad_joined``, ``.azure_ad_prt``,
    ``.azure_ad_prt_update_time``) and the time the identity check ran. Fails when AzureAdPrt
    is NO, or when the last refresh is older than 4 hours before the scan (Windows renews the
    PRT every 4 hours while it can reach Entra ID). Not applicable on a PC that is not Entra
    joined, and when dsregcmd ran as another account than the signed-in user (the SSO state is
    then the scanning account's, not the user's); not collected when the join state or the update
    time cannot be read.

    Why it matters: without a fresh PRT, single sign-on to work apps fails and the user is
    asked to sign in again. A PRT that stopped refreshing points at a lost device key
    (0x80090016), a broken join (0xC00484B2) or a device deleted in Entra ID (AADSTS50155).
    """
    ds = identity.dsregcmd
    if ds is None or not ds.available:
        return not_collected("dsregcmd /status was not available", "dsregcmd /status を実行できませんでした")
    if ds.azure_ad_joined is None:
        return not_collected("dsregcmd did not report AzureAdJoined", "dsregcmd が AzureAdJoined を報告しませんでした")
    if not ds.azure_ad_joined:
        return not_applicable(
            L("The PC is not Entra (Azure AD) joined.", "この PC は Entra (Azure AD) に参加していません。"),
            [ev("identity.dsregcmd.azure_ad_joined", False)],
        )
    declined = read_as_scan_account(facts, "identity", "dsregcmd.azure_ad_prt", PRT_STATE)
    if declined is not None:
        return declined
    evidence = [
        ev("identity.dsregcmd.azure_ad_prt", ds.azure_ad_prt),
        ev("identity.dsregcmd.azure_ad_prt_update_time", ds.azure_ad_prt_update_time),
    ]
    if ds.azure_ad_prt is False:
        return fail(
            L(
                "AzureAdPrt is NO: no work-account token.",
                "AzureAdPrt が NO です(職場アカウントのトークンがありません)。",
            ),
            evidence,
        )
    updated = parse_iso_utc(ds.azure_ad_prt_update_time)
    collected = parse_iso_utc(facts.collected_utc("identity"))
    if updated is None or collected is None:
        return not_collected(f"the PRT update time could not be read ({ds.azure_ad_prt_update_time!r})", f"PRT の更新時刻を読み取れませんでした ({ds.azure_ad_prt_update_time!r})")
    age_h = (collected - updated).total_seconds() / 3600
    evidence.append(ev("identity.prt_age_hours", round(age_h, 1)))
    if age_h > ctx.prt_max_age_hours:
        return fail(
            L(
                f"The PRT was last refreshed {age_h:.1f} h before the scan (expected within 4 h).",
                f"PRT の最終更新はスキャンの {age_h:.1f} 時間前です(通常は 4 時間以内)。",
            ),
            evidence,
        )
    return passed(
        L(
            f"The PRT was refreshed {age_h:.1f} h before the scan.",
            f"PRT はスキャンの {age_h:.1f} 時間前に更新されています。",
        ),
        evidence,
    )
