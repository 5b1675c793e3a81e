"""Remediation steps by what they do to the machine: advice, record (back up the state), change.

A change step always says who should make it on a managed PC (``change()`` adds the sentence), and
every list of steps puts a record step before its first change (``check_order`` enforces it when a
rule registers), so whoever follows the steps can put the machine back as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

from msdiag.diagnosis.models import Localized, Step

#: appended to every change step (the policy's wording, as the knowledge base's entries say it)
MANAGED_PC = Localized(
    en="On a managed (work or school) PC, ask your administrator to do this.",
    ja="会社や学校が管理する PC では、管理者に依頼してください。",
)


def advice(en: str, ja: str) -> Step:
    """A step that changes nothing: look, sign in, choose, ask someone."""
    return Step(en=en, ja=ja, kind="advice")


def record(en: str, ja: str) -> Step:
    """A step that records or backs up the current state before anything is changed."""
    return Step(en=en, ja=ja, kind="record")


def change(en: str, ja: str) -> Step:
    """A step that changes the machine; says that on a managed PC the administrator does it."""
    return Step(en=f"{en} {MANAGED_PC.en}", ja=f"{ja}{MANAGED_PC.ja}", kind="change")


def as_step(text: Localized) -> Step:
    """A plain Localized text is an advice step."""
    return text if isinstance(text, Step) else Step.model_validate(text)


def order_problems(steps: Sequence[Localized]) -> list[str]:
    """What breaks the policy in ``steps``: a change before any record step, a change without the
    managed-PC sentence (empty = the order is safe)."""
    problems: list[str] = []
    recorded = False
    for index, step in enumerate(as_step(s) for s in steps):
        if step.kind == "record":
            recorded = True
        elif step.kind == "change":
            if not recorded:
                problems.append(f"step {index + 1} changes the machine before any step records its state")
            if MANAGED_PC.en not in step.en or MANAGED_PC.ja not in step.ja:
                problems.append(f"step {index + 1} changes the machine without the managed-PC sentence")
    return problems


# ---------------------------------------------------------------- record steps several rules share
RECORD_WINHTTP_PROXY = record(
    "First record the current proxy settings: run `netsh winhttp show proxy` and note the proxy shown "
    "in Settings > Network & internet > Proxy (keep both with the ticket).",
    "まず現在のプロキシ設定を記録します。`netsh winhttp show proxy` を実行し、設定 > ネットワークと"
    "インターネット > プロキシ に表示される内容も控えてください(どちらもチケットに残します)。",
)
BACKUP_HOSTS_FILE = record(
    r"First back up the hosts file: `copy C:\Windows\System32\drivers\etc\hosts "
    r"%USERPROFILE%\Desktop\hosts-before.txt`.",
    r"まず hosts ファイルをバックアップします: `copy C:\Windows\System32\drivers\etc\hosts "
    r"%USERPROFILE%\Desktop\hosts-before.txt`。",
)
EXPORT_FIREWALL = record(
    r"First export the firewall rules: `netsh advfirewall export %USERPROFILE%\Desktop\firewall-before.wfw` "
    "(as administrator), and note which security software is installed.",
    r"まずファイアウォールの規則をエクスポートします: 管理者として `netsh advfirewall export "
    r"%USERPROFILE%\Desktop\firewall-before.wfw` を実行し、導入されているセキュリティ ソフトも控えてください。",
)


def record_services(*names: str) -> Step:
    """Record a service's configuration (start type) before it is changed: `sc qc NAME`."""
    commands = ", ".join(f"`sc qc {name}`" for name in names)
    return record(
        f"Record the service configuration: run {commands} and keep the output.",
        f"サービスの構成を記録します: {commands} を実行し、出力を残してください。",
    )
