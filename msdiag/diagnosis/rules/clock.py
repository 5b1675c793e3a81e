"""Clock rules: the PC's clock against Microsoft's servers, and Windows Time not syncing."""

from __future__ import annotations

from msdiag.capture.models import EndpointsData, TimeData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.clock import clock_skew_seconds, describe_skew, machine_clock_at_probes, skew_samples
from msdiag.diagnosis.models import Severity
from msdiag.diagnosis.rules.base import L, Outcome, RuleContext, ev, fail, not_collected, passed, rule, warn
from msdiag.diagnosis.rules.probes import fact
from msdiag.diagnosis.steps import advice, change, record, record_services

#: the time settings before anything is changed (w32tm still prints its error when W32Time is stopped)
_RECORD_TIME = record(
    "Record the time settings: run `w32tm /query /status` and `tzutil /g` and keep the output.",
    "時刻の設定を記録します: `w32tm /query /status` と `tzutil /g` を実行し、出力を残してください。",
)


@rule(
    id="clock.skew",
    severity=Severity.CRITICAL,
    problem=L("This PC's clock is off by more than 5 minutes", "この PC の時計が 5 分以上ずれています"),
    subject=L("Clock compared with Microsoft's servers", "Microsoft のサーバーとの時刻のずれ"),
    remediation=(
        _RECORD_TIME,
        change(
            "Settings > Time & language > Date & time: turn on 'Set time automatically' and 'Set time zone "
            "automatically', then press 'Sync now'.",
            "設定 > 時刻と言語 > 日付と時刻 で「時刻を自動"
            "的に設定する」と「タイム ゾーンを自動的に設定する」を"
            "オンにし、「今すぐ同期」を押してください。",
        ),
        advice(
            "Check the time zone too: a clock set to local time in the wrong zone is hours off in UTC.",
            "タイム ゾーンも確認してください。誤ったタイム ゾー"
            "ンで現地時刻に合わせると、UTC では数時間ずれます。",
        ),
    ),
    explains=("tls.handshake_failure",),
)
def skew(time: TimeData, endpoints: EndpointsData, facts: Facts, ctx: RuleContext) -> Outcome:
    """The PC's clock differs from Microsoft's servers by more than 5 minutes.

    Reads the machine's UTC clock (``time.utc_time``) and the HTTP Date header of every
    endpoint probe that sent one (``endpoints[HOST].http.date``); the endpoints are probed a
    little later than the clock is read, and the checks' own timestamps correct for that. The
    skew is the median over the servers; it fails beyond 5 minutes. Not collected when the
    clock cannot be read or no server sent a usable Date.

    Why it matters: tokens and certificates are only valid within minutes of the server's
    time. A wrong clock (or a wrong time zone with the local time set by hand) makes TLS fail
    (0x80072F8F, 0xCAA82F8F) and grants rejected (0xCAA20003).
    """
    # endpoints (the Date headers) is read through the clock helpers, which need the checks' timestamps
    if machine_clock_at_probes(facts) is None:
        return not_collected(f"the machine's UTC time could not be read ({time.utc_time!r})", f"PC の UTC 時刻を読み取れませんでした ({time.utc_time!r})")
    samples = skew_samples(facts)
    if not samples:
        return not_collected("no server sent a usable Date header", "使える Date ヘッダーを返したサーバーがありません")
    seconds = clock_skew_seconds(facts)
    assert seconds is not None
    evidence = [ev("time.utc_time", time.utc_time)] + [
        ev(fact(s.host, "http.date"), s.server_date, f"skew {s.seconds:+.0f} s", f"ずれ {s.seconds:+.0f} 秒")
        for s in samples
    ]
    en, ja = describe_skew(seconds)
    if abs(seconds) > ctx.clock_skew_limit_seconds:
        return fail(
            L(
                f"The clock is {en} (median of {len(samples)} server(s); limit 5 min).",
                f"時計が {ja}({len(samples)} 台のサーバーの中央値、許容範囲は 5 分)。",
            ),
            evidence,
        )
    return passed(L(f"The clock is within 5 minutes ({en}).", f"時計のずれは 5 分以内です({ja})。"), evidence)


@rule(
    id="clock.w32time_not_syncing",
    severity=Severity.MEDIUM,
    problem=L(
        "Windows Time (W32Time) is not keeping the clock in sync",
        "Windows Time (W32Time) が時刻を同期していません",
    ),
    subject=L("Windows Time synchronisation", "Windows の時刻同期"),
    remediation=(
        record_services("w32time"),
        _RECORD_TIME,
        change(
            "As administrator: `sc config w32time start= demand`, `net start w32time`; when the type is "
            "NoSync, `w32tm /config /syncfromflags:manual /manualpeerlist:time.windows.com /update`; then "
            "`w32tm /resync`.",
            "管理者として `sc config w32time start= demand`、`net start w32time` を実行し、種類が NoSync の"
            "場合は `w32tm /config /syncfromflags:manual /manualpeerlist:time.windows.com /update` を実行して"
            "から `w32tm /resync` を実行してください。",
        ),
    ),
    explains=("clock.skew",),
)
def w32time_not_syncing(time: TimeData) -> Outcome:
    """The Windows Time service (W32Time) is missing, disabled, set not to sync, or stopped.

    Reads the W32Time state (``time.w32time.service_status``, ``.start_type``, ``.type``,
    ``.ntp_server``). Fails when the service is missing, Disabled, or configured Type=NoSync;
    warns at low severity when it is merely stopped (a manual, trigger-started W32Time is
    often stopped between syncs on home PCs). Passes when it runs with a sync type.

    Why it matters: without W32Time the clock drifts until tokens and certificates are
    rejected (see clock.skew); w32tm itself reports the stopped service as 0x80070426. The fix's
    w32tm options are Microsoft's (Windows Time service tools and settings,
    https://learn.microsoft.com/windows-server/networking/windows-time-service/windows-time-service-tools-and-settings).
    """
    w = time.w32time
    if w is None:
        return not_collected("the W32Time state was not collected", "W32Time の状態が収集されていません")
    evidence = [
        ev("time.w32time.service_status", w.service_status),
        ev("time.w32time.start_type", w.start_type),
        ev("time.w32time.type", w.type),
        ev("time.w32time.ntp_server", w.ntp_server),
    ]
    start, status, kind = (
        (w.start_type or "").lower(),
        (w.service_status or "").lower(),
        (w.type or "").lower(),
    )
    if status == "notfound":
        return fail(L("The W32Time service is missing.", "W32Time サービスが見つかりません。"), evidence)
    if start == "disabled":
        return fail(L("W32Time is disabled.", "W32Time が無効になっています。"), evidence)
    if kind == "nosync":
        return fail(
            L(
                "W32Time is set to Type=NoSync: the clock is never synchronised.",
                "W32Time が Type=NoSync に設定され、時刻が同期されません。",
            ),
            evidence,
        )
    if status == "stopped":
        # Manual (trigger start) W32Time is often stopped between syncs on home PCs: a warning only.
        return warn(
            L(
                f"W32Time is stopped (start type {w.start_type}).",
                f"W32Time が停止しています(スタートアップの種類: {w.start_type})。",
            ),
            evidence,
            severity=Severity.LOW,
        )
    if not status and not kind:
        return not_collected("the W32Time status and type are unknown", "W32Time の状態と同期の種類が不明です")
    return passed(
        L(
            f"W32Time {w.service_status or '?'}, Type={w.type or '?'}.",
            f"W32Time: {w.service_status or '?'}、Type={w.type or '?'}",
        ),
        evidence,
    )
