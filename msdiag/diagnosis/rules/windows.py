"""Windows version rules: a Windows too old for current Microsoft account sign-in."""

from __future__ import annotations

from datetime import date

from msdiag.capture.models import OsData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.clock import parse_iso_utc
from msdiag.diagnosis.models import Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, not_collected, passed, rule, warn

#: Windows 10 1809 (build 17763): older builds are out of servicing and lack the TLS/WAM updates
#: current Microsoft account sign-in relies on.
#: https://learn.microsoft.com/lifecycle/products/windows-10-home-and-pro
MIN_WIN10_BUILD = 17763
WIN11_FIRST_BUILD = 22000
#: Windows 10 (Home, Pro, Enterprise 22H2) reached end of support on this date (same source).
WIN10_END_OF_SUPPORT = date(2025, 10, 14)
LIFECYCLE_URL = "https://learn.microsoft.com/lifecycle/products/windows-10-home-and-pro"


@rule(
    id="windows.too_old",
    severity=Severity.HIGH,
    problem=L(
        "This Windows version is too old for current Microsoft account sign-in",
        "この Windows のバージョンは現在の Microsoft アカウントのサインインには古すぎます",
    ),
    subject=L("Windows version support", "Windows のバージョンのサポート状況"),
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
def too_old(os: OsData, facts: Facts) -> Outcome:
    """The Windows version is out of support for current Microsoft account sign-in.

    Reads ``os.caption``, ``os.version``, ``os.build`` and ``os.display_version``. Fails for
    Windows before 10 and for Windows 10 builds older than 1809 (17763), which are out of
    servicing. Warns at medium severity for any Windows 10 build scanned on or after
    2025-10-14, the end of support of Windows 10 (sign-in still works, security fixes stop
    without Extended Security Updates). Windows 11 passes.

    Why it matters: out-of-support builds miss the TLS and Web Account Manager updates sign-in
    relies on; secure connections may fail (0x80072F8F) and the usual fix is updating, or
    changing the security info from an up-to-date device meanwhile.
    """
    evidence = [
        ev("os.caption", os.caption),
        ev("os.version", os.version),
        ev("os.build", os.build),
        ev("os.display_version", os.display_version),
    ]
    major = None
    if os.version:
        try:
            major = float(".".join(os.version.split(".")[:2]))
        except ValueError:
            major = None
    if major is not None and major < 10.0:
        return fail(
            L(
                f"Windows {os.version} ({os.caption}) is out of support.",
                f"Windows {os.version} ({os.caption}) はサポートが終了しています。",
            ),
            evidence,
        )
    build = os.build
    if build is None:
        return not_collected("the Windows build number was not collected")
    if build < MIN_WIN10_BUILD:
        return fail(
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
            return warn(
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
    return passed(
        L(
            f"{os.caption or 'Windows'} build {build} is supported.",
            f"{os.caption or 'Windows'} ビルド {build} はサポート対象です。",
        ),
        evidence,
    )
