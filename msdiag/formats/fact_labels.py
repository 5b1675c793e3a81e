"""Readable names for the facts a finding rests on, in English and Japanese.

Evidence names a fact by its path in the capture (``proxy.winhttp.proxy_server``,
``endpoints[login.live.com].tcp.ok``). Reports show the name below in the report's language and
the raw path small beside it. A path is looked up with each ``[key]`` replaced by ``[*]``; the keys
fill ``{0}``, ``{1}`` ... A path not listed here is named by its check's heading and the rest of
the path (tests/formats/test_html_fact_labels.py fails on any fact the rules emit on the test
captures that has no name here).
"""

from __future__ import annotations

import re

from msdiag.checks import CHECKS
from msdiag.sanitize import clean_text

_KEY = re.compile(r"\[([^\]]*)\]")

#: fact path (keys as [*]) -> (en, ja)
FACT_LABELS: dict[str, tuple[str, str]] = {
    # os
    "os.caption": ("Windows edition", "Windows のエディション"),
    "os.version": ("Windows version", "Windows のバージョン"),
    "os.build": ("Windows build", "Windows のビルド"),
    "os.display_version": ("Windows release", "Windows のリリース"),
    "os.is_elevated": ("Run as administrator", "管理者として実行"),
    # time
    "time.utc_time": ("PC clock (UTC)", "PC の時計 (UTC)"),
    "time.local_time": ("PC clock (local time)", "PC の時計 (現地時刻)"),
    "time.w32time.type": ("Time synchronization type (W32Time)", "時刻同期の種類 (W32Time)"),
    "time.w32time.start_type": (
        "Windows Time service start type",
        "Windows Time サービスのスタートアップの種類",
    ),
    "time.w32time.service_status": ("Windows Time service state", "Windows Time サービスの状態"),
    "time.w32time.ntp_server": ("Time server (NTP)", "タイム サーバー (NTP)"),
    # proxy
    "proxy.wininet.proxy_enable": ("User proxy turned on (WinINET)", "ユーザーのプロキシが有効 (WinINET)"),
    "proxy.wininet.proxy_server": ("User proxy (WinINET)", "ユーザーのプロキシ (WinINET)"),
    "proxy.wininet.proxy_override": (
        "User proxy bypass list (WinINET)",
        "ユーザーのプロキシの除外リスト (WinINET)",
    ),
    "proxy.wininet.auto_config_url": ("PAC script address (WinINET)", "PAC スクリプトのアドレス (WinINET)"),
    "proxy.wininet.auto_detect": ("Proxy auto-detect, WPAD (WinINET)", "プロキシの自動検出 WPAD (WinINET)"),
    "proxy.winhttp.direct": ("System proxy: direct (WinHTTP)", "システム プロキシ: 直接接続 (WinHTTP)"),
    "proxy.winhttp.proxy_server": ("System proxy (WinHTTP)", "システム プロキシ (WinHTTP)"),
    "proxy.winhttp.bypass_list": (
        "System proxy bypass list (WinHTTP)",
        "システム プロキシの除外リスト (WinHTTP)",
    ),
    "proxy.system": ("System proxy", "システム プロキシ"),
    "proxy.configured": ("Configured proxy", "設定されているプロキシ"),
    "proxy.environment[*]": ("Environment variable {0}", "環境変数 {0}"),
    # network
    "network.hosts_entries": ("hosts file entries", "hosts ファイルのエントリ"),
    "network.hosts_entries[*]": ("hosts file entry {0}", "hosts ファイルのエントリ {0}"),
    "network.dns_servers[*]": ("DNS servers ({0})", "DNS サーバー ({0})"),
    "network.adapters[*].status": ("Network adapter {0}: state", "ネットワーク アダプター {0} の状態"),
    "network.vpn_profiles[*].split_tunneling": (
        "VPN {0}: split tunneling",
        "VPN {0} のスプリット トンネリング",
    ),
    "network.vpn_profiles[*].connection_status": ("VPN {0}: connection", "VPN {0} の接続状態"),
    # endpoints
    "endpoints[*].dns.addresses": ("{0}: addresses from DNS", "{0}: DNS で得たアドレス"),
    "endpoints[*].dns.error": ("{0}: DNS error", "{0}: DNS のエラー"),
    "endpoints[*].tcp.ok": ("{0}: TCP 443 connected", "{0}: TCP 443 の接続"),
    "endpoints[*].tcp.error": ("{0}: TCP 443 error", "{0}: TCP 443 のエラー"),
    "endpoints[*].tcp.target": ("{0}: connected to", "{0}: 接続先"),
    "endpoints[*].tls.error": ("{0}: TLS error", "{0}: TLS のエラー"),
    "endpoints[*].tls.issuer": ("{0}: certificate issuer", "{0}: 証明書の発行者"),
    "endpoints[*].tls.protocol": ("{0}: TLS version", "{0}: TLS のバージョン"),
    "endpoints[*].tls.validation_error": ("{0}: certificate check", "{0}: 証明書の検証"),
    "endpoints[*].http.status": ("{0}: HTTP status", "{0}: HTTP ステータス"),
    "endpoints[*].http.error": ("{0}: HTTP error", "{0}: HTTP のエラー"),
    "endpoints[*].http.date": ("{0}: server time (HTTP Date)", "{0}: サーバーの時刻 (HTTP Date)"),
    "endpoints.pac.dns.error": ("PAC script: DNS error", "PAC スクリプト: DNS のエラー"),
    "endpoints.pac.tcp.error": ("PAC script: TCP error", "PAC スクリプト: TCP のエラー"),
    "endpoints.pac.tcp.target": ("PAC script: connected to", "PAC スクリプト: 接続先"),
    "endpoints.pac.http.status": ("PAC script: HTTP status", "PAC スクリプト: HTTP ステータス"),
    "endpoints.pac.http.error": ("PAC script: HTTP error", "PAC スクリプト: HTTP のエラー"),
    "endpoints.pac.bytes": ("PAC script: size (bytes)", "PAC スクリプト: サイズ (バイト)"),
    "endpoints.pac.looks_like_pac": (
        "PAC script: looks like a PAC file",
        "PAC スクリプト: PAC ファイルの形式",
    ),
    # services
    "services[*].present": ("Service {0}: installed", "サービス {0}: インストール済み"),
    "services[*].start_type": ("Service {0}: start type", "サービス {0}: スタートアップの種類"),
    "services[*].status": ("Service {0}: state", "サービス {0}: 状態"),
    # tls
    "tls.schannel_client[*].enabled": (
        "{0} turned on (SCHANNEL, client)",
        "{0} が有効 (SCHANNEL、クライアント)",
    ),
    "tls.schannel_client[*].disabled_by_default": (
        "{0} off by default (SCHANNEL DisabledByDefault)",
        "{0} が既定で無効 (SCHANNEL DisabledByDefault)",
    ),
    "tls.schannel_client[*].key_present": (
        "{0} registry key present (SCHANNEL)",
        "{0} のレジストリ キーあり (SCHANNEL)",
    ),
    # identity
    "identity.dsregcmd.azure_ad_joined": ("Joined to Microsoft Entra ID", "Microsoft Entra ID に参加"),
    "identity.dsregcmd.azure_ad_prt": (
        "Primary Refresh Token (PRT) present",
        "プライマリ更新トークン (PRT) あり",
    ),
    "identity.dsregcmd.azure_ad_prt_update_time": ("PRT last refreshed", "PRT の最終更新日時"),
    "identity.dsregcmd.domain_joined": ("Joined to a domain", "ドメインに参加"),
    "identity.dsregcmd.domain_name": ("Domain", "ドメイン名"),
    "identity.dsregcmd.enterprise_joined": ("Enterprise joined", "エンタープライズ参加"),
    "identity.dsregcmd.tenant_name": ("Organisation (tenant)", "組織 (テナント)"),
    "identity.dsregcmd.workplace_joined": ("Workplace registered", "職場の登録 (Workplace Join)"),
    "identity.no_connected_user": (
        'Policy "Block Microsoft accounts" (NoConnectedUser)',
        "ポリシー「Microsoft アカウントをブロックする」(NoConnectedUser)",
    ),
    "identity.prt_age_hours": ("PRT age (hours)", "PRT の経過時間 (時間)"),
    "identity.user_name": ("Signed-in user", "サインインしているユーザー"),
    "identity.signed_in_with_msa": ("Signed in with a Microsoft account", "Microsoft アカウントでサインイン"),
    # phone and region
    "phone.input": ("Number as entered", "入力された番号"),
    "phone.region": ("Country of the number", "番号の国・地域"),
    "region.culture": ("Culture (formats)", "カルチャ (書式)"),
    "region.ui_culture": ("Display language", "表示言語"),
    "region.system_locale": ("System locale", "システム ロケール"),
    "region.home_location": ("Home location", "ホーム ロケーション"),
    "region.time_zone": ("Time zone", "タイム ゾーン"),
    "region.phone": ("Phone number", "電話番号"),
}

#: a probe error of any check ("os.errors[caption].category")
_PROBE_ERROR = ("{check}: probe {0} failed (error type)", "{check}: プローブ {0} の失敗 (エラーの種類)")
_CHECK_LABELS = {check.name: (check.label.en, check.label.ja) for check in CHECKS}


def fact_pattern(fact: str) -> tuple[str, list[str]]:
    """``endpoints[login.live.com].tcp.ok`` -> (``endpoints[*].tcp.ok``, [``login.live.com``])."""
    keys = _KEY.findall(fact)
    return _KEY.sub("[*]", fact), keys


def known_fact(fact: str) -> bool:
    """Whether ``fact`` has a name of its own here (not only its check's heading)."""
    pattern, _ = fact_pattern(fact)
    return pattern in FACT_LABELS or _is_probe_error(pattern)


def _is_probe_error(pattern: str) -> bool:
    check, _, rest = pattern.partition(".")
    return check in _CHECK_LABELS and rest == "errors[*].category"


def fact_label(fact: str, lang: str) -> str:
    """The readable name of ``fact`` in ``lang`` (keys are host data: cleaned)."""
    pattern, keys = fact_pattern(fact)
    keys = [clean_text(k) for k in keys]
    ja = lang == "ja"
    check = pattern.split(".", 1)[0].split("[", 1)[0]
    if pattern in FACT_LABELS:
        en_text, ja_text = FACT_LABELS[pattern]
        return (ja_text if ja else en_text).format(*keys)
    if _is_probe_error(pattern):
        heading = _CHECK_LABELS[check][1 if ja else 0]
        return _PROBE_ERROR[1 if ja else 0].format(*keys, check=heading)
    if check in _CHECK_LABELS:
        rest = clean_text(fact[len(check) :].lstrip(".")).replace("_", " ")
        heading = _CHECK_LABELS[check][1 if ja else 0]
        return f"{heading} · {rest}" if rest else heading
    return clean_text(fact)
