"""Policy rules: Microsoft accounts blocked on this PC by Group Policy or MDM."""

from __future__ import annotations

from msdiag.capture.models import IdentityData
from msdiag.diagnosis.models import Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, passed, rule


@rule(
    id="policy.msa_blocked",
    severity=Severity.CRITICAL,
    problem=L(
        "A policy blocks Microsoft accounts on this PC",
        "ポリシーによってこの PC での Microsoft アカウントの使用がブロックされています",
    ),
    subject=L(
        "Microsoft account policy (NoConnectedUser)", "Microsoft アカウントのポリシー (NoConnectedUser)"
    ),
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
def msa_blocked(identity: IdentityData) -> Outcome:
    """The policy "Accounts: Block Microsoft accounts" (NoConnectedUser) is set.

    Reads ``identity.no_connected_user``, the registry value behind the policy. Fails at
    critical severity for 3 (users can neither add nor sign in with Microsoft accounts) and at
    high severity for 1 (users cannot add them); 0 or not set passes.

    Why it matters: while the policy is set, Windows refuses Microsoft accounts whatever the
    user does on this PC (a "blocked by policy" page, reported with 0x800704EC); on a company
    PC it is the organisation's decision, and the security info can still be changed from
    another device.
    """
    value = identity.no_connected_user
    evidence = [ev("identity.no_connected_user", value)]
    if value == 3:
        return fail(
            L(
                "NoConnectedUser=3: users can neither add nor sign in with Microsoft accounts.",
                "NoConnectedUser=3: Microsoft アカウントの追加もサインインもできません。",
            ),
            evidence,
        )
    if value == 1:
        return fail(
            L(
                "NoConnectedUser=1: users cannot add Microsoft accounts.",
                "NoConnectedUser=1: Microsoft アカウントを追加できません。",
            ),
            evidence,
            severity=Severity.HIGH,
        )
    return passed(
        L(
            f"NoConnectedUser={value if value is not None else 'not set'}: allowed.",
            f"NoConnectedUser={value if value is not None else '未設定'}: 許可されています。",
        ),
        evidence,
    )
