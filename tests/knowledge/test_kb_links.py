"""Rules and knowledge-base entries are linked in one place, the entries' causes[].rules.

A finding's related codes, `msdiag rules` and the error correlation all read that one list; a
cause naming an id no rule or phone finding has fails here.
"""

from __future__ import annotations

import re

import pytest
from support.rule_captures import capture

from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import Localized
from msdiag.diagnosis.phone import analyze_phone
from msdiag.diagnosis.phone_findings import PHONE_FINDING_IDS
from msdiag.diagnosis.rules import RULES, known_ids
from msdiag.knowledge.kb import KnowledgeBase
from msdiag.knowledge.models import Cause, Entry

#: error codes as docstrings write them (HRESULTs, NTSTATUS, WAM, AADSTS; not registry values)
_CODE = re.compile(r"0x[8C][0-9A-F]{7}|AADSTS\d{4,7}")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.default()


def _entry(entry_id: str, *rules: str) -> Entry:
    text = Localized(en="t", ja="t")
    return Entry(
        id=entry_id,
        kind="hresult",
        codes=[entry_id],
        name="X",
        meaning=text,
        seen_in=text,
        causes=[Cause(id="c1", text=text, rules=list(rules))],
        sources=["https://learn.microsoft.com/"],
        last_verified="2026-11-25",
        confidence="documented",
    )


def test_no_cause_names_an_unknown_rule_or_phone_finding(kb: KnowledgeBase) -> None:
    dangling = kb.unknown_rule_links(known_ids())
    assert dangling == [], (
        "these knowledge-base causes (entry, cause, rule id) name a rule that is not registered: "
        f"{dangling}; fix the id in msdiag/knowledge/entries/*.toml (renamed ids: msdiag.diagnosis.rules.RENAMED_IDS)"
    )


def test_a_misspelt_or_renamed_rule_id_is_reported_with_its_entry_and_cause() -> None:
    kb = KnowledgeBase(
        [_entry("0x800704CF", "dns.account_hosts", "time.clock_skew"), _entry("0x80072EE7", "phone.voip")]
    )
    assert kb.unknown_rule_links(known_ids()) == [("0x800704CF", "c1", "time.clock_skew")]


def test_phone_finding_ids_are_the_ones_the_phone_analysis_makes() -> None:
    made: set[str] = set()
    # invalid, trunk prefix after +81, a Japanese landline, a VoIP (050) number, a valid mobile
    for number in ("12", "+81 090-1234-5678", "+81 3-1234-5678", "+81 50-1234-5678", "+81 90-1234-5678"):
        made |= {f.id for f in analyze_phone(number, "JP").findings}
    assert made <= set(PHONE_FINDING_IDS), made - set(PHONE_FINDING_IDS)
    # phone.country_mismatch needs the machine's country: judged against a capture
    from msdiag.capture.parse import Facts

    made |= {f.id for f in analyze_phone("+1 206-555-0123", None, Facts(capture())).findings}
    assert made == set(PHONE_FINDING_IDS)


def test_the_rule_index_matches_the_causes(kb: KnowledgeBase) -> None:
    for rule_id in known_ids():
        scanned = [e for e in kb.entries if any(rule_id in c.rules for c in e.causes)]
        assert kb.entries_for_rule(rule_id) == scanned, rule_id
        assert [(e.id, c.id) for e, c in kb.causes_for_rule(rule_id)] == [
            (e.id, c.id) for e in scanned for c in e.causes if rule_id in c.rules
        ]
    assert kb.entries_for_rule("no.such_rule") == [] and kb.causes_for_rule("no.such_rule") == []


def test_findings_carry_exactly_the_entries_that_link_their_rule(kb: KnowledgeBase) -> None:
    result = diagnose(capture(), phone="+81 90-1234-5678", kb=kb)
    assert result.phone is not None
    for finding in [*result.findings, *result.phone.findings]:
        assert finding.related_codes == [e.id for e in kb.entries_for_rule(finding.id)], finding.id
    # the rules once named an entry that does not exist; nothing keeps such a link now
    every_code = {code for f in result.findings for code in f.related_codes}
    assert "msg-code-not-delivered" not in every_code and every_code <= {e.id for e in kb.entries}


def test_every_rule_supports_at_least_one_entry_except_the_scan_itself_and_context(kb: KnowledgeBase) -> None:
    unlinked = {rule_id for rule_id in RULES if not kb.entries_for_rule(rule_id)}
    # session.not_elevated judges msdiag's own run, not a cause of any error; the PC's region
    # settings (and their difference from the phone's country) are context for reading a number,
    # never a cause of an error (issue 12: no source links them to the account service's checks)
    assert unlinked == {"session.not_elevated", "region.settings_disagree", "region.phone_country_mismatch"}


def test_codes_a_rule_documents_are_entries_linked_to_it(kb: KnowledgeBase) -> None:
    for rule in RULES.values():
        linked = {e.id for e in kb.entries_for_rule(rule.id)} | {
            c for e in kb.entries_for_rule(rule.id) for c in e.codes
        }
        named = set(_CODE.findall(rule.doc))
        assert named <= linked, (
            f"{rule.id}'s docstring names {sorted(named - linked)}, which the knowledge base does not link to it"
        )
