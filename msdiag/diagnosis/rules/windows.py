"""Windows version rules: a Windows out of servicing, judged from the dated lifecycle table."""

from __future__ import annotations

from datetime import date

from msdiag.capture.models import OsData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.clock import parse_iso_utc
from msdiag.diagnosis.lifecycle import GROUP_NAMES, LifecycleTable, Release, edition_group, lifecycle_table
from msdiag.diagnosis.models import Evidence, Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, not_collected, passed, rule, warn
from msdiag.diagnosis.steps import change, record

#: Windows 10 1809 (build 17763): every older build has been out of servicing for years and lacks
#: the TLS and Web Account Manager updates current Microsoft account sign-in relies on
MIN_WIN10_BUILD = 17763
LIFECYCLE_URL = "https://learn.microsoft.com/lifecycle/products/windows-11-home-and-pro"
#: a pass says how many days are left when the end is this close
SOON_DAYS = 90


def _scan_date(os: OsData, facts: Facts) -> date | None:
    """The day the capture was taken (the os check's stamp, else the capture's): what "now" means."""
    stamp = parse_iso_utc(facts.collected_utc("os")) or parse_iso_utc(facts.capture.collected_utc)
    return stamp.date() if stamp is not None else None


def _release_text(row: Release, build: int) -> tuple[str, str]:
    group = GROUP_NAMES.get(row.group)
    edition = f", {group[0]}" if group else ""
    return f"{row.name} (build {build}{edition})", f"{row.name}(ビルド {build}{edition})"


def _ended(row: Release, build: int, table: LifecycleTable, evidence: list[Evidence]) -> Outcome:
    en, ja = _release_text(row, build)
    esu = (
        (
            " unless the PC is enrolled in Extended Security Updates (ESU)",
            "(拡張セキュリティ更新 (ESU) に登録している場合を除く)",
        )
        if row.esu
        else ("", "")
    )
    detail = L(
        f"{en} reached the end of servicing on {row.end}: no security updates{esu[0]} "
        f"(lifecycle table checked {table.checked}).",
        f"{ja} のサービス提供は {row.end} に終了しました。セキュリティ更新プログラムは提供されません{esu[1]}"
        f"(ライフサイクル表の確認日 {table.checked})。",
    )
    if build < MIN_WIN10_BUILD:
        return fail(detail, evidence)
    return warn(detail, evidence, severity=Severity.MEDIUM)


def _either_group(table: LifecycleTable, build: int, on: date) -> Release | None:
    """Without the edition: a row only when Home/Pro and Enterprise/Education agree on the status
    (both ended: the later end; both in servicing: the earlier), None when the edition decides."""
    rows = [r for g in ("home_pro", "ent_edu") if (r := table.find(build, g)) is not None]  # type: ignore[arg-type]
    if len(rows) != 2 or (on > rows[0].end) != (on > rows[1].end):
        return None
    return max(rows, key=lambda r: r.end) if on > rows[0].end else min(rows, key=lambda r: r.end)


def _unlisted(os: OsData, build: int, table: LifecycleTable) -> tuple[str, str]:
    """Why the table gives no date (English, Japanese): the build is not listed, or the edition
    cannot be told."""
    rows = [
        (GROUP_NAMES[g], row.end)
        for g in ("home_pro", "ent_edu")
        if (row := table.find(build, g)) is not None  # type: ignore[arg-type]
    ]
    if not rows:
        return (
            f"build {build} is not in msdiag's lifecycle table (checked {table.checked})",
            f"ビルド {build} は msdiag のライフサイクル表にありません (表の確認日 {table.checked})",
        )
    edition = os.edition or os.caption
    return (
        f"the edition ({edition or 'not collected'}) decides the date: "
        f"{'; '.join(f'{names[0]} until {end}' for names, end in rows)} (lifecycle table checked {table.checked})",
        f"日付はエディション ({edition or '未収集'}) で決まります: "
        f"{'、'.join(f'{names[1]} は {end} まで' for names, end in rows)} (表の確認日 {table.checked})",
    )


@rule(
    id="windows.too_old",
    severity=Severity.HIGH,
    problem=L(
        "This Windows version is out of servicing (no more security updates)",
        "この Windows のバージョンはサービス提供が終了しています(セキュリティ更新なし)",
    ),
    subject=L("Windows version support", "Windows のバージョンのサポート状況"),
    remediation=(
        record("Back up the user's files first.", "まずユーザーのファイルをバックアップしてください。"),
        change(
            f"Then update Windows to a supported version (Settings > Windows Update; support dates: {LIFECYCLE_URL}).",
            f"その後、Windows をサポート対象のバージョンに更新してください(設定 > Windows Update、サポート期限: {LIFECYCLE_URL})。",
        ),
        L(
            "Meanwhile, change the phone number from another, up-to-date device at https://account.microsoft.com.",
            "それまでの間は、最新の別の端末から https://account.microsoft.com で電話番号を変更してください。",
        ),
    ),
)
def too_old(os: OsData, facts: Facts) -> Outcome:
    """The Windows release is out of servicing on the day of the scan.

    Reads ``os.caption``, ``os.version``, ``os.build``, ``os.display_version`` and
    ``os.edition`` (EditionID: Home/Pro, Enterprise/Education, LTSC) and looks the build and
    edition up in msdiag's lifecycle table (msdiag/diagnosis/data/lifecycle.toml: the end of
    servicing per release and edition group, each row with its Microsoft lifecycle page, and the
    day the table was checked). The day of the scan is the capture's, so a saved capture is
    judged the same whenever it is diagnosed. Fails for Windows before 10 and for builds older
    than Windows 10 1809 (17763); warns at medium severity for a release past its end of
    servicing (Windows 10 22H2: unless enrolled in Extended Security Updates). Passes a release
    still in servicing, saying until when; warns at low severity instead when the table was
    checked more than a year before the scan (a date may have changed). Not collected when the
    build, its edition group or the scan date cannot be told from the capture or the table.

    Why it matters: a release out of servicing gets no security fixes and, for old builds, lacks
    the TLS and Web Account Manager updates sign-in relies on; secure connections may fail
    (0x80072F8F) and the usual fix is updating, or changing the security info from an
    up-to-date device meanwhile.
    """
    table = lifecycle_table()
    evidence = [
        ev("os.caption", os.caption),
        ev("os.version", os.version),
        ev("os.build", os.build),
        ev("os.display_version", os.display_version),
        ev("os.edition", os.edition),
        ev(
            "lifecycle.checked",
            str(table.checked),
            "the day msdiag's lifecycle table was checked",
            "ライフサイクル表の確認日",
        ),
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
        return not_collected("the Windows build number was not collected", "Windows のビルド番号が収集されていません")
    on = _scan_date(os, facts)
    if on is None:
        return not_collected("the capture has no date to judge the support status on", "サポート状況を判断する日付がキャプチャにありません")
    group = edition_group(os.edition, os.caption)
    row = table.find(build, group) if group is not None else _either_group(table, build, on)
    if row is None:
        if build < MIN_WIN10_BUILD:
            return fail(
                L(
                    f"Build {build} is older than Windows 10 1809 (build {MIN_WIN10_BUILD}), out of support.",
                    f"ビルド {build} は Windows 10 1809(ビルド {MIN_WIN10_BUILD})より古く、サポートが終了しています。",
                ),
                evidence,
            )
        return not_collected(*_unlisted(os, build, table))
    evidence += [ev("lifecycle.end", str(row.end)), ev("lifecycle.source", row.url)]
    if on > row.end:
        return _ended(row, build, table, evidence)
    en, ja = _release_text(row, build)
    if table.is_stale(on):
        return warn(
            L(
                f"{en} is in servicing until {row.end} by msdiag's lifecycle table, but the table was checked "
                f"on {table.checked}, more than a year before this scan ({on}): check the lifecycle page.",
                f"msdiag のライフサイクル表では {ja} のサービス提供は {row.end} までですが、表の確認日 "
                f"({table.checked}) がこのスキャン ({on}) より 1 年以上前です。ライフサイクルのページで確認してください。",
            ),
            evidence,
            severity=Severity.LOW,
        )
    left = (row.end - on).days
    soon = (f" ({left} days left)", f"(残り {left} 日)") if left <= SOON_DAYS else ("", "")
    return passed(
        L(
            f"{en} is in servicing until {row.end}{soon[0]} (lifecycle table checked {table.checked}).",
            f"{ja} のサービス提供は {row.end} までです{soon[1]}(ライフサイクル表の確認日 {table.checked})。",
        ),
        evidence,
    )
