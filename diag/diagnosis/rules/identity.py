"""Identity rules: Microsoft accounts blocked by policy, organisation-managed devices, stale PRT."""

from __future__ import annotations

from diag.capture.parse import Facts
from diag.diagnosis.clock import parse_iso_utc
from diag.diagnosis.models import Finding, Severity
from diag.diagnosis.rules.base import L, RuleContext, RuleSpec, ev, rule

POLICY = RuleSpec(
    id="policy.msa_blocked",
    checks=("identity",),
    problem=L(
        "A policy blocks Microsoft accounts on this PC",
        "ポリシーによってこの PC での Microsoft アカウントの使用がブロックされています",
    ),
    subject=L(
        "Microsoft account policy (NoConnectedUser)", "Microsoft アカウントのポリシー (NoConnectedUser)"
    ),
    severity=Severity.CRITICAL,
    related_codes=("0x800704EC",),
    remediation=(
        L(
            "Group Policy 'Accounts: Block Microsoft accounts' is set. On a company PC this is the "
            "organisation's decision: ask IT, or change the security info from another device at "
            "https://account.microsoft.com.",
            "グループ ポリシー「アカウント: Microsoft アカウント"
            "をブロックする」が設定されています。会社の PC では組織の方針"
            "なので IT 部門に相談するか、別の端末から https:"
            "//account.microsoft.com でセキュリティ情報を変更してください。",
        ),
    ),
)


@rule(POLICY)
def msa_blocked(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := POLICY.missing(facts):
        return missing
    ident = facts.identity
    assert ident is not None
    value = ident.no_connected_user
    evidence = [ev("identity.no_connected_user", value)]
    if value == 3:
        return POLICY.fail(
            L(
                "NoConnectedUser=3: users can neither add nor sign in with Microsoft accounts.",
                "NoConnectedUser=3: Microsoft アカウントの追加もサインインもできません。",
            ),
            evidence,
        )
    if value == 1:
        return POLICY.fail(
            L(
                "NoConnectedUser=1: users cannot add Microsoft accounts.",
                "NoConnectedUser=1: Microsoft アカウントを追加できません。",
            ),
            evidence,
            severity=Severity.HIGH,
        )
    return POLICY.passed(
        L(
            f"NoConnectedUser={value if value is not None else 'not set'}: allowed.",
            f"NoConnectedUser={value if value is not None else '未設定'}: 許可されています。",
        ),
        evidence,
    )


ORG = RuleSpec(
    id="identity.org_managed",
    checks=("identity",),
    problem=L(
        "This PC is managed by an organisation: security info may be controlled by its admin",
        "この PC は組織の管理下にあり、セキュリティ情報は管理者が制御している可能性があります",
    ),
    subject=L("Organisation join state", "組織への参加状態"),
    severity=Severity.MEDIUM,
    related_codes=("0xCAA20004", "AADSTS50079", "AADSTS53003"),
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


@rule(ORG)
def org_managed(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := ORG.missing(facts):
        return missing
    ident = facts.identity
    assert ident is not None
    ds = ident.dsregcmd
    if ds is None or not ds.available:
        return ORG.not_collected("dsregcmd /status was not available")
    joins = {
        "azure_ad_joined": ds.azure_ad_joined,
        "domain_joined": ds.domain_joined,
        "workplace_joined": ds.workplace_joined,
        "enterprise_joined": ds.enterprise_joined,
    }
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
        return ORG.warn(L(f"Joined to {org} ({kinds}).", f"{org_ja} に参加しています ({kinds})。"), evidence)
    if all(v is None for v in joins.values()):
        return ORG.not_collected("dsregcmd did not report the join state")
    return ORG.passed(
        L("Not joined to any organisation (personal PC).", "どの組織にも参加していません(個人の PC)。"),
        evidence,
    )


PRT = RuleSpec(
    id="identity.prt_stale",
    checks=("identity",),
    problem=L(
        "The work account's sign-in token (PRT) is missing or stale",
        "職場アカウントのサインイン トークン (PRT) がないか、古くなっています",
    ),
    subject=L("Primary Refresh Token (PRT)", "プライマリ更新トークン (PRT)"),
    severity=Severity.MEDIUM,
    related_codes=("0xC000006D", "0xCAA20003", "0x80072EE2"),
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


@rule(PRT)
def prt_stale(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := PRT.missing(facts):
        return missing
    ident = facts.identity
    assert ident is not None
    ds = ident.dsregcmd
    if ds is None or not ds.available:
        return PRT.not_collected("dsregcmd /status was not available")
    if ds.azure_ad_joined is None:
        return PRT.not_collected("dsregcmd did not report AzureAdJoined")
    if not ds.azure_ad_joined:
        return PRT.not_applicable(
            L("The PC is not Entra (Azure AD) joined.", "この PC は Entra (Azure AD) に参加していません。"),
            [ev("identity.dsregcmd.azure_ad_joined", False)],
        )
    evidence = [
        ev("identity.dsregcmd.azure_ad_prt", ds.azure_ad_prt),
        ev("identity.dsregcmd.azure_ad_prt_update_time", ds.azure_ad_prt_update_time),
    ]
    if ds.azure_ad_prt is False:
        return PRT.fail(
            L(
                "AzureAdPrt is NO: no work-account token.",
                "AzureAdPrt が NO です(職場アカウントのトークンがありません)。",
            ),
            evidence,
        )
    updated = parse_iso_utc(ds.azure_ad_prt_update_time)
    collected = parse_iso_utc(facts.collected_utc("identity"))
    if updated is None or collected is None:
        return PRT.not_collected(f"the PRT update time could not be read ({ds.azure_ad_prt_update_time!r})")
    age_h = (collected - updated).total_seconds() / 3600
    evidence.append(ev("identity.prt_age_hours", round(age_h, 1)))
    if age_h > ctx.prt_max_age_hours:
        return PRT.fail(
            L(
                f"The PRT was last refreshed {age_h:.1f} h before the scan (expected within 4 h).",
                f"PRT の最終更新はスキャンの {age_h:.1f} 時間前です(通常は 4 時間以内)。",
            ),
            evidence,
        )
    return PRT.passed(
        L(
            f"The PRT was refreshed {age_h:.1f} h before the scan.",
            f"PRT はスキャンの {age_h:.1f} 時間前に更新されています。",
        ),
        evidence,
    )
