"""TLS rules: handshake failures, interception by a non-Microsoft CA, TLS 1.2 disabled."""

from __future__ import annotations

from msdiag.capture.models import EndpointsData, TlsData
from msdiag.diagnosis.models import Evidence, Severity
from msdiag.diagnosis.rules.base import L, Outcome, clip, ev, fail, not_collected, passed, rule
from msdiag.diagnosis.rules.probes import NCSI_HOST, fact, tcp_ok
from msdiag.diagnosis.steps import advice, change, record

#: CAs that issue the certificates of Microsoft's account hosts (Microsoft's own and DigiCert's)
TRUSTED_ISSUER_MARKERS = ("microsoft", "digicert")
#: SCHANNEL writes 0xffffffff for "enabled" on some builds
_ENABLED_VALUES = (1, 0xFFFFFFFF, -1)


@rule(
    id="tls.handshake_failure",
    severity=Severity.HIGH,
    problem=L(
        "The secure (TLS) connection to Microsoft hosts fails",
        "Microsoft のホストとの暗号化 (TLS) 接続に失敗しています",
    ),
    subject=L("TLS handshakes with Microsoft hosts", "Microsoft のホストとの TLS ハンドシェイク"),
    remediation=(
        advice(
            "Check the date, time and time zone first (a wrong clock makes every certificate look invalid).",
            "まず日付・時刻・タイム ゾーンを確認してください"
            "(時計がずれているとすべての証明書が無効に見えます)。",
        ),
        advice(
            "Then check security software or a proxy that inspects HTTPS, and that TLS 1.2 is enabled.",
            "次に、HTTPS を検査するセキュリティ ソフトやプロキシ、TLS 1.2 が有効かを確認してください。",
        ),
    ),
)
def handshake_failure(endpoints: EndpointsData) -> Outcome:
    """The TLS handshake with a Microsoft host fails after TCP connected.

    Reads the TLS step of every endpoint probe whose TCP connection succeeded
    (``endpoints[HOST].tls.error``, ``.tls.validation_error``, ``.tls.protocol``) and fails when
    any handshake failed or its certificate did not validate, listing the reasons. Not
    collected when no TCP connection succeeded (no handshake was tried).

    Why it matters: this is what the user sees as a secure-connection error (0x80072F8F,
    0x80072EFE). It says that TLS breaks, not why: a wrong clock (clock.skew), HTTPS inspection
    (tls.interception) or TLS 1.2 turned off (tls.protocol_disabled) tell the cause.
    """
    tried = [p for p in endpoints.probes if p.tls is not None and tcp_ok(p)]
    if not tried:
        return not_collected("no TLS handshake was attempted (no TCP connection succeeded)", "TLS ハンドシェイクは試みられませんでした (TCP 接続が 1 つも成功していません)")
    evidence: list[Evidence] = []
    failed: list[str] = []
    for p in tried:
        assert p.tls is not None
        if p.tls.ok is False or p.tls.error or p.tls.validation_error:
            failed.append(p.host)
            if p.tls.error:
                evidence.append(ev(fact(p.host, "tls.error"), p.tls.error))
            if p.tls.validation_error:
                evidence.append(ev(fact(p.host, "tls.validation_error"), p.tls.validation_error))
    if failed:
        reasons = sorted(
            {(p.tls.validation_error or p.tls.error or "?") for p in tried if p.tls and p.host in failed}
        )
        return fail(
            L(
                f"TLS failed with {', '.join(failed)}: {'; '.join(reasons)}.",
                f"{', '.join(failed)} との TLS 接続に失敗しました: {'; '.join(reasons)}",
            ),
            evidence,
        )
    return passed(
        L(f"TLS succeeded with {len(tried)} host(s).", f"{len(tried)} 件のホストと TLS 接続できました。"),
        [ev(fact(p.host, "tls.protocol"), p.tls.protocol if p.tls else None) for p in tried],
    )


def _is_trusted_issuer(issuer: str) -> bool:
    # compare on the organisation / common name text, case-insensitively
    return any(marker in issuer.lower() for marker in TRUSTED_ISSUER_MARKERS)


@rule(
    id="tls.interception",
    severity=Severity.HIGH,
    problem=L(
        "HTTPS to Microsoft is intercepted: the certificate is not from Microsoft or DigiCert",
        "Microsoft への HTTPS 通信が傍受されています: 証明書の発行元が Microsoft や DigiCert ではありません",
    ),
    subject=L("Certificate issuers of Microsoft hosts", "Microsoft のホストの証明書発行元"),
    remediation=(
        record(
            "First note the certificate issuer shown here and the security software or proxy it names "
            "(its HTTPS inspection settings are what changes).",
            "まず、ここに表示された証明書の発行元と、それが示すセキュリティ ソフトまたはプロキシを控えてください"
            "(変更するのはその HTTPS 検査の設定です)。",
        ),
        change(
            "Let login.live.com, login.microsoftonline.com, account.live.com and *.msftauth.net bypass "
            "HTTPS inspection in the security software or company proxy named as the issuer (the "
            "organisation may require the inspection for other hosts).",
            "発行元として表示されたセキュリティ ソフトや社内プロキシで、"
            "login.live.com、login.microsoftonline.com、"
            "account.live.com、*.msftauth.net を HTTPS 検査の対象外にしてください"
            "(ほかのホストの検査は組織が必須にしている場合があります)。",
        ),
    ),
    explains=("tls.handshake_failure",),
)
def interception(endpoints: EndpointsData) -> Outcome:
    """The certificate a Microsoft host presents was not issued by Microsoft or DigiCert.

    Reads the certificate issuer of every endpoint probe that recorded one
    (``endpoints[HOST].tls.issuer``; the plain-HTTP connectivity test host is left out) and
    fails when an issuer names neither Microsoft nor DigiCert, the CAs of the account hosts:
    security software or a company proxy is decrypting HTTPS. Not collected without issuers.

    Why it matters: the account broker and sign-in pages refuse or break on re-signed
    connections, giving secure-connection errors (0x80072F8F, 0xCAA82F8F) or aborted
    connections (0x80072EFE); the inspecting product must exclude the Microsoft hosts.
    """
    with_issuer = [
        p for p in endpoints.probes if p.tls is not None and p.tls.issuer and p.host.lower() != NCSI_HOST
    ]
    if not with_issuer:
        return not_collected("no certificate issuer was collected", "証明書の発行者が収集されていません")
    evidence = [ev(fact(p.host, "tls.issuer"), p.tls.issuer if p.tls else None) for p in with_issuer]
    foreign = [p for p in with_issuer if p.tls and p.tls.issuer and not _is_trusted_issuer(p.tls.issuer)]
    if foreign:
        issuers = sorted({clip(p.tls.issuer) for p in foreign if p.tls and p.tls.issuer})[:5]
        hosts = ", ".join(clip(p.host, 80) for p in foreign[:12])
        return fail(
            L(
                f"{hosts}: certificate issued by {' / '.join(issuers)}.",
                f"{hosts}: 証明書の発行元は {' / '.join(issuers)} です。",
            ),
            evidence,
        )
    return passed(
        L(
            "All certificates come from Microsoft or DigiCert.",
            "すべての証明書の発行元は Microsoft または DigiCert です。",
        ),
        evidence,
    )


@rule(
    id="tls.protocol_disabled",
    severity=Severity.CRITICAL,
    problem=L(
        "TLS 1.2 is disabled for this PC's client connections",
        "この PC のクライアント接続で TLS 1.2 が無効になっています",
    ),
    subject=L("TLS 1.2 client setting (SCHANNEL)", "TLS 1.2 のクライアント設定 (SCHANNEL)"),
    remediation=(
        record(
            'First back up the current settings: `reg export "HKLM\\SYSTEM\\CurrentControlSet\\Control'
            '\\SecurityProviders\\SCHANNEL\\Protocols" "%USERPROFILE%\\Desktop\\schannel-protocols-before.reg"`.',
            'まず現在の設定をバックアップします: `reg export "HKLM\\SYSTEM\\CurrentControlSet\\Control'
            '\\SecurityProviders\\SCHANNEL\\Protocols" "%USERPROFILE%\\Desktop\\schannel-protocols-before.reg"`。',
        ),
        change(
            r"As administrator, set "
            r"HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols"
            r"\TLS 1.2\Client Enabled=1 and DisabledByDefault=0 "
            r"(or delete the key to use the Windows default), "
            "then restart.",
            r"管理者として HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS "
            r"1.2\Client "
            "の Enabled を 1、DisabledByDefault を 0 に設定"
            "(またはキーを削除して Windows の既定に戻す)し、再起動してください。",
        ),
    ),
    explains=("tls.handshake_failure",),
)
def protocol_disabled(tls: TlsData) -> Outcome:
    """TLS 1.2 is turned off for client connections in the SCHANNEL registry settings.

    Reads the SCHANNEL client key of TLS 1.2 (``tls.schannel_client[TLS 1.2].enabled``,
    ``.disabled_by_default``). Fails when Enabled is set to anything but an "on" value (1, or
    0xFFFFFFFF as some builds write) or DisabledByDefault is 1. Passes when the key is absent:
    the Windows default, enabled, applies.

    Why it matters: Microsoft Entra ID has refused TLS 1.0 and 1.1 since 2022-01-31 (notices
    MC246440 and MC258228), so with TLS 1.2 off secure connections to the sign-in hosts fail
    (0x80072F8F, 0xCAA82F8F). A hardening script or an old registry tweak usually set it.
    """
    entry = next((e for e in tls.schannel_client if e.protocol.replace(" ", "").upper() == "TLS1.2"), None)
    base = "tls.schannel_client[TLS 1.2]"
    if entry is None or not entry.key_present:
        return passed(
            L(
                "No TLS 1.2 client key: the Windows default (enabled) applies.",
                "TLS 1.2 のクライアント キーはありません。Windows の既定(有効)が適用されます。",
            ),
            [ev(f"{base}.key_present", False)],
        )
    evidence = [
        ev(f"{base}.enabled", entry.enabled),
        ev(f"{base}.disabled_by_default", entry.disabled_by_default),
    ]
    disabled = entry.enabled is not None and entry.enabled not in _ENABLED_VALUES
    off_by_default = entry.disabled_by_default == 1
    if disabled or off_by_default:
        what = "Enabled=0" if disabled else "DisabledByDefault=1"
        return fail(
            L(f"TLS 1.2 client is turned off ({what}).", f"TLS 1.2 クライアントが無効です ({what})。"),
            evidence,
        )
    return passed(L("TLS 1.2 client is enabled.", "TLS 1.2 クライアントは有効です。"), evidence)
