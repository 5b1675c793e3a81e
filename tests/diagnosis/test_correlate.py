"""Cause ranking: confirmed (by severity) first, then unknown, then ruled out; KB order breaks ties."""

from __future__ import annotations

import pytest
from support.rule_captures import capture

from msdiag.diagnosis.correlate import analyze_error, rank_causes
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import CauseVerdict, Finding, Localized, Severity, Status
from msdiag.errors import InputError
from msdiag.knowledge.kb import KnowledgeBase
from msdiag.knowledge.models import Cause


def finding(fid: str, status: Status, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(id=fid, status=status, severity=severity, title=Localized(en=fid, ja=fid))


def cause(cid: str, *rules: str) -> Cause:
    return Cause(id=cid, text=Localized(en=cid, ja=cid), rules=list(rules))


CAUSES = [
    cause("account_side"),  # no rules: cannot be checked from the machine
    cause("firewall", "tcp.partial_block"),
    cause("hosts", "hosts_file.override", "endpoints.ncsi_blocked"),
    cause("proxy", "proxy.unreachable"),
    cause("clock", "clock.skew"),
]


def test_confirmed_by_severity_then_unknown_then_ruled_out() -> None:
    findings = [
        finding("tcp.partial_block", Status.FAIL, Severity.HIGH),
        finding("hosts_file.override", Status.FAIL, Severity.CRITICAL),
        finding("endpoints.ncsi_blocked", Status.PASS),
        finding("proxy.unreachable", Status.NOT_APPLICABLE),
        finding("clock.skew", Status.NOT_COLLECTED),
    ]
    ranked = rank_causes(CAUSES, findings)
    assert [(c.cause_id, c.verdict) for c in ranked] == [
        ("hosts", CauseVerdict.CONFIRMED),
        ("firewall", CauseVerdict.CONFIRMED),
        ("account_side", CauseVerdict.UNKNOWN),
        ("clock", CauseVerdict.UNKNOWN),
        ("proxy", CauseVerdict.RULED_OUT),
    ]
    assert [c.rank for c in ranked] == [1, 2, 3, 4, 5]
    assert ranked[0].findings == ["hosts_file.override"]
    assert ranked[3].findings == ["clock.skew"]


def test_a_warning_confirms_and_ties_keep_the_knowledge_base_order() -> None:
    findings = [
        finding("tcp.partial_block", Status.WARN, Severity.MEDIUM),
        finding("proxy.unreachable", Status.WARN, Severity.MEDIUM),
    ]
    ranked = rank_causes(CAUSES, findings)
    assert [c.cause_id for c in ranked[:2]] == ["firewall", "proxy"]


def test_a_cause_with_a_rule_that_did_not_run_is_not_ruled_out() -> None:
    ranked = rank_causes(
        [cause("hosts", "hosts_file.override", "endpoints.ncsi_blocked")],
        [finding("hosts_file.override", Status.PASS)],
    )
    assert ranked[0].verdict is CauseVerdict.UNKNOWN


def test_unknown_but_well_formed_code_is_decoded_without_entry() -> None:
    analysis = analyze_error("0x80070005", [], KnowledgeBase.default())
    assert analysis.entry_id is None and analysis.causes == []
    assert analysis.decoded is not None and analysis.decoded.hresult == "0x80070005"


def test_unparseable_error_is_an_input_error() -> None:
    with pytest.raises(InputError):
        analyze_error("definitely not a code", [], KnowledgeBase.default())
    with pytest.raises(InputError):
        diagnose(capture(), errors=["zzz-not-a-code"])


@pytest.mark.parametrize("spelling", ["0x800704CF", "800704cf", "-2147023665"])
def test_each_spelling_of_a_code_ranks_the_same(spelling: str) -> None:
    result = diagnose(capture(), errors=[spelling])
    assert result.errors[0].entry_id is not None
    assert result.errors[0].input == spelling
    assert all(c.verdict is not CauseVerdict.CONFIRMED for c in result.errors[0].causes)
