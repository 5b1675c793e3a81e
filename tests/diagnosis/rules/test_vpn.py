"""vpn.active and vpn.dns_failure: a connected VPN, its tunnel mode and its DNS servers."""

from __future__ import annotations

import pytest
from support.rule_captures import assert_status, capture, healthy_endpoints, probe, run
from support.rule_inputs import NO_SUCH_HOST, vpn_network

from msdiag.diagnosis.models import Severity, Status


def test_no_vpn_passes() -> None:
    f = run("vpn.active", capture())
    assert_status(f, Status.PASS)
    assert f.detail is not None and "No VPN" in f.detail.en


@pytest.mark.parametrize(
    ("split", "words", "severity"),
    [
        (True, "split tunnel", Severity.LOW),
        (False, "full tunnel", Severity.MEDIUM),
        (None, "unknown", Severity.MEDIUM),
    ],
)
def test_vpn_active_names_the_tunnel_mode(split: bool | None, words: str, severity: Severity) -> None:
    f = run("vpn.active", capture(network=vpn_network(split)))
    assert_status(f, Status.WARN)
    assert f.severity is severity
    assert f.detail is not None and words in f.detail.en
    assert "Palo Alto GlobalProtect" in f.detail.en


def test_vpn_dns_failure_names_the_vpn_dns_servers() -> None:
    eps = healthy_endpoints(**{"login.live.com": probe("login.live.com", dns_error=NO_SUCH_HOST)})
    f = run("vpn.dns_failure", capture(network=vpn_network(None), endpoints=eps))
    assert_status(f, Status.FAIL)
    assert f.detail is not None and "10.20.0.53, 10.20.0.54" in f.detail.en
    assert any(
        e.fact == "endpoints[login.live.com].dns.error" and e.value == NO_SUCH_HOST for e in f.evidence
    )
    assert_status(run("vpn.dns_failure", capture(network=vpn_network(None))), Status.PASS)
    assert_status(run("vpn.dns_failure", capture(endpoints=eps)), Status.NOT_APPLICABLE)


def test_vpn_dns_failure_needs_both_checks() -> None:
    f = run("vpn.dns_failure", capture(network=vpn_network(None), endpoints=None))
    assert_status(f, Status.NOT_COLLECTED)
    assert f.detail is not None and "endpoints check not run" in f.detail.en


def test_without_the_network_check_it_is_not_collected() -> None:
    f = run("vpn.active", capture(network=None))
    assert_status(f, Status.NOT_COLLECTED)
    assert f.detail is not None and "network check not run" in f.detail.en
