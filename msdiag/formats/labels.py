"""The report's own words (headings, column names, status names) in English and Japanese."""

from __future__ import annotations

from msdiag.checks import CHECKS
from msdiag.errors import InputError
from msdiag.i18n import CHECK_REASONS_JA, CHECK_STATUS_JA

LANGS = ("en", "ja")

#: the report's own words; check headings are added from the check spec below
UI_LABELS: dict[str, tuple[str, str]] = {
    # key: (en, ja)
    "title": ("Microsoft account diagnosis", "Microsoft アカウント診断"),
    "host": ("Host", "ホスト"),
    "scanned": ("Scanned (UTC)", "スキャン日時 (UTC)"),
    "mode": ("Scan mode", "スキャン方法"),
    "verdict": ("Verdict", "判定"),
    "verdict.fail": ("Problems found", "問題あり"),
    "verdict.warn": ("Warnings", "警告あり"),
    "verdict.pass": ("No problems found", "問題なし"),
    "verdict.incomplete": ("Incomplete scan", "スキャン不完全"),
    "status.fail": ("fail", "失敗"),
    "status.warn": ("warn", "警告"),
    "status.pass": ("pass", "合格"),
    "status.not_collected": ("not collected", "未収集"),
    "status.not_applicable": ("n/a", "対象外"),
    "severity.critical": ("critical", "緊急"),
    "severity.high": ("high", "高"),
    "severity.medium": ("medium", "中"),
    "severity.low": ("low", "低"),
    "severity.info": ("info", "情報"),
    "verdict_cause.confirmed": ("confirmed", "確認済み"),
    "verdict_cause.unknown": ("not checked", "未確認"),
    "verdict_cause.ruled_out": ("ruled out", "除外"),
    "col.status": ("Status", "状態"),
    "col.severity": ("Severity", "重要度"),
    "col.finding": ("Finding", "項目"),
    "col.detail": ("Detail", "詳細"),
    "col.fact": ("Fact", "項目"),
    "col.value": ("Value", "値"),
    "col.note": ("Meaning", "意味"),
    "error": ("Error", "エラー"),
    "most_likely": ("Most likely cause", "最も可能性の高い原因"),
    "no_likely": (
        "No cause could be confirmed from this machine; the causes below remain possible.",
        "この PC からは原因を確定できませんでした。以下の原因が考えられます。",
    ),
    "other_causes": ("Other possible causes", "その他の考えられる原因"),
    "ruled_out_count": (
        "{n} other cause(s) ruled out by this machine's checks: --all to list them",
        "ほかの原因 {n} 件はこの PC の確認で除外されました: --all で一覧を表示",
    ),
    "steps": ("What to do", "対処手順"),
    "evidence": ("Evidence", "根拠"),
    "meaning": ("Meaning", "意味"),
    "unknown_code": (
        "msdiag has no entry for this code.",
        "このコードは msdiag のナレッジベースにありません。",
    ),
    "findings": ("Findings", "診断結果"),
    "findings_by_severity": ("Findings by severity", "重要度別の診断結果"),
    "passed_findings": ("Checks that passed or do not apply", "合格・対象外の項目"),
    "no_findings": ("No findings.", "診断結果はありません。"),
    "machine": ("Machine at a glance", "PC の概要"),
    "culture": ("Culture (formats)", "カルチャ (書式)"),
    "ui_culture": ("Display language", "表示言語"),
    "system_locale": ("System locale", "システム ロケール"),
    "home_location": ("Home location", "地域 (ホーム ロケーション)"),
    "time_zone": ("Time zone", "タイム ゾーン"),
    "clock_skew": ("Clock difference to Microsoft servers", "Microsoft サーバーとの時刻差"),
    "clock_skew.value": ("{sign}{seconds} s ({direction})", "{sign}{seconds} 秒 ({direction})"),
    "clock.pc_behind": ("this PC is behind", "この PC が遅れています"),
    "clock.pc_ahead": ("this PC is ahead", "この PC が進んでいます"),
    "clock.same": ("in sync", "同期しています"),
    "not_measured": ("not measured", "未測定"),
    "not_collected": ("not collected", "未収集"),
    "proxy.wininet": ("WinINET (user, browsers)", "WinINET (ユーザー、ブラウザー)"),
    "proxy.winhttp": ("WinHTTP (system services, sign-in broker)", "WinHTTP (システム サービス、サインイン)"),
    "proxy.direct": ("direct (no proxy)", "直接接続 (プロキシなし)"),
    "proxy.pac": ("PAC script", "PAC スクリプト"),
    "proxy.autodetect": ("auto-detect (WPAD)", "自動検出 (WPAD)"),
    "proxy.bypass": ("bypass", "除外"),
    "proxy.env": ("Environment variables", "環境変数"),
    "vpn": ("VPN", "VPN"),
    "vpn.none": ("no VPN adapter or profile found", "VPN アダプター・プロファイルなし"),
    "service.missing": ("not present", "存在しません"),
    "region": ("Region consistency", "地域設定の整合性"),
    "region.intro": (
        "Where this PC and the phone number say the user is. A mismatch can make sign-up and SMS "
        "verification pick the wrong country.",
        "PC の各設定と電話番号が示す国・地域です。"
        "不一致があると、登録や SMS 認証で誤った国が選ばれることがあります。",
    ),
    "region.source": ("Setting", "設定"),
    "region.country": ("Country", "国・地域"),
    "region.agree": ("agree", "一致"),
    "region.disagree": ("differ", "不一致"),
    "region.unknown": ("unknown", "不明"),
    "region.pairs": ("Pairs", "組み合わせ"),
    "source.culture": ("Culture", "カルチャ"),
    "source.ui_culture": ("Display language", "表示言語"),
    "source.system_locale": ("System locale", "システム ロケール"),
    "source.home_location": ("Home location", "ホーム ロケーション"),
    "source.time_zone": ("Time zone", "タイム ゾーン"),
    "source.phone": ("Phone number", "電話番号"),
    "ep.host": ("Host", "ホスト"),
    "ep.dns": ("DNS", "DNS"),
    "ep.tcp": ("TCP 443", "TCP 443"),
    "ep.tls": ("TLS issuer", "TLS 発行者"),
    "ep.http": ("HTTP", "HTTP"),
    "ep.ms": ("ms (DNS/TCP/TLS/HTTP)", "ミリ秒 (DNS/TCP/TLS/HTTP)"),
    "ep.via": ("via proxy", "プロキシ経由"),
    "ep.ok": ("ok", "OK"),
    "ep.failed": ("failed", "失敗"),
    "phone": ("Phone number", "電話番号の分析"),
    "phone.input": ("As entered", "入力された番号"),
    "phone.valid": ("Valid number", "有効な番号"),
    "phone.e164": ("International format (E.164)", "国際形式 (E.164)"),
    "phone.region": ("Country", "国・地域"),
    "phone.type": ("Type", "種類"),
    "phone.corrected": ("Enter it as", "入力すべき形式"),
    "phone.national": ("National format", "国内形式"),
    "yes": ("yes", "はい"),
    "no": ("no", "いいえ"),
    "support": ("What Microsoft support will ask for", "Microsoft サポートに伝える情報"),
    "support.intro": (
        "Pre-filled from this scan. Fill in the blanks before contacting support.",
        "このスキャンから自動入力しました。サポートへ連絡する前に空欄を埋めてください。",
    ),
    "support.account": (
        "Account name (e-mail address or phone number)",
        "アカウントのユーザー名 (メール アドレスまたは電話番号)",
    ),
    "support.account.fill": ("(fill in: the account's sign-in name)", "(記入: アカウントのサインイン名)"),
    "support.device": ("Device and OS", "使用しているデバイスと OS"),
    "support.errors": ("Error codes and when they were seen", "エラー コードと発生日時"),
    "support.errors.none": (
        "(fill in: the error code or message shown, and when)",
        "(記入: 表示されたエラー コードまたはメッセージと日時)",
    ),
    "support.seen": ("seen before the scan at", "スキャン時刻"),
    "support.tried": ("What was already tried", "これまでに試したこと"),
    "support.tried.fill": (
        "(fill in: e.g. retried later, another browser, without VPN/proxy, mobile data instead of Wi-Fi)",
        "(記入: 例 時間をおいて再試行、別のブラウザー、VPN・プロキシなし、Wi-Fi をオフにしてモバイル データ)",
    ),
    "support.screenshot": ("Screenshot of the error", "エラー画面のスクリーンショット"),
    "support.screenshot.fill": ("(attach if you have one)", "(あれば添付してください)"),
    "raw": ("Raw capture (redacted)", "収集データ (マスキング済み)"),
    "raw.unredacted": ("Raw capture (not redacted)", "収集データ (マスキングなし)"),
    "raw.check": ("check", "チェック"),
    "redaction": ("Redaction", "マスキング"),
    "redaction.none": (
        "none: this report contains personal data as collected",
        "なし: このレポートには収集したままの個人情報が含まれます",
    ),
    "redaction.standard": (
        "standard: phone numbers masked, user names and e-mail addresses replaced",
        "標準: 電話番号をマスクし、ユーザー名とメール アドレスを置き換えました",
    ),
    "redaction.strict": (
        "strict: phone numbers masked; user names, e-mail addresses, IP addresses, computer and domain "
        "names replaced",
        "厳格: 電話番号をマスクし、ユーザー名、メール アドレス、IP アドレス、コンピューター名、"
        "ドメイン名を置き換えました",
    ),
    "redaction.standard.phone_shown": (
        "standard, phone numbers shown on request: user names and e-mail addresses replaced",
        "標準 (電話番号は要求により表示): ユーザー名とメール アドレスを置き換えました",
    ),
    "redaction.strict.phone_shown": (
        "strict, phone numbers shown on request: user names, e-mail addresses, IP addresses, computer "
        "and domain names replaced",
        "厳格 (電話番号は要求により表示): ユーザー名、メール アドレス、IP アドレス、コンピューター名、"
        "ドメイン名を置き換えました",
    ),
    "generated_by": ("Generated by msdiag {version}", "msdiag {version} で作成"),
    "banner.insecure": (
        "Collected without certificate validation (--insecure). Treat the data with care.",
        "証明書を検証せずに収集しました (--insecure)。データの扱いに注意してください。",
    ),
    "banner.host_status": ("Host status: {state}", "ホストの状態: {state}"),
    "banner.warning": ("Collector warning", "収集時の警告"),
    "summary.counts": (
        "{fail} fail, {warn} warn, {pass_} pass, {not_collected} not collected, {not_applicable} n/a",
        "失敗 {fail}・警告 {warn}・合格 {pass_}・未収集 {not_collected}・対象外 {not_applicable}",
    ),
    "checks_missing": ("Checks without data", "データのないチェック"),
    # the terminal's answer first (msdiag.formats.table) and the ticket (msdiag.formats.ticket)
    "do_first": ("Do this first", "まず行うこと"),
    "problems": ("Failing and warning checks", "失敗・警告の項目"),
    "fix": ("Fix", "対処"),
    "more_steps": ("+{n} more step(s): --all", "ほか {n} 手順: --all"),
    "more_steps.report": ("+{n} more step(s) in the full report", "ほか {n} 手順は詳細レポートを参照"),
    "not_checked": ("Not checked", "確認できなかった項目"),
    "not_checked.group": ("{checks}: {reason} ({n})", "{checks}: {reason} ({n} 件)"),
    "count.passed_na": (
        "{passed} checks passed, {na} not applicable: --all to list them",
        "合格 {passed} 件、対象外 {na} 件 (一覧は --all で表示)",
    ),
    "count.passed": ("{passed} checks passed: --all to list them", "合格 {passed} 件 (一覧は --all で表示)"),
    "count.na": ("{na} not applicable: --all to list them", "対象外 {na} 件 (一覧は --all で表示)"),
    "passed": ("Passed", "合格した項目"),
    "not_applicable": ("Not applicable", "対象外の項目"),
    "ticket.title": ("msdiag summary for a support ticket", "サポート依頼用の msdiag 概要"),
    "ticket.full_report": ("Full report", "詳細レポート"),
    "ticket.no_report": (
        "not written (add --format html to write one)",
        "未作成 (--format html を付けると作成します)",
    ),
    "ticket.more": ("... {n} more in the full report", "... ほか {n} 件は詳細レポートを参照"),
    "ticket.no_cause": (
        "No cause of this error could be confirmed from this machine.",
        "このエラーの原因はこの PC からは確定できませんでした。",
    ),
    "ticket.phone_valid": ("valid", "有効"),
    "ticket.phone_invalid": ("not valid", "無効"),
    "fleet.legend": ("F = fail, W = warn.", "F = 失敗、W = 警告。"),
    "verdict.not_scanned": ("Not scanned", "スキャンできず"),
    # `msdiag demo`'s console lines (msdiag.fleet.demo, msdiag/cli/fleet_cmd.py)
    "demo.scanned": (
        "Scanned {total} lab hosts over WinRM (NTLM with message encryption, 127.0.0.1).",
        "ラボのホスト {total} 台をスキャンしました (WinRM, NTLM + 暗号化, 127.0.0.1)。",
    ),
    "demo.failing": ("  {n} host(s) failing {findings}: {hosts}", "  失敗 {findings}: {hosts} ({n} 台)"),
    "demo.clean": ("  no failing finding: {hosts}", "  失敗した項目なし: {hosts}"),
    "demo.unscanned": ("  could not scan {host}: {state}", "  スキャンできませんでした: {host} ({state})"),
    "demo.fleet_report": ("Fleet report:  {path}", "フリート レポート: {path}"),
    "demo.host_report": ("Host report:   {path}", "ホスト レポート:   {path}"),
    "demo.results": (
        "Results file:  {path}  (try: msdiag report {path} --format table)",
        "結果ファイル:     {path}  (表示: msdiag report {path} --format table)",
    ),
    "demo.done": ("Done in {seconds} s.", "{seconds} 秒で完了しました。"),
}

#: every host status (msdiag.capture.models.HostState) in words, English and Japanese: the one
#: table the terminal, the HTML and the fleet reports name host states from (a test checks that
#: every state has its words)
HOST_STATES: dict[str, tuple[str, str]] = {
    "ok": ("scanned", "スキャン済み"),
    "unreachable": ("could not connect", "接続できません"),
    "tls": ("TLS or certificate error", "TLS・証明書のエラー"),
    "auth_failed": ("sign-in to the host refused", "ホストへのログオンを拒否"),
    "timeout": ("timed out", "タイムアウト"),
    "winrm_fault": ("WinRM error", "WinRM のエラー"),
    "script_error": ("script error", "スクリプトのエラー"),
    "bad_output": ("unreadable output", "読み取れない出力"),
    "no_powershell": ("no PowerShell", "PowerShell なし"),
    "constrained_language": ("PowerShell in Constrained Language Mode", "PowerShell が制約付き言語モード"),
    "execution_policy": ("refused by the execution policy", "実行ポリシーにより拒否"),
    "blocked_by_antivirus": ("blocked by antivirus software", "ウイルス対策ソフトがブロック"),
    "not_attempted": ("not attempted", "未実施"),
}

#: names for the values of fixed vocabularies (host states, scan modes ...): English shows the
#: value itself, as the JSON, the CSV and the documentation spell it; Japanese a translation
VOCABULARY: dict[str, dict[str, str]] = {
    "host_state": {state: ja for state, (_, ja) in HOST_STATES.items()},
    "check_status": CHECK_STATUS_JA,
    "fleet_verdict": {
        "fail": "失敗あり",
        "warn": "警告あり",
        "pass": "問題なし",
        "incomplete": "スキャン不完全",
        "not_scanned": "スキャンできず",
    },
    "mode": {
        "local": "ローカル",
        "remote": "リモート",
        "exported-script": "エクスポートしたスクリプト",
        "lab": "ラボ",
        "other": "その他",
    },
    "number_type": {
        "mobile": "携帯電話",
        "fixed_line": "固定電話",
        "fixed_line_or_mobile": "固定電話または携帯電話",
        "toll_free": "フリーダイヤル",
        "premium_rate": "有料情報サービス",
        "shared_cost": "ナビダイヤル (通話料分担)",
        "voip": "IP 電話 (VoIP)",
        "personal_number": "パーソナル番号",
        "pager": "ポケットベル",
        "uan": "代表番号 (UAN)",
        "voicemail": "ボイスメール",
        "unknown": "不明",
    },
    "redaction_name": {"none": "なし", "standard": "標準", "strict": "厳格"},
    "check_reason": CHECK_REASONS_JA,  # a reason not listed shows as it is
}


# Each check's heading ("os" -> "Windows") is declared with the check, in msdiag/checks.py, and is
# looked up by the check's name (tests/capture/test_check_spec.py keeps the two sets of keys apart).
_LABELS: dict[str, tuple[str, str]] = {
    **UI_LABELS,
    **{check.name: (check.label.en, check.label.ja) for check in CHECKS},
    **{f"{kind}.{value}": (value, ja) for kind, names in VOCABULARY.items() for value, ja in names.items()},
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"unknown report language {lang!r}: use one of {', '.join(LANGS)}")
    return lang


def label(key: str, lang: str, **values: object) -> str:
    """The UI string ``key`` in ``lang`` with ``{name}`` fields filled in."""
    en, ja = _LABELS[key]
    text = ja if lang == "ja" else en
    return text.format(**values) if values else text


def value_label(kind: str, value: str, lang: str) -> str:
    """The name of ``value`` of the vocabulary ``kind`` ("host_state", "mode" ...) in ``lang``;
    a value msdiag does not know (a newer capture) shows as it is."""
    names = VOCABULARY[kind]
    return names.get(value, value) if lang == "ja" else value


def labels_for(lang: str) -> dict[str, str]:
    """Every UI string in one language, for templates."""
    return {key: (ja if lang == "ja" else en) for key, (en, ja) in _LABELS.items()}
