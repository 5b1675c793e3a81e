"""The policy every knowledge-base entry and every rule's remediation keeps: safe steps, public sources,
honest evidence. A helpdesk acts on what msdiag says, so a wrong step does harm.

Steps (``check_steps``):
  * a step whose text changes the machine (registry, netsh, the hosts file, services, resets,
    ownership, re-registering, rejoining, settings) is ``kind = "change"``; a change step comes after
    a ``record`` step of the same list and tells a user on a managed PC to ask the administrator
    (the model enforces those two; this module finds change steps mislabelled as advice);
  * a ``record`` step really records (it shows, exports, copies, notes or saves something);
  * no step weakens security (security-software exclusions, certificate or TLS checks off, loopback
    exemptions, the firewall or antivirus off): a deny-list, with reviewed exceptions where a word
    is fine in its context. A sentence that starts with "Do not" / "Don't" / "Never" warns, it does
    not instruct, and is not matched.
Sources (``check_sources``): https pages on public hosts (``SOURCE_HOSTS``), no internal ids, never a
  Windows-activation workaround repository.
Evidence (``check_evidence``): "documented" cites a Microsoft documentation page, "community" a
  public community page, "unconfirmed" says so in its meaning; causes msdiag cannot stand behind
  (all of an unconfirmed entry's, and those of a community entry no rule can check) are worded as
  possibilities.

The texts are English-first: the Japanese of a step says the same, and the deny-list reads both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final, Literal, NamedTuple
from urllib.parse import urlsplit

from msdiag.diagnosis.models import Localized, Step
from msdiag.knowledge.models import MANAGED_DEVICE, Entry

SourceKind = Literal["microsoft", "community"]


class Violation(NamedTuple):
    """One breach of the policy: where (entry or rule, and the step or field), which rule, the text."""

    where: str
    rule: str
    text: str


# ---------------------------------------------------------------- steps
#: a sentence that warns against something ("Do not clear the TPM yourself") instructs nothing
_WARNING = re.compile(r"^\s*(do not|don't|never)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'`(])")

#: English wording of an instruction that changes the machine (case-insensitive, per sentence)
CHANGE_WORDING: Final = re.compile(
    r"""
      \bnetsh\s+winhttp\s+(import|reset|set)\b
    | \bnetsh\s+advfirewall\s+(set|reset|import)\b
    | \bnetsh\s+(winsock|int\s+ip)\s+reset\b
    | \breg(\.exe)?\s+(add|delete|import|restore|load)\b
    | \b(Set|New|Remove)-ItemProperty\b | \bSet-Acl\b | \bSet-Service\b | \bClear-Tpm\b
    | \bsc(\.exe)?\s+config\b | \bnet\s+start\b
    | \bAdd-AppxPackage\b | \bre-?register\b | \brejoin\b | \bunjoin\b
    | \bdsregcmd\s+(/debug\s+)?/(leave|forcerecovery)\b
    | \btake\s+ownership\b | \btakeown\b | \benable\s+inheritance\b | \bicacls\b.*?/(grant|reset|setowner|restore)
    | \b(disconnect|remove)\b.*?\b(re-?add|reconnect)\b | \bdisconnect\s+one\b
    | \bhosts\b.*?\b(delete|remove|edit)\b | \b(delete|remove|edit)\b.*?\b(lines?|hosts)\b
    | \b(turn|switch|toggle)\s+(the\s+\w+\s+)?(off|on|back\s+on)\b | \bturn\s+\S+(\s+\S+){0,4}\s+(off|back\s+on)\b
    | \b(set|correct|fix|adjust)\s+(the\s+)?(date|time|clock)\b | \bSync\s+now\b | \bsync\s+the\s+clock\b | \bset\s+HK(LM|CU)\\ | \bEnabled=\d
    | \b(reset|set)\b.*?\bto\s+(Automatic|Manual)\b | \b(set|change|reset)\b.*?\bstart(up)?\s+type\b
    | \bset\s+the\s+adapter's\s+DNS\b | \bset\s+'Country\s+or\s+region'
    | \breset\s+(the\s+)?(Windows\s+Hello\s+)?PIN\b
    | \b(update|upgrade)\s+Windows\b | \binstall\s+the\s+latest\b
    | \b(remove|disable)\b.*?\b(firewall\s+)?rules?\b.*?\bblock
    | \benroll\s+the\s+device\b | \bundo\s+(that\s+setting|the\s+tool)
    | \bremove\s+or\s+correct\s+HTTP_PROXY\b
    | \bremove\s+the\s+account\s+from\s+the\s+app\b | \bclear\s+the\s+(browser\s+)?cache\b
    """,
    re.I | re.X,
)
#: what a record step does
RECORD_WORDING: Final = re.compile(
    r"\b(record|back\s+up|export|save|note|copy|keep)\b|\bshow\s+proxy\b|\breg\s+query\b|\bGet-\w+", re.I
)

#: wording that weakens a protection, in English (per sentence) and Japanese
WEAKENING_WORDING: Final = (
    re.compile(
        r"""
          \bexclu(de|sion)s?\b | \bexempt(ion)?s?\b | \bexception\b
        | \bloopback\b | \bCheckNetIsolation\b
        | \b(disable|turn\s+off|switch\s+off|stop)\b.*?\b(firewall(?!\s+rule)|antivirus|anti-virus|Defender|real-time\s+protection|security\s+software|SmartScreen|User\s+Account\s+Control|UAC)\b
        | \b(uninstall|remove)\b.*?\b(antivirus|anti-virus|Defender|security\s+software)\b
        | \b(disable|turn\s+off|switch\s+off|ignore|skip|bypass)\b.*?\b(certificate|revocation|TLS|SSL)\b
        | \ballow\b.*?\bthrough\b.*?\b(antivirus|anti-virus|security\s+software)\b
        | \bSet-ExecutionPolicy\s+(Unrestricted|Bypass)\b
        """,
        re.I | re.X,
    ),
    re.compile(
        r"除外|ループバック|(ファイアウォール|ウイルス対策|セキュリティ\s*ソフト|証明書の(検証|確認)|TLS)[^。]{0,12}を(無効に|オフに|停止)"
    ),
)
#: reviewed wording that the deny-list matches but that weakens nothing, and why
REVIEWED_WORDING: Final[dict[str, str]] = {
    # Microsoft asks for Microsoft 365 sign-in traffic to pass TLS inspection untouched; the request
    # goes to the network's administrator, nothing changes on the PC
    "from TLS inspection": "a request to the network administrator to stop rewriting Microsoft traffic",
    "TLS 検査の対象外": "the same request, in Japanese",
    "HTTPS 検査の対象外": "the same request, in Japanese",
}


def _instructions(text: str) -> list[str]:
    """The sentences of a step that instruct (warnings like "Do not ..." are dropped)."""
    return [s for s in _SENTENCE.split(text) if s.strip() and not _WARNING.match(s)]


def changes_machine(text: str) -> bool:
    """True when the English step text tells someone to change the machine."""
    return any(CHANGE_WORDING.search(sentence) for sentence in _instructions(text))


def _ja_instructions(text: str) -> str:
    # a Japanese warning ("…を無効にしないでください") warns, it does not instruct
    return "".join(s for s in re.split(r"(?<=。)", text) if "ないでください" not in s)


def weakening(text: Localized) -> str | None:
    """The wording of the step that weakens security, None when there is none.

    A sentence holding reviewed wording (``REVIEWED_WORDING``) is not matched.
    """
    english, japanese = WEAKENING_WORDING
    for sentence in _instructions(text.en):
        if not any(r in sentence for r in REVIEWED_WORDING) and (match := english.search(sentence)):
            return match.group(0)
    for sentence in re.split(r"(?<=。)", _ja_instructions(text.ja)):
        if not any(r in sentence for r in REVIEWED_WORDING) and (match := japanese.search(sentence)):
            return match.group(0)
    return None


def check_steps(where: str, steps: Sequence[Localized]) -> list[Violation]:
    """Everything wrong with one ordered list of steps (an entry's, a cause's or a rule's)."""
    found: list[Violation] = []
    recorded = False
    for number, step in enumerate(steps, 1):
        kind = step.kind if isinstance(step, Step) else "advice"
        at = f"{where} step {number}"
        if (bad := weakening(step)) is not None:
            found.append(Violation(at, f"weakens security ({bad!r})", step.en))
        if kind == "record":
            recorded = True
            if not RECORD_WORDING.search(step.en):
                found.append(Violation(at, "a record step that does not say what it records", step.en))
        elif changes_machine(step.en):
            if kind != "change":
                found.append(Violation(at, f'changes the machine but is kind "{kind}", not "change"', step.en))
            if not recorded:
                found.append(Violation(at, "changes the machine with no earlier step recording the state", step.en))
            for lang in ("en", "ja"):
                if MANAGED_DEVICE.get(lang) not in step.get(lang):
                    found.append(Violation(at, f"changes the machine without {MANAGED_DEVICE.get(lang)!r}", step.en))
    return found


# ---------------------------------------------------------------- sources
#: hosts whose pages may be shown to users, with what they are
SOURCE_HOSTS: Final[dict[str, str]] = {
    "learn.microsoft.com": "Microsoft Learn (its /answers/ pages are Microsoft Q&A threads: community)",
    "support.microsoft.com": "Microsoft Support articles",
    "microsoft.github.io": "Microsoft's own generated API documentation (windows-docs-rs)",
    "github.com": "public issue threads and Microsoft's open-source code (activation tools excluded)",
    "ittrip.xyz": "the public copy of the Japanese article the scenario starts from (community blog)",
    "fr.ittrip.xyz": "the same site's French article quoting the Microsoft account page (community)",
    "1357.info": "a Japanese community page on carriers blocking SMS from abroad",
    "blog.glcomputing.com.au": "a community post quoting the Office TPM error dialog",
}
#: hosts of Microsoft documentation pages (Microsoft Q&A threads excluded below)
MICROSOFT_DOC_HOSTS: Final = frozenset({"learn.microsoft.com", "support.microsoft.com", "microsoft.github.io"})
#: repositories never shown as a source: Windows/Office activation workarounds (licence circumvention)
DENIED_REPOSITORY: Final = re.compile(r"activat|\bkms|\bhwid|massgravel", re.I)
_QNA_PATH: Final = re.compile(r"^/(?:[a-z]{2}-[a-z]{2}/)?answers/", re.I)


def source_kind(url: str) -> SourceKind:
    """Whether a (valid) source is a Microsoft documentation page or a community page."""
    parts = urlsplit(url)
    if parts.hostname in MICROSOFT_DOC_HOSTS and not _QNA_PATH.match(parts.path):
        return "microsoft"
    return "community"


def source_problem(url: str) -> str | None:
    """Why this source may not be shown to users, None when it may."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return "not an https URL"
    if parts.username or parts.password or parts.port:
        return "carries credentials or a port"
    if parts.hostname not in SOURCE_HOSTS:
        return f"host {parts.hostname} is not on the list of public source hosts (policy.SOURCE_HOSTS)"
    if parts.hostname == "github.com":
        repository = "/".join(parts.path.strip("/").split("/")[:2])
        if DENIED_REPOSITORY.search(repository):
            return f"repository {repository} is a Windows-activation workaround"
    return None


def check_sources(entry: Entry) -> list[Violation]:
    return [
        Violation(f"{entry.id} source", problem, url)
        for url in entry.sources
        if (problem := source_problem(url)) is not None
    ]


# ---------------------------------------------------------------- evidence
POSSIBILITY_EN: Final = re.compile(r"\b(possibly|may|might|could|can|perhaps)\b", re.I)
POSSIBILITY_JA: Final = re.compile(r"可能性|場合があります|ことがあります|かもしれません|と考えられます")


def is_possibility(text: Localized) -> bool:
    """The text is worded as a possibility in both languages."""
    return bool(POSSIBILITY_EN.search(text.en) and POSSIBILITY_JA.search(text.ja))


def check_evidence(entry: Entry) -> list[Violation]:
    """The evidence level matches the sources, and doubtful causes are worded as possibilities."""
    found: list[Violation] = []
    kinds = {source_kind(url) for url in entry.sources}
    where = f"{entry.id} evidence"
    if entry.confidence == "documented" and "microsoft" not in kinds:
        found.append(Violation(where, '"documented" but no Microsoft documentation page is cited', entry.confidence))
    if entry.confidence == "community" and "community" not in kinds:
        found.append(Violation(where, '"community" but no community page is cited', entry.confidence))
    if entry.confidence == "unconfirmed" and not (
        "unconfirmed" in entry.meaning.en.lower() and "未確認" in entry.meaning.ja
    ):
        found.append(Violation(where, '"unconfirmed" but the meaning does not say so in both languages', entry.meaning.en))
    for cause in entry.causes:
        doubtful = entry.confidence == "unconfirmed" or (entry.confidence == "community" and not cause.rules)
        if doubtful and not is_possibility(cause.text):
            found.append(Violation(f"{entry.id} cause {cause.id}", "not worded as a possibility", cause.text.en))
    return found


def check_entry(entry: Entry) -> list[Violation]:
    """Every breach of the policy in one entry: its steps, its causes' steps, sources and evidence."""
    found = check_steps(f"{entry.id} remediation", entry.remediation)
    for cause in entry.causes:
        found += check_steps(f"{entry.id} cause {cause.id}", cause.remediation)
    return found + check_sources(entry) + check_evidence(entry)


def check_entries(entries: Iterable[Entry]) -> list[Violation]:
    return [violation for entry in entries for violation in check_entry(entry)]
