"""DNS rules: do the Microsoft account host names resolve."""

from __future__ import annotations

from msdiag.capture.models import EndpointsData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Evidence, Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, not_collected, passed, rule, warn
from msdiag.diagnosis.rules.probes import dns_failed, fact, host_list, probe_path
from msdiag.diagnosis.steps import advice, change, record


@rule(
    id="dns.account_hosts",
    severity=Severity.HIGH,
    problem=L(
        "Microsoft account hosts do not resolve in DNS",
        "Microsoft アカウントのサーバー名を DNS で解決できません",
    ),
    subject=L("DNS resolution of Microsoft account hosts", "Microsoft アカウントのサーバー名の DNS 解決"),
    remediation=(
        advice(
            "Disconnect any VPN and try again; if it then works, ask the VPN's administrator to resolve "
            "login.live.com.",
            "VPN を切断して再試行してください。それで解決する場合は、VPN "
            "の管理者に login.live.com の名前解決を依頼してください。",
        ),
        record(
            "Record the DNS settings first: run `ipconfig /all` and keep the output.",
            "まず DNS の設定を記録します: `ipconfig /all` を実行し、出力を残してください。",
        ),
        change(
            "Run `ipconfig /flushdns`, or set the adapter's DNS server to automatic (or your router).",
            "`ipconfig /flushdns` を実行するか、アダプター"
            "の DNS サーバーを自動取得(またはルーター)に戻してください。",
        ),
    ),
)
def account_hosts(endpoints: EndpointsData, facts: Facts) -> Outcome:
    """Microsoft account host names (login.live.com, account.live.com ...) do not resolve.

    Reads the DNS step of every endpoint probe (``endpoints[HOST].dns.error`` and
    ``.dns.addresses``). Fails when a host the PC connects to directly gets an error or no
    address. When only hosts that go through the proxy fail, it warns at low severity: the proxy
    resolves those names itself, so only services that connect directly are affected (the
    proxy path comes from the probe and the WinINET bypass list of the proxy check).

    Why it matters: a name that does not resolve cannot be reached at all; sign-in and the
    security-info pages fail with "name not resolved" (0x80072EE7, 0xCAA82EE7) or 0x800704CF.
    A VPN's DNS servers and a broken resolver are the usual causes.
    """
    probed = [p for p in endpoints.probes if p.dns is not None]
    if not probed:
        return not_collected("no DNS probe result in the endpoints check", "endpoints チェックに DNS の調査結果がありません")
    direct_fail: list[str] = []
    proxied_fail: list[str] = []
    evidence: list[Evidence] = []
    for p in probed:
        if dns_failed(p):
            assert p.dns is not None
            evidence.append(ev(fact(p.host, "dns.error"), p.dns.error))
            path = probe_path(p, facts.proxy)
            (proxied_fail if path.proxy else direct_fail).append(p.host)
    if direct_fail:
        return fail(
            L(
                f"{len(direct_fail)} of {len(probed)} hosts do not resolve: {host_list(direct_fail)}.",
                f"{len(probed)} 件中 {len(direct_fail)} "
                f"件のホストを名前解決できません: {host_list(direct_fail)}",
            ),
            evidence,
        )
    if proxied_fail:
        return warn(
            L(
                f"{host_list(proxied_fail)} do not resolve locally; they go through the proxy, so only "
                "services that connect directly are affected.",
                f"{host_list(proxied_fail)} はローカルで名前解決できません。プロキシ経由で接続するため、"
                "直接接続するサービスだけが影響を受けます。",
            ),
            evidence,
            severity=Severity.LOW,
        )
    return passed(
        L(f"All {len(probed)} hosts resolve.", f"{len(probed)} 件すべてのホストを名前解決できました。"),
        [ev(fact(p.host, "dns.addresses"), p.dns.addresses if p.dns else None) for p in probed],
    )
