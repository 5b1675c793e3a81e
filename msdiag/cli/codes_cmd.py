"""`msdiag codes [CODE]`: list the knowledge base, or explain one error code or message.

Both pages fit the terminal (at most 80 columns): text wraps by display width, so Japanese, whose
characters take two columns, wraps where the eye expects it. Every step says what it does to the
machine, and every entry says how far its sources back it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import click

from msdiag.cli.reference import FORMAT_OPTION, Words, cells, dumps, page_width, wrap
from msdiag.diagnosis.models import DecodedHresult, Step
from msdiag.i18n import LANG_OPTION, Lang
from msdiag.knowledge.kb import KnowledgeBase, Lookup
from msdiag.knowledge.models import Entry

NO_ENTRY = {
    "en": "msdiag has no entry for this code",
    "ja": "msdiag のナレッジ ベースにこのコードの項目はありません",
}
WORDS = Words.load("codes")

HELP = """\
Without CODE, list the knowledge base. With CODE, explain that code or message.

\b
CODE may be written the way users report it:
  0x800704CF  800704cf  -2147023665  2147943631  1231  CAA70007
  AADSTS50079  "Something went wrong [1001]"  「この国番号は対応していません」

Each entry says how far its sources back it (documented by Microsoft, community reports,
unconfirmed); each step that records the current state or changes the PC says so. An
unknown but well-formed code is still decoded (facility, Win32 error) and exits 0; text
that is neither a code nor a known message exits 2.

\b
JSON (--format json), keys sorted, UTF-8:
  no CODE:   [ENTRY, ...] sorted by id
  CODE:      ENTRY plus "query" and "decoded" (null for messages and AADSTS codes)
  unknown:   {"id": null, "query": ..., "decoded": {...}, "note": "msdiag has no entry for this code"}
  ENTRY:     {id, kind, codes, aliases, name, meaning{en,ja}, seen_in{en,ja},
              causes[{id, text{en,ja}, rules[], remediation[STEP]}], remediation[STEP],
              sources[], last_verified, confidence}
  STEP:      {en, ja, kind}: kind "advice" (changes nothing), "record" (records the
             current state) or "change" (changes the PC; comes after a record step)
  decoded:   {hresult, severity_bit, facility, facility_name, code, win32_name,
              win32_message, win32_message_ja, name, message}
"""


class _Page:
    """Lines of a reference page, wrapped to the page width by display cells."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []

    def text(self, text: str, indent: str = "", first: str | None = None) -> None:
        lead = indent if first is None else first
        hang = " " * cells(lead)
        for n, line in enumerate(wrap(text, max(self.width - cells(lead), 20))):
            self.lines.append((lead if n == 0 else hang) + line)

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def steps(self, steps: Sequence[Step], lang: Lang, indent: str) -> None:
        for n, step in enumerate(steps, 1):
            tag = f"{WORDS(f'step.{step.kind}', lang)} " if step.kind != "advice" else ""
            self.text(tag + step.get(lang), first=f"{indent}{n}. ")

    def render(self) -> str:
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines)


def _display_code(entry: Entry) -> str:
    return ", ".join(entry.codes) if entry.codes else entry.id


def _level(entry: Entry, lang: Lang) -> str:
    return WORDS(f"level.{entry.confidence}", lang)


def render_list(kb: KnowledgeBase, lang: Lang, width: int = 80) -> str:
    """Every entry as a short block: code and evidence, name, meaning (wrapped)."""
    page = _Page(width)
    counts = Counter(e.confidence for e in kb.entries)
    levels = WORDS("separator", lang).join(
        WORDS("count", lang).format(n=counts[level], level=WORDS(f"level.{level}", lang))
        for level in ("documented", "community", "unconfirmed")
    )
    page.text(WORDS("summary", lang).format(total=len(kb.entries), levels=levels))
    for entry in kb.entries:
        page.blank()
        page.text(f"{_display_code(entry)}  [{_level(entry, lang)}]")
        page.text(entry.name, indent="  ")
        page.text(entry.meaning.get(lang), indent="  ")
    return page.render()


def _render_decoded(page: _Page, decoded: DecodedHresult, lang: Lang) -> None:
    page.text(f"{WORDS('decoded', lang)}: {decoded.hresult}")
    page.text(f"{WORDS('severity', lang)}: {int(decoded.severity_bit)}", indent="  ")
    page.text(f"{WORDS('facility', lang)}: {decoded.facility} ({decoded.facility_name or '?'})", indent="  ")
    page.text(f"{WORDS('code', lang)}: {decoded.code} (0x{decoded.code:04X})", indent="  ")
    if decoded.name:
        page.text(f"{WORDS('name', lang)}: {decoded.name}", indent="  ")
    if decoded.message:
        page.text(decoded.message, indent="  ")
    if decoded.win32_name:
        page.text(f"{WORDS('win32', lang)}: {decoded.win32_name}", indent="  ")
    if decoded.win32_message:
        if lang == "ja" and decoded.win32_message_ja:
            page.text(decoded.win32_message_ja, indent="  ")
        else:
            page.text(decoded.win32_message, indent="  ")
            if lang == "ja":
                page.text(WORDS("english_only", lang), indent="  ")


def render_entry(entry: Entry, decoded: DecodedHresult | None, lang: Lang, width: int = 80) -> str:
    page = _Page(width)
    page.text(f"{_display_code(entry)}  {entry.name}")
    page.text(f"{WORDS('evidence', lang)}: {_level(entry, lang)}")
    page.blank()
    page.text(entry.meaning.get(lang))
    page.blank()
    page.text(f"{WORDS('seen_in', lang)}: {entry.seen_in.get(lang)}")
    if decoded is not None:
        page.blank()
        _render_decoded(page, decoded, lang)
    if entry.causes:
        page.blank()
        page.text(f"{WORDS('causes', lang)}:")
        for cause in entry.causes:
            page.text(cause.text.get(lang), first="  - ")
            checked = ", ".join(cause.rules) if cause.rules else WORDS("account_side", lang)
            page.text(f"{WORDS('checked_by', lang)}: {checked}", indent="    ")
            page.steps(cause.remediation, lang, indent="    ")
    if entry.remediation:
        page.blank()
        page.text(f"{WORDS('steps', lang)}:")
        page.steps(entry.remediation, lang, indent="  ")
    page.blank()
    page.text(f"{WORDS('sources', lang)}:")
    for source in entry.sources:
        page.lines.append(f"  - {source}")  # never wrapped: a URL must stay whole to be copied
    page.blank()
    page.text(f"{WORDS('last_verified', lang)}: {entry.last_verified}")
    return page.render()


def render_unknown(found: Lookup, lang: Lang, width: int = 80) -> str:
    page = _Page(width)
    page.text(f"{found.normalized}: {NO_ENTRY[lang]}")
    if found.decoded is not None:
        page.blank()
        _render_decoded(page, found.decoded, lang)
    return page.render()


def lookup_json(found: Lookup) -> dict[str, Any]:
    decoded = found.decoded.model_dump(mode="json") if found.decoded else None
    if found.entry is None:
        return {"id": None, "query": found.query, "decoded": decoded, "note": NO_ENTRY["en"]}
    return {**found.entry.model_dump(mode="json"), "query": found.query, "decoded": decoded}


@click.command(
    "codes",
    help=HELP,
    short_help="Explain an error code or message, or list them all.",
    # a signed decimal HRESULT (-2147023665) starts with "-": let it through as CODE
    context_settings={"ignore_unknown_options": True},
)
@click.argument("code", required=False)
@FORMAT_OPTION
@LANG_OPTION
def codes(code: str | None, output_format: str, lang: Lang) -> None:
    kb = KnowledgeBase.default()
    width = page_width()
    if code is None:
        if output_format == "json":
            click.echo(dumps([e.model_dump(mode="json") for e in kb.entries]))
        else:
            click.echo(render_list(kb, lang, width))
        return
    found = kb.lookup(code)  # InputError -> "msdiag: ..." and exit 2 (msdiag.cli.main)
    if output_format == "json":
        click.echo(dumps(lookup_json(found)))
    elif found.entry is None:
        click.echo(render_unknown(found, lang, width))
    else:
        click.echo(render_entry(found.entry, found.decoded, lang, width))


COMMANDS: list[click.Command] = [codes]
