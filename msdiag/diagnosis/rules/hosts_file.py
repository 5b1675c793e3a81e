"""Hosts-file rules: lines that send Microsoft sign-in hosts somewhere else."""

from __future__ import annotations

from msdiag.capture.models import EndpointsData, NetworkData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import Severity
from msdiag.diagnosis.rules.base import L, Outcome, ev, fail, not_collected, passed, rule, warn
from msdiag.diagnosis.rules.probes import host_list, is_microsoft_host, probe_path
from msdiag.diagnosis.steps import BACKUP_HOSTS_FILE, change

#: addresses that make a hosts-file line a block rather than a redirect
BLOCK_ADDRESSES = {"0.0.0.0", "127.0.0.1", "::1", "::", "0:0:0:0:0:0:0:0"}


@rule(
    id="hosts_file.override",
    severity=Severity.CRITICAL,
    problem=L(
        "The hosts file overrides a Microsoft sign-in host",
        "hosts ファイルが Microsoft のサインイン用ホストを上書きしています",
    ),
    subject=L("hosts-file entries for Microsoft hosts", "Microsoft のホストに対する hosts ファイルの設定"),
    remediation=(
        BACKUP_HOSTS_FILE,
        change(
            r"Open C:\Windows\System32\drivers\etc\hosts as administrator, delete the listed lines, "
            "save, and run `ipconfig /flushdns`.",
            r"管理者として C:\Windows\System32\drivers\etc\hosts を開き、表示された行を削除して保存し、"
            "`ipconfig /flushdns` を実行してください。",
        ),
        change(
            "Privacy or 'debloat' tools often add these lines; undo the tool's telemetry block.",
            "プライバシー対策や不要機能削除ツールがこの行を追加することがよくあります。ツールの設定を元に戻してください。",
        ),
    ),
    explains=("endpoints.ncsi_blocked",),
)
def override(network: NetworkData, endpoints: EndpointsData | None, facts: Facts) -> Outcome:
    """A hosts-file line names a Microsoft sign-in or connectivity host.

    Reads the parsed hosts file (``network.hosts_entries``: address, host name, line number)
    and keeps the lines whose host is in a Microsoft account domain (live.com,
    microsoftonline.com, msftconnecttest.com ...). Fails when such a host is reached directly,
    saying whether the line blocks it (0.0.0.0, 127.0.0.1, ::1) or redirects it. When every
    such host goes through the proxy (from the endpoint probes, when collected), it only warns:
    the proxy resolves the name, but sign-in breaks as soon as the proxy is bypassed. Not
    collected when the hosts file could not be read.

    Why it matters: privacy and "debloat" tools add these lines; Windows then cannot reach the
    sign-in servers (0x800704CF, 0x80072EFD) or, with www.msftconnecttest.com blocked,
    believes it is offline and shows "You'll need the Internet for this" (0xCAA70007).
    """
    if network.hosts_file_readable is False:
        return not_collected("the hosts file could not be read", "hosts ファイルを読み取れませんでした")
    entries = [e for e in network.hosts_entries if is_microsoft_host(e.hostname)]
    if not entries:
        return passed(
            L(
                "No hosts-file line names a Microsoft account host.",
                "hosts ファイルに Microsoft アカウントのホストを指定した行はありません。",
            ),
            [ev("network.hosts_entries", [f"{e.address} {e.hostname}" for e in network.hosts_entries])],
        )
    proxied: dict[str, str] = {}
    if endpoints is not None:
        for p in endpoints.probes:
            path = probe_path(p, facts.proxy)
            if path.proxy:
                proxied[p.host.lower()] = path.proxy
    evidence = [
        ev(
            f"network.hosts_entries[{e.hostname}]",
            f"{e.address} {e.hostname}",
            f"line {e.line_number}" if e.line_number else "line unknown",
            f"{e.line_number} 行目" if e.line_number else "行番号不明",
        )
        for e in entries
    ]
    direct = [e for e in entries if e.hostname.lower() not in proxied]
    names = host_list(sorted({e.hostname for e in entries}))
    if direct:
        blocked = [e.hostname for e in direct if e.address in BLOCK_ADDRESSES]
        what_en = "blocks" if blocked else "redirects"
        what_ja = "ブロック" if blocked else "別のアドレスに転送"
        return fail(
            L(
                f"The hosts file {what_en} {host_list(sorted({e.hostname for e in direct}))} "
                f"({', '.join(sorted({e.address for e in direct}))}).",
                f"hosts ファイルが {host_list(sorted({e.hostname for e in direct}))} を{what_ja}しています"
                f"({', '.join(sorted({e.address for e in direct}))})。",
            ),
            evidence,
        )
    return warn(
        L(
            f"The hosts file names {names}, but these go through the proxy now; sign-in breaks as soon "
            "as the proxy is bypassed or turned off.",
            f"hosts ファイルに {names} の行があります。現在はプロキシ経由のため影響しませんが、"
            "プロキシを使わない接続ではサインインできなくなります。",
        ),
        evidence,
        severity=Severity.MEDIUM,
    )
