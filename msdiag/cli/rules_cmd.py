"""`msdiag rules [RULE_ID]`: list the diagnosis rules, or explain one (its docstring is its page)."""

from __future__ import annotations

import difflib
import textwrap
from typing import Any

import click
from tabulate import tabulate

from msdiag.cli.reference import FORMAT_OPTION, Words, dumps
from msdiag.diagnosis.rules import PHONE_FINDING_IDS, RENAMED_IDS, RULES, Rule
from msdiag.errors import InputError
from msdiag.i18n import LANG_OPTION, Lang
from msdiag.knowledge.kb import KnowledgeBase

WORDS = Words.load("rules")
#: longest RULE_ID echoed back in an error message
_MAX_SHOWN = 60
_ENTRIES_WIDTH = 34

HELP = """\
List the diagnosis rules, or explain one.

Without RULE_ID: every rule with its severity, the checks it reads, its title and the
knowledge-base entries it supports. With RULE_ID: what the rule detects, the evidence it
reads, its remediation, and the error causes it confirms or rules out. RULE_ID may also be
a phone finding (phone.voip ...). An unknown RULE_ID exits 2 and suggests the closest ids.

\b
Examples:
  msdiag rules
  msdiag rules proxy.unreachable --lang ja
  msdiag rules --format json

\b
JSON (--format json), keys sorted, UTF-8:
  no RULE_ID:  [{id, severity, checks[], title{en,ja}, entries[]}, ...] sorted by id
  RULE_ID:     {id, kind: "rule", severity, title{en,ja}, subject{en,ja}, doc,
                checks[{check, required}], remediation[{en,ja}],
                causes[{entry, name, cause, text{en,ja}}]}
  phone id:    {id, kind: "phone_finding", causes[...]}
"""


def _reads(rule: Rule, lang: Lang) -> str:
    optional = WORDS("optional", lang)
    return ", ".join(i.check if i.required else f"{i.check} ({optional})" for i in rule.inputs)


def _causes_json(kb: KnowledgeBase, finding_id: str) -> list[dict[str, Any]]:
    return [
        {"entry": entry.id, "name": entry.name, "cause": cause.id, "text": cause.text.model_dump()}
        for entry, cause in kb.causes_for_rule(finding_id)
    ]


def list_json(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {
            "id": rule.id,
            "severity": rule.severity.value,
            "checks": list(rule.checks),
            "title": rule.problem.model_dump(),
            "entries": [e.id for e in kb.entries_for_rule(rule.id)],
        }
        for rule in RULES.values()
    ]


def render_list(kb: KnowledgeBase, lang: Lang) -> str:
    rows = [
        [
            rule.id,
            rule.severity.value,
            _reads(rule, lang),
            rule.problem.get(lang),
            # wrapped here: tabulate would cut "msg-something-went-wrong" at its hyphens
            textwrap.fill(
                ", ".join(e.id for e in kb.entries_for_rule(rule.id)),
                width=_ENTRIES_WIDTH,
                break_on_hyphens=False,
                break_long_words=False,
            ),
        ]
        for rule in RULES.values()
    ]
    headers = [WORDS(k, lang) for k in ("rule", "severity", "reads", "title", "supports")]
    table = tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=[None, None, 22, 44, None])
    return f"{table}\n\n{WORDS('phone_footer', lang)}: {', '.join(PHONE_FINDING_IDS)}"


def rule_json(rule: Rule, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "id": rule.id,
        "kind": "rule",
        "severity": rule.severity.value,
        "title": rule.problem.model_dump(),
        "subject": rule.subject.model_dump(),
        "doc": rule.doc,
        "checks": [{"check": i.check, "required": i.required} for i in rule.inputs],
        "remediation": [step.model_dump() for step in rule.remediation],
        "causes": _causes_json(kb, rule.id),
    }


def _render_causes(kb: KnowledgeBase, finding_id: str, lang: Lang) -> list[str]:
    lines = [f"{WORDS('causes', lang)}:"]
    links = kb.causes_for_rule(finding_id)
    if not links:
        return [*lines, f"  {WORDS('no_causes', lang)}"]
    for entry, cause in links:
        lines.append(f"  {entry.id}  {entry.name}")
        lines.append(f"    - {cause.id}: {cause.text.get(lang)}")
    return lines


def render_rule(rule: Rule, kb: KnowledgeBase, lang: Lang) -> str:
    lines = [
        f"{rule.id}  ({WORDS('severity', lang)}: {rule.severity.value})",
        rule.problem.get(lang),
        "",
        rule.doc,
        "",
        f"{WORDS('reads_line', lang)}: {_reads(rule, lang)}",
        "",
        f"{WORDS('steps', lang)}:",
    ]
    lines.extend(f"  {n}. {step.get(lang)}" for n, step in enumerate(rule.remediation, 1))
    lines += ["", *_render_causes(kb, rule.id, lang)]
    return "\n".join(lines)


def render_phone_finding(finding_id: str, kb: KnowledgeBase, lang: Lang) -> str:
    return "\n".join([f"{finding_id}: {WORDS('phone', lang)}", "", *_render_causes(kb, finding_id, lang)])


def _unknown(given: str) -> InputError:
    shown = given if len(given) <= _MAX_SHOWN else given[: _MAX_SHOWN - 3] + "..."
    key = given.strip().lower()
    if key in RENAMED_IDS:
        new = RENAMED_IDS[key]
        return InputError(f"rule {shown!r} was renamed to {new}: run `msdiag rules {new}`")
    close = difflib.get_close_matches(key, [*RULES, *PHONE_FINDING_IDS], n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else "."
    return InputError(f"no rule {shown!r}{hint} Run `msdiag rules` to list them.")


@click.command("rules", help=HELP, short_help="List the diagnosis rules, or explain one.")
@click.argument("rule_id", metavar="[RULE_ID]", required=False)
@FORMAT_OPTION
@LANG_OPTION
def rules(rule_id: str | None, output_format: str, lang: Lang) -> None:
    kb = KnowledgeBase.default()
    as_json = output_format == "json"
    if rule_id is None:
        click.echo(dumps(list_json(kb)) if as_json else render_list(kb, lang))
        return
    key = rule_id.strip().lower()
    if key in RULES:
        rule = RULES[key]
        click.echo(dumps(rule_json(rule, kb)) if as_json else render_rule(rule, kb, lang))
    elif key in PHONE_FINDING_IDS:
        if as_json:
            click.echo(dumps({"id": key, "kind": "phone_finding", "causes": _causes_json(kb, key)}))
        else:
            click.echo(render_phone_finding(key, kb, lang))
    else:
        raise _unknown(rule_id)  # "msdiag: ..." and exit 2 (msdiag.cli.main)


COMMANDS: list[click.Command] = [rules]
