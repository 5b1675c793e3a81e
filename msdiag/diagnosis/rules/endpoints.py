"""Endpoint answer rules: the Windows connectivity test, and answers from something other than Microsoft."""

from __future__ import annotations

from collections.abc import Callable

from msdiag.capture.models import EndpointProbe, EndpointsData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Evidence, Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, not_collected, passed, rule
from msdiag.diagnosis.rules.probes import NCSI_HOST, dns_failed, fact, probe_path, tcp_failed, tcp_ok
from msdiag.diagnosis.steps import BACKUP_HOSTS_FILE, EXPORT_FIREWALL, advice, change


def _no_http_answer(probe: EndpointProbe) -> bool:
    # NCSI itself uses plain HTTP; a TLS error on the 443 probe after TCP connected is judged by
    # the TLS rules, so only a missing HTTP answer without any TCP result counts here.
    return (
        probe.tcp is None and probe.http is not None and bool(probe.http.error) and probe.http.status is None
    )


#: the steps of the connectivity-test probe that fail it, in order: (probe step, test, en, ja)
_NCSI_FAILURES: tuple[tuple[str, Callable[[EndpointProbe], bool], str, str], ...] = (
    ("dns", dns_failed, "does not resolve", "を名前解決できません"),
    ("tcp", tcp_failed, "refuses TCP", "に TCP 接続できません"),
    ("http", _no_http_answer, "did not answer HTTP", "から HTTP の応答がありません"),
)


@rule(
    id="endpoints.ncsi_blocked",
    severity=Severity.HIGH,
    problem=L(
        "www.msftconnecttest.com is unreachable: Windows believes it is offline",
        "www.msftconnecttest.com に接続できないため、Windows はオフラインと判断しています",
    ),
    subject=L("Windows connectivity test (NCSI)", "Windows の接続テスト (NCSI)"),
    remediation=(
        BACKUP_HOSTS_FILE,
        EXPORT_FIREWALL,
        change(
            "Remove hosts-file or firewall blocks of www.msftconnecttest.com; sign-in dialogs refuse to "
            "start ('You'll need the internet for this') while Windows thinks it is offline.",
            "hosts ファイルやファイアウォールによる www.msftconnecttest.com の遮断を解除してください。"
            "Windows がオフラインと判断している間は、サインイ"
            "ン画面が「インターネットが必要です」と表示して進みません。",
        ),
    ),
)
def ncsi_blocked(endpoints: EndpointsData) -> Outcome:
    """The Windows connectivity test host (www.msftconnecttest.com) cannot be reached.

    Reads the probe of www.msftconnecttest.com: fails when its name does not resolve
    (``endpoints[www.msftconnecttest.com].dns.error``), when TCP is refused (``.tcp.error``), or,
    without any TCP result, when the HTTP request got no answer (``.http.error``). A TLS error
    after TCP connected is left to the TLS rules (NCSI itself uses plain HTTP). Passes when TCP
    connected or an HTTP status came back; not collected when the host was not probed.

    Why it matters: Network Connectivity Status Indicator (NCSI) decides whether Windows is
    online from this host. Blocked (often by a hosts-file line or a privacy tool), Windows
    thinks it is offline and sign-in dialogs stop with "You'll need the Internet for this"
    (0xCAA70007) even though the browser works.
    """
    probe = next((p for p in endpoints.probes if p.host.lower() == NCSI_HOST), None)
    if probe is None:
        return not_collected(f"{NCSI_HOST} was not probed", f"{NCSI_HOST} は調査されていません")
    for step, failed, en, ja in _NCSI_FAILURES:
        result = getattr(probe, step)
        if failed(probe):
            return fail(
                L(f"{NCSI_HOST} {en}: {result.error}.", f"{NCSI_HOST} {ja}: {result.error}"),
                [ev(fact(NCSI_HOST, f"{step}.error"), result.error)],
            )
    if tcp_ok(probe) or (probe.http is not None and probe.http.status is not None):
        return passed(
            L(f"{NCSI_HOST} answered.", f"{NCSI_HOST} から応答がありました。"),
            [ev(fact(NCSI_HOST, "tcp.ok"), probe.tcp.ok if probe.tcp else None)],
        )
    return not_collected(f"the probe of {NCSI_HOST} has no result", f"{NCSI_HOST} の調査結果がありません")


#: statuses a proxy or captive portal gives instead of the real server
_INTERCEPTED = {
    407: ("the proxy requires authentication (407)", "プロキシが認証を要求しています (407)"),
    511: (
        "a captive portal requires sign-in to the network (511)",
        "キャプティブ ポータルがネットワークへのログインを要求しています (511)",
    ),
}


@rule(
    id="endpoints.unexpected_response",
    severity=Severity.HIGH,
    problem=L(
        "Something other than Microsoft answered a sign-in host",
        "サインイン用ホストへの要求に Microsoft 以外が応答しています",
    ),
    subject=L("HTTP answers from Microsoft hosts", "Microsoft のホストからの HTTP 応答"),
    remediation=(
        advice(
            "Sign in to the network first (hotel or guest Wi-Fi portal), or have the proxy allow the "
            "Microsoft hosts without authentication.",
            "先にネットワークへのログイン(ホテルやゲスト Wi-Fi のポータル)を済ませるか、"
            "Microsoft のホストを認証なしで通すようプロキシの管理者に依頼してください。",
        ),
    ),
)
def unexpected_response(endpoints: EndpointsData, facts: Facts) -> Outcome:
    """A proxy or captive portal answered a Microsoft sign-in host instead of Microsoft.

    Reads the HTTP status of every endpoint probe that got an answer
    (``endpoints[HOST].http.status``). Fails on 407 (the proxy wants authentication), 511 (a
    captive portal wants a network sign-in), 401/403 on a request that went through the proxy
    (the proxy refused it), or a 200 from account.microsoft.com over a connection whose
    certificate did not validate (a portal page). Not collected when no probe got an answer.

    Why it matters: the client then parses a login or block page instead of Microsoft's answer
    and reports an unexpected status (0x80190001) or invalid data (0x8007000D); signing in to
    the network or letting the hosts through the proxy fixes it.
    """
    answered = [p for p in endpoints.probes if p.http is not None and p.http.status is not None]
    if not answered:
        return not_collected("no HTTP probe got an answer", "応答を得た HTTP の調査がありません")
    bad: list[tuple[str, str, str]] = []
    evidence: list[Evidence] = []
    for p in answered:
        assert p.http is not None and p.http.status is not None
        status = p.http.status
        if status in _INTERCEPTED:
            en, ja = _INTERCEPTED[status]
        elif status in (401, 403) and probe_path(p, facts.proxy).proxy:
            en, ja = (f"the proxy refused the request ({status})", f"プロキシが要求を拒否しました ({status})")
        elif (
            status == 200
            and p.host.lower() == "account.microsoft.com"
            and p.tls is not None
            and p.tls.ok is False
        ):
            en, ja = (
                "a page answered without a valid Microsoft certificate (captive portal)",
                "有効な Microsoft の証明書なしでページが応答しました(キャプティブ ポータル)",
            )
        else:
            continue
        bad.append((p.host, en, ja))
        evidence.append(ev(fact(p.host, "http.status"), status))
    if bad:
        return fail(
            L(
                "; ".join(f"{h}: {en}" for h, en, _ in bad) + ".",
                "、".join(f"{h}: {ja}" for h, _, ja in bad) + "。",
            ),
            evidence,
        )
    return passed(
        L(f"{len(answered)} host(s) answered normally.", f"{len(answered)} 件のホストが正常に応答しました。"),
        [ev(fact(p.host, "http.status"), p.http.status if p.http else None) for p in answered],
    )
