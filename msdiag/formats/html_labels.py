"""The HTML reports' own words beyond the shared catalog (msdiag.formats.labels), en and ja:
the "do this first" list, times, region summary, and the fleet report's headings and statuses."""

from __future__ import annotations

from msdiag.formats.labels import labels_for

#: key -> (en, ja); keys never collide with msdiag.formats.labels (tests/formats/test_html_labels.py)
HTML_LABELS: dict[str, tuple[str, str]] = {
    "scanned_at": ("Scanned", "スキャン日時"),
    "do_first": ("Do this first", "まず行うこと"),
    "do_first.for": ("fixes", "対象"),
    "step.record": ("records the current state", "現在の状態を記録"),
    "step.change": ("changes this PC", "この PC を変更"),
    "ep.all_ok": (
        "All {n} Microsoft hosts answered: DNS, TCP 443, TLS and HTTP.",
        "{n} 件の Microsoft ホストすべてが応答しました (DNS、TCP 443、TLS、HTTP)。",
    ),
    "ep.details": ("Each host's answers", "ホストごとの応答"),
    "evidence.above": ("Evidence ({n}, shown above)", "根拠 ({n} 件、上記と同じ)"),
    "service.name": ("Service", "サービス"),
    "service.start": ("Start type", "スタートアップの種類"),
    "region.all_agree": (
        "All {n} settings point at the same country: {country}",
        "{n} 件の設定がすべて同じ国・地域を示しています: {country}",
    ),
    "region.differ": ("These point at different countries:", "次の組み合わせは国・地域が異なります:"),
    "region.unknown_list": ("Country not known: {names}", "国・地域が不明: {names}"),
    # fleet report
    "fleet.title": ("msdiag fleet report", "msdiag フリート レポート"),
    "fleet.sources": ("Results files", "結果ファイル"),
    "fleet.merged": (
        "{files} results files merged: {hosts} hosts, {repeated} of them in more than one file; "
        "the newest record of each host (by scan start time) is shown.",
        "{files} 個の結果ファイルを統合しました: ホスト {hosts} 台 (うち {repeated} 台は複数のファイルに記録)。"
        "各ホストは最新の記録 (スキャン開始時刻) を表示しています。",
    ),
    "fleet.insecure": (
        "{n} of {total} hosts were scanned without certificate validation (--insecure): treat their data with care.",
        "{total} 台中 {n} 台は証明書を検証せずにスキャンしました (--insecure)。データの扱いに注意してください。",
    ),
    "fleet.secure": ("Certificate validation", "証明書の検証"),
    "fleet.secure.all": ("on for every host (no --insecure)", "すべてのホストで有効 (--insecure なし)"),
    "fleet.secure.some": (
        "off for {n} of {total} hosts (--insecure)",
        "{total} 台中 {n} 台で無効 (--insecure)",
    ),
    "fleet.hosts": ("hosts", "ホスト"),
    "fleet.scanned": ("scanned", "スキャン済み"),
    "fleet.unscanned": ("could not be scanned", "スキャンできず"),
    "fleet.failing": ("with failing findings", "失敗項目あり"),
    "fleet.healthy": ("no problem found", "問題なし"),
    "fleet.groups": ("Failure groups, largest first", "失敗のグループ (多い順)"),
    "fleet.groups.intro": (
        "Hosts with the same failing findings form one group: one fix for all of them.",
        "同じ失敗項目を持つホストを 1 つのグループにしています。対処は全ホスト共通です。",
    ),
    "fleet.groups.none": ("No scanned host has a failing finding.", "失敗項目のあるホストはありません。"),
    "fleet.group.hosts": ("{n} hosts", "{n} 台"),
    "fleet.group.sample": ("Hosts", "ホスト"),
    "fleet.group.more": ("and {n} more (see Hosts below)", "ほか {n} 台 (下の「ホスト一覧」を参照)"),
    "fleet.all_hosts": ("Hosts", "ホスト一覧"),
    "fleet.all_hosts.intro": ("Every host, by name.", "すべてのホスト (名前順)。"),
    "fleet.all_hosts.capped": (
        "Showing {shown} of {total} hosts by name: those that need attention first, then healthy ones; "
        "the CSV and JSON reports list every host.",
        "全 {total} 台のうち {shown} 台を名前順で表示しています (対処が必要なホストを優先)。"
        "CSV と JSON のレポートにはすべてのホストがあります。",
    ),
    "fleet.groups.capped": (
        "Showing the {shown} largest of {total} groups; the JSON report lists every group.",
        "全 {total} グループのうち大きい順に {shown} グループを表示しています。JSON のレポートにはすべてがあります。",
    ),
    "fleet.col.host": ("Host", "ホスト"),
    "fleet.col.status": ("Status", "状態"),
    "fleet.col.result": ("Result", "結果"),
    "fleet.col.findings": ("Failing and warning findings", "失敗・警告の項目"),
    "fleet.col.findings.short": ("Findings", "項目"),
    "fleet.col.time": ("Scan time", "スキャン時間"),
    "fleet.col.count": ("Hosts", "台数"),
    "fleet.col.fail": ("fail", "失敗"),
    "fleet.col.warn": ("warn", "警告"),
    "fleet.reports_note": (
        "A linked host opens its full report (evidence, steps, machine facts): {written} written",
        "リンクのあるホストは詳細レポート (根拠・対処手順・PC の情報) を開きます: {written} 件",
    ),
    "fleet.reports_capped": (
        " of {total} hosts needing attention (the first ones in the results; run msdiag diagnose on a "
        "host's capture for the others)",
        " (対象 {total} 件中。残りはホストのキャプチャで msdiag diagnose を実行してください)",
    ),
    "fleet.by_finding": ("Counts by finding", "項目ごとの件数"),
    "fleet.charts": ("Charts", "グラフ"),
    "fleet.charts.narrow": (
        "The charts need a wider screen; the counts above hold the same numbers.",
        "グラフには広い画面が必要です。上の件数に同じ数値があります。",
    ),
    "fleet.chart.states": ("Hosts by status", "ホストの状態"),
    "fleet.chart.groups": ("Largest failure groups", "失敗のグループ (上位)"),
    "fleet.chart.duration": ("Scan duration per host", "ホストごとのスキャン時間"),
    "fleet.matrix": ("Hosts × findings", "ホスト × 項目"),
    "fleet.matrix.key": ("F = fail, W = warn.", "F = 失敗、W = 警告。"),
    "fleet.matrix.capped": (
        "Showing {rows} of {rows_total} hosts with findings and {cols} of {cols_total} findings "
        "(most failing first); the CSV and JSON reports list every host.",
        "項目のあるホスト {rows_total} 台中 {rows} 台、項目 {cols_total} 件中 {cols} 件を表示しています "
        "(失敗の多い順)。CSV と JSON のレポートにはすべてのホストがあります。",
    ),
    "fleet.matrix.narrow": (
        "The matrix needs a wider screen; the groups and the host list above hold the same facts.",
        "この表には広い画面が必要です。上のグループとホスト一覧に同じ情報があります。",
    ),
    "fleet.problems": ("Results file notes", "結果ファイルの注意"),
    "fleet.none": ("none", "なし"),
    "fleet.fix": ("Do this first", "まず行うこと"),
    "fleet.state_detail": ("Why", "理由"),
    # the fleet report on a terminal
    "fleet.table.hosts": ("{n} hosts: ", "ホスト {n} 台: "),
    "fleet.table.results": ("results: ", "結果: "),
    "fleet.table.groups": (
        "Failure groups (hosts with the same failing findings), largest first:",
        "失敗のグループ (同じ失敗項目のホスト、多い順):",
    ),
    "fleet.table.group": ("{n} hosts", "{n} 台"),
    "fleet.table.do_first": ("do this first", "まず行うこと"),
    "fleet.table.hosts_in": ("hosts", "ホスト"),
    "fleet.table.more_groups": (
        "... {n} more groups (see the HTML, JSON or CSV report)",
        "... ほか {n} グループ (HTML・JSON・CSV を参照)",
    ),
    "fleet.table.unscanned": ("Hosts that could not be scanned:", "スキャンできなかったホスト:"),
    "fleet.table.more_hosts": ("... and {n} more", "... ほか {n} 台"),
    "fleet.table.note": ("note: ", "注意: "),
    "host_state.ok": ("scanned", "スキャン済み"),
    "host_state.unreachable": ("could not connect", "接続できません"),
    "host_state.tls": ("TLS or certificate error", "TLS・証明書のエラー"),
    "host_state.auth_failed": ("sign-in to the host refused", "ホストへのログオンを拒否"),
    "host_state.timeout": ("timed out", "タイムアウト"),
    "host_state.winrm_fault": ("WinRM error", "WinRM のエラー"),
    "host_state.script_error": ("script error", "スクリプトのエラー"),
    "host_state.bad_output": ("unreadable output", "読み取れない出力"),
    "host_state.no_powershell": ("no PowerShell", "PowerShell なし"),
    "fleet.verdict.not_scanned": ("not scanned", "未スキャン"),
}


def html_label(key: str, lang: str, **values: object) -> str:
    en, ja = HTML_LABELS[key]
    text = ja if lang == "ja" else en
    return text.format(**values) if values else text


def html_labels_for(lang: str) -> dict[str, str]:
    """The shared catalog and these words in one language, for templates."""
    words = labels_for(lang)
    words.update((key, ja if lang == "ja" else en) for key, (en, ja) in HTML_LABELS.items())
    return words


def host_state_label(state: str, lang: str) -> str:
    """A host status in words; a status this catalog does not know yet is shown as it is named."""
    key = f"host_state.{state}"
    return html_label(key, lang) if key in HTML_LABELS else state.replace("_", " ")
