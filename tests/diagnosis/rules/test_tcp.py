"""tcp.partial_block and tcp.all_blocked: direct TCP 443 to the account hosts."""

from __future__ import annotations

from typing import Any

import pytest
from support.rule_captures import assert_status, capture, healthy_endpoints, probe, run
from support.rule_inputs import PROXY, WSAE_REFUSED, hosts_entries, proxied

from msdiag.diagnosis.models import Status

ONE_BLOCKED = healthy_endpoints(**{"login.live.com": probe("login.live.com", tcp_error=WSAE_REFUSED)})
ALL_BLOCKED = {"probes": [probe(h, tcp_error=WSAE_REFUSED) for h in ("login.live.com", "account.live.com")]}

CASES = [
    ("tcp.partial_block", {"endpoints": ONE_BLOCKED}, Status.FAIL, "Blocked: login.live.com"),
    ("tcp.partial_block", {}, Status.PASS, "All 6"),
    ("tcp.partial_block", {"endpoints": ALL_BLOCKED}, Status.NOT_APPLICABLE, "see tcp.all_blocked"),
    ("tcp.all_blocked", {"endpoints": ALL_BLOCKED}, Status.FAIL, "All 2 direct"),
    ("tcp.all_blocked", {"endpoints": ONE_BLOCKED}, Status.PASS, "5 host"),
    ("tcp.all_blocked", {}, Status.PASS, "6 host"),
]


@pytest.mark.parametrize(("rule_id", "kwargs", "status", "text"), CASES)
def test_tcp_rules(rule_id: str, kwargs: dict[str, Any], status: Status, text: str) -> None:
    f = run(rule_id, capture(**kwargs))
    assert_status(f, status)
    assert f.detail is not None and text in f.detail.en


def test_tcp_failure_through_a_bypassed_proxy_counts_as_direct() -> None:
    # probe.proxy is set, but the bypass list covers *.live.com: judged on the direct path
    eps = healthy_endpoints(
        **{"login.live.com": probe("login.live.com", proxy=PROXY, tcp_error=WSAE_REFUSED)}
    )
    f = run("tcp.partial_block", capture(proxy=proxied(proxy_override="*.live.com"), endpoints=eps))
    assert_status(f, Status.FAIL)
    # without the bypass, a failure to reach the proxy is not a direct TCP block
    f = run("tcp.partial_block", capture(proxy=proxied(), endpoints=eps))
    assert_status(f, Status.PASS)


def test_hosts_file_blocked_host_is_not_blamed_on_the_firewall() -> None:
    eps = healthy_endpoints(**{"login.live.com": probe("login.live.com", tcp_error="0.0.0.0:443 refused")})
    f = run("tcp.partial_block", capture(network=hosts_entries(("0.0.0.0", "login.live.com")), endpoints=eps))
    assert_status(f, Status.PASS)


def test_everything_through_the_proxy_is_not_applicable() -> None:
    eps = {"probes": [probe(h, proxy=PROXY) for h in ("login.live.com", "account.live.com")]}
    for rule_id in ("tcp.partial_block", "tcp.all_blocked"):
        assert_status(run(rule_id, capture(proxy=proxied(), endpoints=eps)), Status.NOT_APPLICABLE)


@pytest.mark.parametrize("rule_id", ["tcp.partial_block", "tcp.all_blocked"])
def test_without_probes_it_is_not_collected(rule_id: str) -> None:
    assert_status(run(rule_id, capture(endpoints=None)), Status.NOT_COLLECTED)
