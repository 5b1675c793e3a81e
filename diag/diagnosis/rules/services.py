"""Service rules: Microsoft Account Sign-in Assistant, Web Account Manager, DNS client / NLA."""

from __future__ import annotations

from diag.capture.models import ServiceData
from diag.capture.parse import Facts
from diag.diagnosis.models import Evidence, Finding, Severity
from diag.diagnosis.rules.base import L, RuleContext, RuleSpec, ev, rule


def _service(facts: Facts, name: str) -> ServiceData | None:
    services = facts.services
    assert services is not None
    return next((s for s in services.services if s.name.lower() == name.lower()), None)


def _evidence(s: ServiceData) -> list[Evidence]:
    base = f"services[{s.name}]"
    return [
        ev(f"{base}.present", s.present),
        ev(f"{base}.status", s.status),
        ev(f"{base}.start_type", s.start_type),
    ]


def _judge(spec: RuleSpec, facts: Facts, name: str, display: str) -> Finding:
    if missing := spec.missing(facts):
        return missing
    s = _service(facts, name)
    if s is None:
        return spec.not_collected(f"the services check did not report {name}")
    evidence = _evidence(s)
    if not s.present:
        return spec.warn(
            L(
                f"The {display} service ({name}) is not installed.",
                f"{display} サービス ({name}) がインストールされていません。",
            ),
            evidence,
        )
    if (s.start_type or "").lower() == "disabled":
        return spec.fail(
            L(f"{display} ({name}) is Disabled.", f"{display} ({name}) が無効になっています。"), evidence
        )
    # Manual + Stopped is the default: the service is trigger-started when sign-in needs it.
    return spec.passed(
        L(
            f"{name}: {s.status or '?'}, start type {s.start_type or '?'}.",
            f"{name}: {s.status or '?'}、スタートアップの種類 {s.start_type or '?'}",
        ),
        evidence,
    )


WLID = RuleSpec(
    id="services.wlidsvc_disabled",
    checks=("services",),
    problem=L(
        "The Microsoft Account Sign-in Assistant (wlidsvc) is disabled",
        "Microsoft アカウント サインイン アシスタント (wlidsvc) が無効になっています",
    ),
    subject=L(
        "Microsoft Account Sign-in Assistant (wlidsvc)",
        "Microsoft アカウント サインイン アシスタント (wlidsvc)",
    ),
    severity=Severity.CRITICAL,
    related_codes=("0x80070426", "0x800704EC"),
    remediation=(
        L(
            "As administrator: `sc config wlidsvc start= demand` (Manual, the default), then sign in again.",
            "管理者として `sc config wlidsvc start= "
            "demand`(既定の「手動」)を実行し、もう一度サインインしてください。",
        ),
        L(
            "If a tuning or privacy tool disabled it, undo that setting in the tool.",
            "最適化ツールやプライバシー対策ツールが無効にした場合は、そのツールの設定も元に戻してください。",
        ),
    ),
)


@rule(WLID)
def wlidsvc_disabled(facts: Facts, ctx: RuleContext) -> Finding:
    return _judge(WLID, facts, "wlidsvc", "Microsoft Account Sign-in Assistant")


TOKEN = RuleSpec(
    id="services.tokenbroker_disabled",
    checks=("services",),
    problem=L(
        "The Web Account Manager (TokenBroker) service is disabled",
        "Web アカウント マネージャー (TokenBroker) サービスが無効になっています",
    ),
    subject=L("Web Account Manager (TokenBroker)", "Web アカウント マネージャー (TokenBroker)"),
    severity=Severity.HIGH,
    related_codes=("0xCAA5001C", "0x80080005"),
    remediation=(
        L(
            "As administrator: `sc config TokenBroker start= demand` (Manual, the default), then restart.",
            "管理者として `sc config TokenBroker start= "
            "demand`(既定の「手動」)を実行し、再起動してください。",
        ),
    ),
)


@rule(TOKEN)
def tokenbroker_disabled(facts: Facts, ctx: RuleContext) -> Finding:
    return _judge(TOKEN, facts, "TokenBroker", "Web Account Manager")


CORE = RuleSpec(
    id="services.core_network_disabled",
    checks=("services",),
    problem=L(
        "A core network service (DNS Client / Network Location Awareness) is disabled or stopped",
        "基本的なネットワーク サービス (DNS Client / Network Location Awareness) が無効または停止しています",
    ),
    subject=L(
        "DNS Client and Network Location Awareness services",
        "DNS Client と Network Location Awareness サービス",
    ),
    severity=Severity.HIGH,
    related_codes=("0x800704CF", "0x80072EE7"),
    remediation=(
        L(
            "Reset both to Automatic and restart the PC (they are protected services: a tool or policy "
            "changed them).",
            "両方のスタートアップの種類を「自動」に戻して PC を再起動してください(保護されたサービスのため、"
            "ツールやポリシーによって変更されています)。",
        ),
    ),
)


@rule(CORE)
def core_network_disabled(facts: Facts, ctx: RuleContext) -> Finding:
    if missing := CORE.missing(facts):
        return missing
    found = [s for s in (_service(facts, "Dnscache"), _service(facts, "NlaSvc")) if s is not None]
    if not found:
        return CORE.not_collected("the services check reported neither Dnscache nor NlaSvc")
    evidence = [e for s in found for e in _evidence(s)]
    disabled = [s.name for s in found if (s.start_type or "").lower() == "disabled" or not s.present]
    if disabled:
        return CORE.fail(
            L(
                f"Disabled or missing: {', '.join(disabled)}.",
                f"無効または存在しません: {', '.join(disabled)}",
            ),
            evidence,
        )
    stopped = [s.name for s in found if (s.status or "").lower() == "stopped"]
    if stopped:
        return CORE.warn(
            L(f"Stopped: {', '.join(stopped)}.", f"停止しています: {', '.join(stopped)}"),
            evidence,
            severity=Severity.MEDIUM,
        )
    return CORE.passed(
        L(f"Running: {', '.join(s.name for s in found)}.", f"実行中: {', '.join(s.name for s in found)}"),
        evidence,
    )
