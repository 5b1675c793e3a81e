"""OS and session rules: Windows too old for current sign-in, not elevated when a probe needed it."""

from __future__ import annotations

from datetime import date

from diag.capture.models import CHECK_DATA_MODELS
from diag.capture.parse import Facts
from diag.diagnosis.clock import parse_iso_utc
from diag.diagnosis.models import Finding, Severity
from diag.diagnosis.rules.base import L, RuleContext, RuleSpec, ev, rule

#: Windows 10 1809 (build 17763): older builds are out of servicing and lack the TLS/WAM updates
#: current Microsoft account sign-in relies on.
#: https://learn.microsoft.com/lifecycle/products/windows-10-home-and-pro
MIN_WIN10_BUILD = 17763
WIN11_FIRST_BUILD = 22000
#: Windows 10 (Home, Pro, Enterprise 22H2) reached end of support on this date (same source).
WIN10_END_OF_SUPPORT = date(2025, 10, 14)
LIFECYCLE_URL = "https://learn.microsoft.com/lifecycle/products/windows-10-home-and-pro"

OS_OLD = RuleSpec(
    id="os.too_old",
    checks=("os",),
    problem=L(
        "This Windows version is too old for current Microsoft account sign-in",
        "この Windows のバージョンは現在の Microsoft アカウントのサインインには古すぎます",
    ),
    subject=L("Windows version support", "Windows のバージョンのサポート状況"),
    severity=Severity.HIGH,
    related_codes=("0x80072F8F", "0x800704CF"),
    remediation=(
        L(
            f"Install the latest Windows updates or upgrade to Windows 11 (support dates: {LIFECYCLE_URL}).",
            "最新の Windows Update を適用するか、Windows 11 "
            f"にアップグレードしてください(サポート期限: {LIFECYCLE_URL})。",
        ),
        L(
            "Meanwhile, change the phone number from another, up-to-date device at https://account.microsoft.com.",
            "それまでの間は、最新の別の端末から https://account.microsoft.com で電話番号を変更してください。",
        ),
    ),
)


@rule(OS_OLD)
def too_old(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := OS_OLD.missing(facts):
        return missing
    os_data = facts.os
    assert os_data is not None
    evidence = [
        ev("os.caption", os_data.caption),
        ev("os.version", os_data.version),
        ev("os.build", os_data.build),
        ev("os.display_version", os_data.display_version),
    ]
    major = None
    if os_data.version:
        try:
            major = float(".".join(os_data.version.split(".")[:2]))
        except ValueError:
            major = None
    if major is not None and major < 10.0:
        return OS_OLD.fail(
            L(
                f"Windows {os_data.version} ({os_data.caption}) is out of support.",
                f"Windows {os_data.version} ({os_data.caption}) はサポートが終了しています。",
            ),
            evidence,
        )
    build = os_data.build
    if build is None:
        return OS_OLD.not_collected("the Windows build number was not collected")
    if build < MIN_WIN10_BUILD:
        return OS_OLD.fail(
            L(
                f"Build {build} is older than Windows 10 1809 (build {MIN_WIN10_BUILD}), out of support.",
                f"ビルド {build} は Windows 10 1809(ビルド "
                f"{MIN_WIN10_BUILD})より古く、サポートが終了しています。",
            ),
            evidence,
        )
    if build < WIN11_FIRST_BUILD:
        collected = parse_iso_utc(facts.collected_utc("os"))
        if collected is not None and collected.date() >= WIN10_END_OF_SUPPORT:
            return OS_OLD.warn(
                L(
                    f"Windows 10 (build {build}) reached end of support on 2025-10-14; sign-in still "
                    "works for now but security fixes stop without Extended Security Updates.",
                    f"Windows 10(ビルド {build})は 2025-10-14 "
                    "にサポートが終了しました。現時点ではサインインできますが、"
                    "拡張セキュリティ更新 (ESU) がない場合はセキュリティ修正が提供されません。",
                ),
                evidence,
                severity=Severity.MEDIUM,
            )
    return OS_OLD.passed(
        L(
            f"{os_data.caption or 'Windows'} build {build} is supported.",
            f"{os_data.caption or 'Windows'} ビルド {build} はサポート対象です。",
        ),
        evidence,
    )


ELEVATION = RuleSpec(
    id="session.not_elevated",
    checks=("os",),
    problem=L(
        "Some probes were denied access because msdiag was not run as administrator",
        "管理者として実行されていないため、一部の調査がアクセス拒否になりました",
    ),
    subject=L("Administrator rights for the probes", "調査に必要な管理者権限"),
    severity=Severity.LOW,
    remediation=(
        L(
            "Run msdiag again from an elevated prompt (Run as administrator) for complete results.",
            "完全な結果を得るには、管理者として実行したプロンプトから msdiag を再実行してください。",
        ),
    ),
)


@rule(ELEVATION)
def not_elevated(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := ELEVATION.missing(facts):
        return missing
    os_data = facts.os
    assert os_data is not None
    if os_data.is_elevated is None:
        return ELEVATION.not_collected("whether the session was elevated is unknown")
    denied = [
        (check, e.probe)
        for check in CHECK_DATA_MODELS
        for e in facts.probe_errors(check)
        if e.category == "access_denied"
    ]
    evidence = [ev("os.is_elevated", os_data.is_elevated)] + [
        ev(f"{check}.errors[{probe}].category", "access_denied") for check, probe in denied
    ]
    if os_data.is_elevated:
        return ELEVATION.passed(L("msdiag ran elevated.", "msdiag は管理者として実行されました。"), evidence)
    if not denied:
        return ELEVATION.not_applicable(
            L(
                "Not elevated, but no probe needed it.",
                "管理者権限なしで実行されましたが、必要な調査はありませんでした。",
            ),
            evidence,
        )
    probes = ", ".join(f"{c}/{p}" for c, p in denied)
    return ELEVATION.warn(L(f"Access denied for: {probes}.", f"アクセスが拒否された調査: {probes}"), evidence)
