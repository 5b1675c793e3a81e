"""The safety, sources and evidence policy (msdiag.knowledge.policy) on every entry and every rule step.

A helpdesk acts on these steps: a change to the machine comes after recording the state and is left
to the administrator on a managed PC; nothing weakens security; sources are public pages; the
evidence level is what the sources support.
"""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import ValidationError

from msdiag.diagnosis.models import Localized, Step
from msdiag.diagnosis.rules import RULES
from msdiag.knowledge.kb import KnowledgeBase
from msdiag.knowledge.models import MANAGED_DEVICE, Cause, Entry, EvidenceLevel
from msdiag.knowledge.policy import (
    REVIEWED_WORDING,
    changes_machine,
    check_entry,
    check_evidence,
    check_sources,
    check_steps,
    source_kind,
    source_problem,
    weakening,
)


def _entries() -> list[Entry]:
    return KnowledgeBase.default().entries


def _step(en: str, ja: str = "手順", kind: str = "advice") -> Step:
    return Step.model_validate({"en": en, "ja": ja, "kind": kind})


def _change(en: str, ja: str = "変更します。") -> Step:
    return _step(f"{en} {MANAGED_DEVICE.en}", f"{ja} {MANAGED_DEVICE.ja}", "change")


# ---------------------------------------------------------------- every entry, every rule
@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e.id)
def test_every_entry_keeps_the_policy(entry: Entry) -> None:
    violations = check_entry(entry)
    assert violations == [], "\n".join(f"{v.where}: {v.rule}: {v.text}" for v in violations)


#: rule steps that break the policy today, for the rules' owners to fix (they are not knowledge-base
#: data): (rule id, step number) -> what is wrong. A new breach fails, and so does a fixed one left here.
RULE_STEPS_TO_FIX: dict[tuple[str, int], str] = {}  # every rule's steps keep the policy (issue 12)


def test_rule_steps_keep_the_policy_or_are_listed_for_their_owners() -> None:
    broken: dict[tuple[str, int], list[str]] = {}
    for rule in RULES.values():
        for violation in check_steps(rule.id, rule.remediation):
            number = int(violation.where.rsplit(" ", 1)[1])
            broken.setdefault((rule.id, number), []).append(violation.rule)
    new = {key: rules for key, rules in broken.items() if key not in RULE_STEPS_TO_FIX}
    fixed = set(RULE_STEPS_TO_FIX) - set(broken)
    assert not new, f"rule steps that break the safety policy: {new}"
    assert not fixed, f"these rule steps keep the policy now: remove them from RULE_STEPS_TO_FIX: {fixed}"


def test_the_knowledge_base_has_at_least_80_sourced_entries() -> None:
    entries = _entries()
    levels = Counter(e.confidence for e in entries)
    assert len(entries) >= 80, levels
    # most of it is what Microsoft documents; the rest says how far it can be trusted
    assert levels["documented"] >= 60, levels
    assert all(e.sources for e in entries)


# ---------------------------------------------------------------- steps
@pytest.mark.parametrize(
    "text",
    [
        "Then, as administrator, remove only the lines that redirect Microsoft sign-in hosts, save, and run `ipconfig /flushdns`.",
        "Make both agree: as administrator run `netsh winhttp import proxy source=ie`.",
        "As administrator: `sc config wlidsvc start= demand` (Manual, the default), then sign in again.",
        "Take ownership of the key only if necessary (Owner = SYSTEM) and enable inheritance.",
        "Re-register it: `Add-AppxPackage -Register \"$env:windir\\SystemApps\\...\\Appxmanifest.xml\"`.",
        "Only if that fails, rejoin the PC.",
        "Then set the date, time and time zone correctly (Settings > Time & language > Date & time > Sync now).",
        "Then turn TLS 1.2 for the client back on (Enabled=1, DisabledByDefault=0) and restart.",
        "Then reset the Windows Hello PIN (Settings > Accounts > Sign-in options > PIN > I forgot my PIN).",
        "Disconnect the VPN and switch off the proxy temporarily, then retry.",
    ],
)
def test_steps_that_change_the_machine_are_recognised(text: str) -> None:
    assert changes_machine(text)


@pytest.mark.parametrize(
    "text",
    [
        "First record the current state: run `netsh winhttp show proxy` and keep the output with the ticket.",
        "Sign in at https://account.microsoft.com in a browser and complete the verification.",
        "Contact the administrator: only they can re-enable the account.",
        "Do not clear the TPM yourself: clearing it deletes all TPM-protected keys.",
        "Ask the administrator about the policy \"Accounts: Block Microsoft accounts\" and the wlidsvc start type.",
        "Restart the PC and try once more.",
    ],
)
def test_advice_and_warnings_are_not_taken_for_changes(text: str) -> None:
    assert not changes_machine(text)


def test_a_change_step_labelled_advice_is_a_violation() -> None:
    steps = [_step("Record the proxy: `netsh winhttp show proxy`.", kind="record"),
             _step(f"Run `netsh winhttp reset proxy`. {MANAGED_DEVICE.en}", f"実行します。 {MANAGED_DEVICE.ja}")]  # fmt: skip
    assert [v.rule for v in check_steps("x", steps)] == ['changes the machine but is kind "advice", not "change"']


def test_a_record_step_must_record_something() -> None:
    violations = check_steps("x", [_step("Wait a while and retry.", kind="record")])
    assert [v.rule for v in violations] == ["a record step that does not say what it records"]


def test_the_model_refuses_a_change_before_any_record_step() -> None:
    with pytest.raises(ValidationError, match="no earlier step records the current state"):
        Cause(id="c", text=Localized(en="t", ja="原因"), remediation=[_change("Run `netsh winhttp reset proxy`.")])


def test_the_model_refuses_a_change_without_the_managed_device_sentence_in_japanese() -> None:
    record = _step("Record: `netsh winhttp show proxy`.", kind="record")
    change = _step(f"Run `netsh winhttp reset proxy`. {MANAGED_DEVICE.en}", "実行します。", "change")
    with pytest.raises(ValidationError, match="ja text lacks"):
        Cause(id="c", text=Localized(en="t", ja="原因"), remediation=[record, change])
    assert Cause(id="c", text=Localized(en="t", ja="原因"), remediation=[record, _change("Run it.")])


@pytest.mark.parametrize(
    ("en", "ja"),
    [
        ("Exclude the broker plugin folder from security software that scans it.", "除外します。"),
        ("Add an antivirus exception for Microsoft.AAD.BrokerPlugin.exe.", "例外を追加します。"),
        ("Allow the broker through the firewall and antivirus.", "許可します。"),
        ("Turn off certificate revocation checks in Internet Options.", "無効にします。"),
        ("Disable TLS 1.0 and TLS 1.2 checks on the proxy.", "無効にします。"),
        ("Allow backgroundTaskHost.exe to reach localhost (loopback exemption).", "許可します。"),
        ("Disable the firewall and retry.", "再試行します。"),
        ("Sign in again.", "ファイアウォールを無効にしてから再試行します。"),
        ("Sign in again.", "ブローカーのフォルダーをスキャン対象から除外します。"),
    ],
)
def test_steps_that_weaken_security_are_refused(en: str, ja: str) -> None:
    assert weakening(Localized(en=en, ja=ja)) is not None


@pytest.mark.parametrize(
    ("en", "ja"),
    [
        # reviewed: a request to the network administrator, nothing weakened on the PC
        ("Ask the network administrator to exempt the Microsoft sign-in hosts from TLS inspection.",
         "Microsoft のサインイン用ホストを TLS 検査の対象外にするよう、ネットワーク管理者に依頼します。"),
        # warnings instruct nothing
        ("Do not change or switch off security software yourself.",
         "セキュリティ ソフトの設定変更や無効化を自分で行わないでください。"),
        ("Remove or disable only the rules that block outbound HTTPS (TCP 443) to login.live.com.",
         "login.live.com への送信 HTTPS をブロックしている規則だけを削除します。"),
        ("Check the date and time first (a wrong clock makes every certificate look invalid).",
         "まず日付と時刻を確認します (時計がずれていると証明書がすべて無効に見えます)。"),
    ],
)  # fmt: skip
def test_reviewed_wording_and_warnings_are_not_refused(en: str, ja: str) -> None:
    assert weakening(Localized(en=en, ja=ja)) is None


def test_every_reviewed_wording_is_still_used() -> None:
    texts = [s.en + s.ja for e in _entries() for s in [*e.remediation, *(x for c in e.causes for x in c.remediation)]]
    texts += [s.en + s.ja for r in RULES.values() for s in r.remediation]
    unused = [w for w in REVIEWED_WORDING if not any(w in t for t in texts)]
    assert unused == [], f"reviewed wording no step uses any more: drop it from REVIEWED_WORDING: {unused}"


# ---------------------------------------------------------------- sources and evidence
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("seed-article-ja", "not an https URL"),
        ("http://learn.microsoft.com/x", "not an https URL"),
        ("https://github.com/massgravel/Microsoft-Activation-Scripts/issues/1154", "activation workaround"),
        ("https://example.com/blog", "not on the list"),
        ("https://user:pw@learn.microsoft.com/x", "credentials"),
    ],
)
def test_sources_that_are_not_public_citable_pages_are_refused(url: str, problem: str) -> None:
    assert problem in (source_problem(url) or "")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://learn.microsoft.com/entra/identity-platform/reference-error-codes", "microsoft"),
        ("https://support.microsoft.com/account-billing/11d069b4-3f7c-4352-a39e-2c8cd2b4f164", "microsoft"),
        # a Microsoft Q&A thread is a community page, whoever answered
        ("https://learn.microsoft.com/answers/questions/5822719", "community"),
        ("https://learn.microsoft.com/ja-jp/answers/questions/5822719", "community"),
        ("https://github.com/henrypp/simplewall/issues/1779", "community"),
    ],
)
def test_microsoft_pages_and_community_pages_are_told_apart(url: str, kind: str) -> None:
    assert source_kind(url) == kind


def _entry(confidence: EvidenceLevel, sources: list[str], causes: list[Cause] | None = None) -> Entry:
    text = Localized(en="The service is unavailable. Unconfirmed.", ja="サービスを利用できません。未確認。")
    return Entry(
        id="0x80048820",
        kind="hresult",
        codes=["0x80048820"],
        name="X",
        meaning=text,
        seen_in=text,
        causes=causes or [],
        sources=sources,
        last_verified="2026-12-01",
        confidence=confidence,
    )


def test_documented_needs_a_microsoft_page_and_community_a_community_page() -> None:
    qna = ["https://learn.microsoft.com/answers/questions/5822719"]
    assert check_evidence(_entry("documented", qna))
    assert not check_evidence(_entry("community", qna))
    assert check_evidence(_entry("community", ["https://learn.microsoft.com/entra/identity/devices/faq"]))
    assert not check_sources(_entry("community", qna))


def test_causes_nobody_documents_are_worded_as_possibilities() -> None:
    sure = Cause(id="c", text=Localized(en="The server failed.", ja="サーバーが失敗した。"))
    maybe = Cause(id="c", text=Localized(en="Possibly: the server failed.", ja="可能性: サーバーが失敗した。"))
    source = ["https://ittrip.xyz/?p=85232"]
    assert [v.rule for v in check_evidence(_entry("community", source, [sure]))] == ["not worded as a possibility"]
    assert check_evidence(_entry("community", source, [maybe])) == []
    # a cause a rule can check is judged on the machine, not by its wording
    checked = Cause(id="c", text=sure.text, rules=["phone.invalid"])
    assert check_evidence(_entry("community", source, [checked])) == []
    assert check_evidence(_entry("unconfirmed", source, [checked]))
