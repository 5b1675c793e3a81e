"""Time rules: clock skew against the servers' Date header, W32Time not syncing."""

from __future__ import annotations

from diag.capture.parse import Facts
from diag.diagnosis.clock import clock_skew_seconds, describe_skew, machine_clock_at_probes, skew_samples
from diag.diagnosis.models import Finding, Severity
from diag.diagnosis.rules.base import L, RuleContext, RuleSpec, ev, rule
from diag.diagnosis.rules.probes import fact

TIME_CODES = ("0x80072F8F", "0xCAA82F8F", "0xCAA20003")

SKEW = RuleSpec(
    id="time.clock_skew",
    checks=("time", "endpoints"),
    problem=L("This PC's clock is off by more than 5 minutes", "この PC の時計が 5 分以上ずれています"),
    subject=L("Clock compared with Microsoft's servers", "Microsoft のサーバーとの時刻のずれ"),
    severity=Severity.CRITICAL,
    related_codes=TIME_CODES,
    remediation=(
        L(
            "Settings > Time & language > Date & time: turn on 'Set time automatically' and 'Set time zone "
            "automatically', then press 'Sync now'.",
            "設定 > 時刻と言語 > 日付と時刻 で「時刻を自動"
            "的に設定する」と「タイム ゾーンを自動的に設定する」を"
            "オンにし、「今すぐ同期」を押してください。",
        ),
        L(
            "Check the time zone too: a clock set to local time in the wrong zone is hours off in UTC.",
            "タイム ゾーンも確認してください。誤ったタイム ゾー"
            "ンで現地時刻に合わせると、UTC では数時間ずれます。",
        ),
    ),
)


@rule(SKEW)
def clock_skew(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := SKEW.missing(facts):
        return missing
    time = facts.time
    assert time is not None
    if machine_clock_at_probes(facts) is None:
        return SKEW.not_collected(f"the machine's UTC time could not be read ({time.utc_time!r})")
    samples = skew_samples(facts)
    if not samples:
        return SKEW.not_collected("no server sent a usable Date header")
    skew = clock_skew_seconds(facts)
    assert skew is not None
    evidence = [ev("time.utc_time", time.utc_time)] + [
        ev(fact(s.host, "http.date"), s.server_date, f"skew {s.seconds:+.0f} s", f"ずれ {s.seconds:+.0f} 秒")
        for s in samples
    ]
    en, ja = describe_skew(skew)
    if abs(skew) > ctx.clock_skew_limit_seconds:
        return SKEW.fail(
            L(
                f"The clock is {en} (median of {len(samples)} server(s); limit 5 min).",
                f"時計が {ja}({len(samples)} 台のサーバーの中央値、許容範囲は 5 分)。",
            ),
            evidence,
        )
    return SKEW.passed(
        L(f"The clock is within 5 minutes ({en}).", f"時計のずれは 5 分以内です({ja})。"), evidence
    )


W32 = RuleSpec(
    id="time.w32time_not_syncing",
    checks=("time",),
    problem=L(
        "Windows Time (W32Time) is not keeping the clock in sync",
        "Windows Time (W32Time) が時刻を同期していません",
    ),
    subject=L("Windows Time synchronisation", "Windows の時刻同期"),
    severity=Severity.MEDIUM,
    related_codes=(*TIME_CODES, "0x80070426"),
    remediation=(
        L(
            "As administrator: `sc config w32time start= demand`, `net start w32time`, `w32tm /resync`.",
            "管理者として `sc config w32time start= demand`、"
            "`net start w32time`、`w32tm /resync` を実行してください。",
        ),
    ),
)


@rule(W32)
def w32time_not_syncing(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := W32.missing(facts):
        return missing
    time = facts.time
    assert time is not None
    w = time.w32time
    if w is None:
        return W32.not_collected("the W32Time state was not collected")
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
        return W32.fail(L("The W32Time service is missing.", "W32Time サービスが見つかりません。"), evidence)
    if start == "disabled":
        return W32.fail(L("W32Time is disabled.", "W32Time が無効になっています。"), evidence)
    if kind == "nosync":
        return W32.fail(
            L(
                "W32Time is set to Type=NoSync: the clock is never synchronised.",
                "W32Time が Type=NoSync に設定され、時刻が同期されません。",
            ),
            evidence,
        )
    if status == "stopped":
        # Manual (trigger start) W32Time is often stopped between syncs on home PCs: a warning only.
        return W32.warn(
            L(
                f"W32Time is stopped (start type {w.start_type}).",
                f"W32Time が停止しています(スタートアップの種類: {w.start_type})。",
            ),
            evidence,
            severity=Severity.LOW,
        )
    if not status and not kind:
        return W32.not_collected("the W32Time status and type are unknown")
    return W32.passed(
        L(
            f"W32Time {w.service_status or '?'}, Type={w.type or '?'}.",
            f"W32Time: {w.service_status or '?'}、Type={w.type or '?'}",
        ),
        evidence,
    )
