"""Session rules: msdiag's own run, such as probes denied because it was not elevated, and the
facts that belong to the scan's own account rather than to the signed-in user.

:func:`read_as_scan_account` is the one way a rule declines a per-user fact that only the scan's
session could read (dsregcmd's user and SSO state, the session proxy ...) when the scan did not
run as the signed-in user: the rule is not applicable, saying whose fact it was. Whose a fact is
comes from the capture (``user_context``) and the check spec (``per_user`` / ``session_only``);
captures made before msdiag recorded it are read as they always were.
"""

from __future__ import annotations

from msdiag.capture.models import OsData
from msdiag.capture.parse import Facts
from msdiag.checks import CHECK_DATA_MODELS
from msdiag.diagnosis.models import Localized, Severity
from msdiag.diagnosis.rules.base import (
    L,
    Outcome,
    clip,
    ev,
    not_applicable,
    not_collected,
    passed,
    rule,
    warn,
)


def read_as_scan_account(facts: Facts, check: str, path: str, what: Localized) -> Outcome | None:
    """not_applicable when ``path`` of ``check`` (``what``: "dsregcmd's user state") belongs to the
    account the scan ran as and not to the signed-in user; None when it is the user's (or unknown)."""
    account = facts.read_as_another_account(check, path)
    if account is None:
        return None
    scanner = clip(account.account or account.sid or "?", 80)
    context = facts.user_context
    user = context.interactive_user if context is not None else None
    evidence = [ev(f"{check}.{path}", "read as the scan's account"), ev("user_context.session_account", scanner)]
    if user is None:
        return not_applicable(
            L(
                f"{what.en} was read as the scanning account {scanner}, and nobody was signed in.",
                f"{what.ja}はスキャンを実行したアカウント {scanner} として読み取られ、サインインしているユーザーはいませんでした。",
            ),
            evidence,
        )
    who = clip(user.account or user.sid or "?", 80)
    evidence.append(ev("user_context.interactive_user", who))
    return not_applicable(
        L(
            f"{what.en} was read as the scanning account {scanner}, not the signed-in user {who}.",
            f"{what.ja}はスキャンを実行したアカウント {scanner} として読み取られたもので、"
            f"サインインしているユーザー {who} のものではありません。",
        ),
        evidence,
    )


@rule(
    id="session.not_elevated",
    severity=Severity.LOW,
    problem=L(
        "Some probes were denied access because msdiag was not run as administrator",
        "管理者として実行されていないため、一部の調査がアクセス拒否になりました",
    ),
    subject=L("Administrator rights for the probes", "調査に必要な管理者権限"),
    remediation=(
        L(
            "Run msdiag again from an elevated prompt (Run as administrator) for complete results.",
            "完全な結果を得るには、管理者として実行したプロンプトから msdiag を再実行してください。",
        ),
    ),
)
def not_elevated(os: OsData, facts: Facts) -> Outcome:
    """msdiag ran without administrator rights and some probes were denied access.

    Reads ``os.is_elevated`` and the probe errors every check recorded
    (``CHECK.errors[PROBE].category``). Warns at low severity, listing the probes, when the
    session was not elevated and at least one probe was denied; not applicable when nothing
    was denied. A problem of the scan, not of the PC.

    Why it matters: a denied probe leaves its facts out of the capture, so the rules that need
    them cannot judge; running again elevated fills the gap.
    """
    if os.is_elevated is None:
        return not_collected("whether the session was elevated is unknown", "セッションが管理者として実行されていたかどうか不明です")
    denied = [
        (check, e.probe)
        for check in CHECK_DATA_MODELS
        for e in facts.probe_errors(check)
        if e.category == "access_denied"
    ]
    evidence = [ev("os.is_elevated", os.is_elevated)] + [
        ev(f"{check}.errors[{probe}].category", "access_denied") for check, probe in denied
    ]
    if os.is_elevated:
        return passed(L("msdiag ran elevated.", "msdiag は管理者として実行されました。"), evidence)
    if not denied:
        return not_applicable(
            L(
                "Not elevated, but no probe needed it.",
                "管理者権限なしで実行されましたが、必要な調査はありませんでした。",
            ),
            evidence,
        )
    probes = ", ".join(f"{c}/{p}" for c, p in denied)
    return warn(L(f"Access denied for: {probes}.", f"アクセスが拒否された調査: {probes}"), evidence)
