"""Causes ranked by evidence, on realistic captures: only a fault on this machine confirms a cause,
context never does, a root cause ranks above what it explains, WAM network codes get the PAC cause."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support.report_results import engine_result, load_capture
from support.rule_captures import capture, with_changes

from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import CauseVerdict, DiagnosisResult, RankedCause


def causes(result: DiagnosisResult, index: int = 0) -> list[RankedCause]:
    return result.errors[index].causes


def cause(result: DiagnosisResult, cause_id: str) -> RankedCause:
    return next(c for c in causes(result) if c.cause_id == cause_id)


def lab_data(name: str, check: str) -> dict[str, Any]:
    """One check's data from a lab host or fixture, to put into another capture."""
    document = load_capture(name).checks[check].document
    assert isinstance(document, dict)
    data: dict[str, Any] = copy.deepcopy(document["data"])
    return data


def test_a_valid_number_from_another_country_is_never_the_confirmed_cause() -> None:
    # a correctly typed +81 mobile on a PC set to the US, network fine: nothing on this machine is at fault
    result = engine_result(
        "healthy-en-us", errors=["This country code isn't supported"], phone="+81 90-1234-5678"
    )
    assert result.phone is not None and result.phone.valid
    assert [c.cause_id for c in causes(result) if c.verdict is CauseVerdict.CONFIRMED] == []
    # the knowledge base links no cause of this message to the region rules (its source says region
    # settings are not directly related), so the region difference cannot rank as a cause at all
    assert not any(r.startswith("region.") for c in causes(result) for r in c.rules)
    assert not any(step.cause and step.cause[1].startswith("region") for step in result.do_first)
    # the phone-vs-region comparison is one finding, wherever a report looks for it
    ids = [f.id for f in result.findings] + [f.id for f in result.phone.findings]
    assert ids.count("region.phone_country_mismatch") == 1 and "phone.country_mismatch" not in ids


def test_a_connected_vpn_alone_confirms_no_cause() -> None:
    # the VPN-DNS lab host's network (GlobalProtect up, full tunnel), with every host resolving
    cap = capture(network=lab_data("vpn-dns-failure", "network"))
    result = diagnose(cap, errors=["0x800704CF"])
    vpn = next(f for f in result.findings if f.id == "vpn.active")
    assert vpn.status.value == "warn"
    proxy_or_vpn = cause(result, "proxy_or_vpn")
    assert proxy_or_vpn.verdict is CauseVerdict.UNKNOWN
    assert proxy_or_vpn.findings == ["vpn.active"]  # shown as the context it is


def test_a_low_warning_keeps_a_cause_possible_but_does_not_confirm_it() -> None:
    # W32Time stopped between syncs (a low warning) while the clock is right
    stopped = with_changes(
        "time",
        w32time={
            "service_status": "Stopped",
            "start_type": "Manual",
            "type": "NTP",
            "ntp_server": "time.windows.com,0x9",
        },
    )
    result = diagnose(capture(time=stopped), errors=["0x80072F8F"])
    assert next(f for f in result.findings if f.id == "clock.w32time_not_syncing").severity.value == "low"
    assert cause(result, "clock_skew").verdict is CauseVerdict.UNKNOWN


def test_the_vpn_dns_cause_ranks_above_the_dns_failure_it_explains() -> None:
    result = engine_result("vpn-dns-failure", errors=["0x800704cf"])
    first, second = causes(result)[:2]
    assert (first.cause_id, first.verdict) == ("proxy_or_vpn", CauseVerdict.CONFIRMED)
    assert "vpn.dns_failure" in first.findings
    # the DNS failure is real, so that cause stays confirmed, below the one that explains it
    assert (second.cause_id, second.verdict) == ("network_not_connected", CauseVerdict.CONFIRMED)


def test_an_unreachable_pac_confirms_a_cause_of_a_wam_network_error() -> None:
    result = engine_result("pac-unreachable", errors=["0xCAA7000A"])
    first = causes(result)[0]
    assert first.verdict is CauseVerdict.CONFIRMED and first.findings == ["proxy.pac_unreachable"]
    assert result.errors[0].family == "wam-network"
    assert any("webprovidererror" in source for source in result.errors[0].sources)


@pytest.mark.parametrize("code", ["0xCAA70005", "0xCAA82F87"])
def test_every_wam_network_code_can_be_explained_by_the_pac(code: str) -> None:
    # with or without an entry of its own, a 0xCAA7 / 0xCAA8 code is linked to the PAC finding
    result = engine_result("pac-unreachable", errors=[code])
    first = causes(result)[0]
    assert first.verdict is CauseVerdict.CONFIRMED and "proxy.pac_unreachable" in first.rules
    assert result.errors[0].meaning is not None


def test_a_code_outside_the_families_gets_no_family_causes() -> None:
    result = engine_result("pac-unreachable", errors=["0x80070005"])
    assert result.errors[0].causes == [] and result.errors[0].family is None
