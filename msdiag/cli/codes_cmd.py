"""`msdiag codes [CODE]`: list the knowledge base, or explain one error code or message."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import click
from tabulate import tabulate

from msdiag.diagnosis.models import DecodedHresult
from msdiag.i18n import LANG_OPTION, Lang
from msdiag.knowledge.kb import KnowledgeBase, Lookup
from msdiag.knowledge.models import Entry

NO_ENTRY = {
    "en": "msdiag has no entry for this code",
    "ja": "msdiag のナレッジ ベースにこのコードの項目はありません",
}
_LABELS: dict[str, dict[Lang, str]] = {
    "code": {"en": "code", "ja": "コード"},
    "name": {"en": "name", "ja": "名前"},
    "meaning": {"en": "meaning", "ja": "意味"},
    "confidence": {"en": "confidence", "ja": "確度"},
    "seen_in": {"en": "Where users see it", "ja": "表示される場面"},
    "causes": {"en": "Possible causes", "ja": "考えられる原因"},
    "checked_by": {"en": "checked by", "ja": "確認するルール"},
    "account_side": {
        "en": "cannot be checked from the machine (account side)",
        "ja": "PC からは確認できません (アカウント側)",
    },
    "steps": {"en": "Steps", "ja": "対処手順"},
    "sources": {"en": "Sources", "ja": "出典"},
    "last_verified": {"en": "Last verified", "ja": "最終確認日"},
    "decoded": {"en": "Decoded", "ja": "コードの内訳"},
    "facility": {"en": "facility", "ja": "ファシリティ"},
    "win32": {"en": "Win32 error", "ja": "Win32 エラー"},
    "severity": {"en": "severity bit", "ja": "重大度ビット"},
}
_CONFIDENCE: dict[str, dict[Lang, str]] = {
    "documented": {"en": "documented by Microsoft", "ja": "Microsoft の資料あり"},
    "community": {"en": "community report", "ja": "コミュニティの報告"},
    "unconfirmed": {"en": "unconfirmed", "ja": "未確認"},
}
_MEANING_WIDTH = 64

HELP = """\
Without CODE, list the knowledge base. With CODE, explain that code or message.

\b
CODE may be written the way users report it:
  0x800704CF  800704cf  -2147023665  2147943631  1231  CAA70007
  AADSTS50079  "Something went wrong [1001]"  「この国番号は対応していません」

An unknown but well-formed code is still decoded (facility, Win32 error) and exits 0;
text that is neither a code nor a known message exits 2.

\b
JSON (--format json), keys sorted, UTF-8:
  no CODE:   [ENTRY, ...] sorted by id
  CODE:      ENTRY plus "query" and "decoded" (null for messages and AADSTS codes)
  unknown:   {"id": null, "query": ..., "decoded": {...}, "note": "msdiag has no entry for this code"}
  ENTRY:     {id, kind, codes, aliases, name, meaning{en,ja}, seen_in{en,ja},
              causes[{id, text{en,ja}, rules[], remediation[{en,ja}]}], remediation[{en,ja}],
              sources[], last_verified, confidence}
"""


def _label(key: str, lang: Lang) -> str:
    return _LABELS[key][lang]


def _display_code(entry: Entry) -> str:
    return ", ".join(entry.codes) if entry.codes else entry.id


def _columns(ch: str) -> int:
    # Wide (CJK) characters take two terminal columns: truncate Japanese by what the eye sees.
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _shorten(text: str, width: int) -> str:
    """Cut `text` to at most `width` terminal columns, marking the cut with an ellipsis."""
    if sum(_columns(ch) for ch in text) <= width:
        return text
    used, kept = 1, []
    for ch in text:
        used += _columns(ch)
        if used > width:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def render_list(kb: KnowledgeBase, lang: Lang) -> str:
    rows = [
        [
            _display_code(e),
            _shorten(e.name, 48),
            _shorten(e.meaning.get(lang), _MEANING_WIDTH),
            _CONFIDENCE[e.confidence][lang],
        ]
        for e in kb.entries
    ]
    headers = [_label(k, lang) for k in ("code", "name", "meaning", "confidence")]
    return tabulate(rows, headers=headers, tablefmt="simple")


def _render_decoded(decoded: DecodedHresult, lang: Lang) -> list[str]:
    facility = decoded.facility_name or "?"
    lines = [
        f"{_label('decoded', lang)}: {decoded.hresult}",
        f"  {_label('severity', lang)}: {int(decoded.severity_bit)}",
        f"  {_label('facility', lang)}: {decoded.facility} ({facility})",
        f"  {_label('code', lang)}: {decoded.code} (0x{decoded.code:04X})",
    ]
    if decoded.win32_name:
        lines.append(f"  {_label('win32', lang)}: {decoded.win32_name}")
    if decoded.win32_message:
        lines.append(f"  {decoded.win32_message}")
    return lines


def render_entry(entry: Entry, decoded: DecodedHresult | None, lang: Lang) -> str:
    lines = [f"{_display_code(entry)}  {entry.name}", "", entry.meaning.get(lang), ""]
    lines.append(f"{_label('seen_in', lang)}: {entry.seen_in.get(lang)}")
    if decoded is not None:
        lines += ["", *_render_decoded(decoded, lang)]
    if entry.causes:
        lines += ["", f"{_label('causes', lang)}:"]
        for cause in entry.causes:
            lines.append(f"  - {cause.text.get(lang)}")
            checked = ", ".join(cause.rules) if cause.rules else _label("account_side", lang)
            lines.append(f"    {_label('checked_by', lang)}: {checked}")
            lines.extend(f"    > {step.get(lang)}" for step in cause.remediation)
    if entry.remediation:
        lines += ["", f"{_label('steps', lang)}:"]
        lines.extend(f"  {n}. {step.get(lang)}" for n, step in enumerate(entry.remediation, 1))
    lines += ["", f"{_label('sources', lang)}:"]
    lines.extend(f"  - {source}" for source in entry.sources)
    lines += [
        "",
        f"{_label('last_verified', lang)}: {entry.last_verified}",
        f"{_label('confidence', lang)}: {_CONFIDENCE[entry.confidence][lang]}",
    ]
    return "\n".join(lines)


def render_unknown(found: Lookup, lang: Lang) -> str:
    lines = [f"{found.normalized}: {NO_ENTRY[lang]}"]
    if found.decoded is not None:
        lines += ["", *_render_decoded(found.decoded, lang)]
    return "\n".join(lines)


def lookup_json(found: Lookup) -> dict[str, Any]:
    decoded = found.decoded.model_dump(mode="json") if found.decoded else None
    if found.entry is None:
        return {"id": None, "query": found.query, "decoded": decoded, "note": NO_ENTRY["en"]}
    return {**found.entry.model_dump(mode="json"), "query": found.query, "decoded": decoded}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@click.command(
    "codes",
    help=HELP,
    short_help="Explain an error code or message, or list them all.",
    # a signed decimal HRESULT (-2147023665) starts with "-": let it through as CODE
    context_settings={"ignore_unknown_options": True},
)
@click.argument("code", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for scripts (shape above).",
)
@LANG_OPTION
def codes(code: str | None, output_format: str, lang: Lang) -> None:
    kb = KnowledgeBase.default()
    if code is None:
        if output_format == "json":
            click.echo(_dumps([e.model_dump(mode="json") for e in kb.entries]))
        else:
            click.echo(render_list(kb, lang))
        return
    found = kb.lookup(code)  # InputError -> "msdiag: ..." and exit 2 (msdiag.cli.main)
    if output_format == "json":
        click.echo(_dumps(lookup_json(found)))
    elif found.entry is None:
        click.echo(render_unknown(found, lang))
    else:
        click.echo(render_entry(found.entry, found.decoded, lang))


COMMANDS: list[click.Command] = [codes]
