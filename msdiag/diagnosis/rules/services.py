"""Service rules: Microsoft Account Sign-in Assistant, Web Account Manager, DNS client / NLA."""

from __future__ import annotations

from msdiag.capture.models import ServiceData, ServicesData
from msdiag.diagnosis.models import Evidence, Severity, Step
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, not_collected, passed, rule, warn
from msdiag.diagnosis.steps import change, record_services


def _manual_start(name: str, then_en: str, then_ja: str) -> tuple[Step, Step]:
    """Record the service's configuration, then set it back to Manual, Windows' default."""
    return (
        record_services(name),
        change(
            f"As administrator: `sc config {name} start= demand` (Manual, the default), then {then_en}.",
            f"管理者として `sc config {name} start= demand`(既定の「手動」)を実行し、{then_ja}。",
        ),
    )


def _service(services: ServicesData, name: str) -> ServiceData | None:
    return next((s for s in services.services if s.name.lower() == name.lower()), None)


def _evidence(s: ServiceData) -> list[Evidence]:
    base = f"services[{s.name}]"
    return [
        ev(f"{base}.present", s.present),
        ev(f"{base}.status", s.status),
        ev(f"{base}.start_type", s.start_type),
    ]


def _judge(services: ServicesData, name: str, display: str) -> Outcome:
    """Disabled fails, not installed warns; Manual + Stopped is the default and passes."""
    s = _service(services, name)
    if s is None:
        return not_collected(f"the services check did not report {name}", f"services チェックが {name} を報告しませんでした")
    evidence = _evidence(s)
    if not s.present:
        return warn(
            L(
                f"The {display} service ({name}) is not installed.",
                f"{display} サービス ({name}) がインストールされていません。",
            ),
            evidence,
        )
    if (s.start_type or "").lower() == "disabled":
        return fail(
            L(f"{display} ({name}) is Disabled.", f"{display} ({name}) が無効になっています。"), evidence
        )
    # Manual + Stopped is the default: the service is trigger-started when sign-in needs it.
    return passed(
        L(
            f"{name}: {s.status or '?'}, start type {s.start_type or '?'}.",
            f"{name}: {s.status or '?'}、スタートアップの種類 {s.start_type or '?'}",
        ),
        evidence,
    )


@rule(
    id="services.wlidsvc_disabled",
    severity=Severity.CRITICAL,
    problem=L(
        "The Microsoft Account Sign-in Assistant (wlidsvc) is disabled",
        "Microsoft アカウント サインイン アシスタント (wlidsvc) が無効になっています",
    ),
    subject=L(
        "Microsoft Account Sign-in Assistant (wlidsvc)",
        "Microsoft アカウント サインイン アシスタント (wlidsvc)",
    ),
    remediation=(
        *_manual_start("wlidsvc", "sign in again", "もう一度サインインしてください"),
        change(
            "If a tuning or privacy tool disabled it, undo that setting in the tool.",
            "最適化ツールやプライバシー対策ツールが無効にした場合は、そのツールの設定も元に戻してください。",
        ),
    ),
)
def wlidsvc_disabled(services: ServicesData) -> Outcome:
    """The Microsoft Account Sign-in Assistant service (wlidsvc) is disabled or missing.

    Reads the wlidsvc entry of the services check (``services[wlidsvc].present``, ``.status``,
    ``.start_type``). Fails when its start type is Disabled, warns when it is not installed.
    Stopped with start type Manual passes: that is the default, Windows starts it when needed.

    Why it matters: users cannot sign in with a Microsoft account while wlidsvc cannot start
    (Microsoft's service guidance); tuning and privacy tools disable it. Windows reports
    "the service has not been started" (0x80070426), or a "blocked by policy" page has been
    reported with 0x800704EC (unconfirmed by Microsoft).
    """
    return _judge(services, "wlidsvc", "Microsoft Account Sign-in Assistant")


@rule(
    id="services.tokenbroker_disabled",
    severity=Severity.HIGH,
    problem=L(
        "The Web Account Manager (TokenBroker) service is disabled",
        "Web アカウント マネージャー (TokenBroker) サービスが無効になっています",
    ),
    subject=L("Web Account Manager (TokenBroker)", "Web アカウント マネージャー (TokenBroker)"),
    remediation=_manual_start("TokenBroker", "restart the PC", "PC を再起動してください"),
)
def tokenbroker_disabled(services: ServicesData) -> Outcome:
    """The Web Account Manager service (TokenBroker) is disabled or missing.

    Reads the TokenBroker entry of the services check (``services[TokenBroker].present``,
    ``.status``, ``.start_type``) and judges it like wlidsvc: Disabled fails, not installed
    warns, Manual (stopped or running) passes as the default.

    Why it matters: Web Account Manager hands account tokens to Settings, Office, Teams and
    the Store; disabled, those apps cannot sign in and show service errors such as
    0x80070426 or 0x800706BE, or "Something went wrong [1001]" in Office.
    """
    return _judge(services, "TokenBroker", "Web Account Manager")


@rule(
    id="services.core_network_disabled",
    severity=Severity.HIGH,
    problem=L(
        "A core network service (DNS Client / Network Location Awareness) is disabled or stopped",
        "基本的なネットワーク サービス (DNS Client / Network Location Awareness) が無効または停止しています",
    ),
    subject=L(
        "DNS Client and Network Location Awareness services",
        "DNS Client と Network Location Awareness サービス",
    ),
    remediation=(
        record_services("Dnscache", "NlaSvc"),
        change(
            "Reset both to Automatic and restart the PC (they are protected services: a tool or policy "
            "changed them).",
            "両方のスタートアップの種類を「自動」に戻して PC を再起動してください(保護されたサービスのため、"
            "ツールやポリシーによって変更されています)。",
        ),
    ),
    explains=("dns.account_hosts", "endpoints.ncsi_blocked"),
)
def core_network_disabled(services: ServicesData) -> Outcome:
    """The DNS Client (Dnscache) or Network Location Awareness (NlaSvc) service is off.

    Reads both services from the services check (``services[Dnscache]``, ``services[NlaSvc]``:
    present, status, start type). Fails when either is Disabled or missing, warns at medium
    severity when either is stopped. Not collected when the check reported neither.

    Why it matters: without the DNS Client names do not resolve (0x80072EE7) and without
    Network Location Awareness Windows cannot tell it is online (0x800704CF). Both run by
    default, so a tool or a policy changed them.
    """
    found = [s for s in (_service(services, "Dnscache"), _service(services, "NlaSvc")) if s is not None]
    if not found:
        return not_collected("the services check reported neither Dnscache nor NlaSvc", "services チェックが Dnscache も NlaSvc も報告しませんでした")
    evidence = [e for s in found for e in _evidence(s)]
    disabled = [s.name for s in found if (s.start_type or "").lower() == "disabled" or not s.present]
    if disabled:
        return fail(
            L(
                f"Disabled or missing: {', '.join(disabled)}.",
                f"無効または存在しません: {', '.join(disabled)}",
            ),
            evidence,
        )
    stopped = [s.name for s in found if (s.status or "").lower() == "stopped"]
    if stopped:
        return warn(
            L(f"Stopped: {', '.join(stopped)}.", f"停止しています: {', '.join(stopped)}"),
            evidence,
            severity=Severity.MEDIUM,
        )
    return passed(
        L(f"Running: {', '.join(s.name for s in found)}.", f"実行中: {', '.join(s.name for s in found)}"),
        evidence,
    )
