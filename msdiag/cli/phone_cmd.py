"""`msdiag phone NUMBER`: check a phone number before adding it to a Microsoft account."""

from __future__ import annotations

import json
import locale
import os
from typing import Any

import click
from tabulate import tabulate

from msdiag.diagnosis.models import PhoneAnalysis, Status
from msdiag.diagnosis.phone import analyze_phone as run_analysis
from msdiag.diagnosis.phone import check_region
from msdiag.errors import ExitCode, InputError
from msdiag.phone_mask import mask_number, mask_phones_in_text

_STATUS_JA = {
    "fail": "失敗",
    "warn": "警告",
    "pass": "合格",
    "not_collected": "未収集",
    "not_applicable": "対象外",
}


def default_lang() -> str:
    """ja when the user's locale is Japanese (LC_ALL / LC_MESSAGES / LANG, then the C library)."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    current = locale.getlocale()[0] or ""
    return "ja" if current.lower().startswith("ja") else "en"


def _shown(text: str | None, show_phone: bool) -> str | None:
    if text is None or show_phone:
        return text
    return mask_phones_in_text(text)  # the reports' masker too (msdiag/phone_mask.py)


def phone_json(result: PhoneAnalysis, lang: str, show_phone: bool) -> dict[str, Any]:
    """The stable JSON form: numbers masked unless show_phone."""

    def num(value: str | None) -> str | None:
        return value if value is None or show_phone else mask_number(value)

    return {
        "input": num(result.input),
        "valid": result.valid,
        "possible": result.possible,
        "e164": num(result.e164),
        "region": result.region,
        "country_code": result.country_code,
        "number_type": result.number_type,
        "number_type_text": result.number_type_text.get(lang) if result.number_type_text else None,
        "assumed_region": result.assumed_region,
        "assumed_region_note": result.assumed_region_note.get(lang) if result.assumed_region_note else None,
        "national_format": num(result.national_format),
        "corrected_input": num(result.corrected_input),
        "findings": [
            {
                "id": f.id,
                "status": f.status.value,
                "severity": f.severity.value,
                "title": _shown(f.title.get(lang), show_phone),
                "detail": _shown(f.detail.get(lang), show_phone) if f.detail else None,
                "remediation": [_shown(step.get(lang), show_phone) for step in f.remediation],
            }
            for f in result.findings
        ],
        "steps": [step.get(lang) for step in result.steps],
    }


def phone_table(data: dict[str, Any], lang: str) -> str:
    ja = lang == "ja"
    head = [
        ("入力" if ja else "Input", data["input"]),
        (
            "有効" if ja else "Valid",
            ("はい" if data["valid"] else "いいえ") if ja else ("yes" if data["valid"] else "no"),
        ),
        ("E.164", data["e164"] or "-"),
        ("国" if ja else "Region", data["region"] or "-"),
        ("種類" if ja else "Type", data["number_type_text"] or "-"),
    ]
    if data["assumed_region_note"]:
        head.append(("読み方" if ja else "Read as", data["assumed_region_note"]))
    if data["corrected_input"]:
        head.append(("正しい入力" if ja else "Type it as", data["corrected_input"]))
    rows = [
        (
            _STATUS_JA.get(f["status"], f["status"]) if ja else f["status"],
            f["id"],
            f["title"] + (f"\n{f['detail']}" if f["detail"] else ""),
        )
        for f in data["findings"]
    ]
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(data["steps"], start=1))
    fixes = [s for f in data["findings"] if f["status"] in ("fail", "warn") for s in f["remediation"]]
    parts = [
        tabulate(head, tablefmt="plain"),
        "",
        tabulate(
            rows, headers=["状態", "ID", "内容"] if ja else ["status", "id", "finding"], tablefmt="simple"
        ),
    ]
    if fixes:
        parts += ["", "対処:" if ja else "What to do:", *(f"- {s}" for s in fixes)]
    parts += ["", "安全な変更手順:" if ja else "Safe change order:", steps]
    return "\n".join(parts)


@click.command("phone")
@click.argument("number")
@click.option(
    "--region", metavar="CC", help="Country (ISO code, e.g. JP) for a number typed without +country code."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--lang", type=click.Choice(["en", "ja"]), default=None, help="Language (default: from your locale)."
)
@click.option("--show-phone", is_flag=True, help="Print the number unmasked (it is masked by default).")
def phone_command(number: str, region: str | None, fmt: str, lang: str | None, show_phone: bool) -> None:
    """Check a phone number: valid?, E.164 form, type (mobile / landline / VoIP), a trunk 0 typed
    after the country code, and the safe order to change the number on the account.

    \b
    Exit codes: 0 the number looks usable, 1 a check failed, 2 unusable input.
    """
    if not number.strip():
        raise InputError('no phone number given: pass it like "+81 90-1234-5678"')
    region = check_region(region, "--region")
    lang = lang or default_lang()
    result = run_analysis(number, region)
    data = phone_json(result, lang, show_phone)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(phone_table(data, lang))
    if any(f.status is Status.FAIL for f in result.findings):
        raise click.exceptions.Exit(int(ExitCode.FINDINGS_FAILED))


COMMANDS: list[click.Command] = [phone_command]
