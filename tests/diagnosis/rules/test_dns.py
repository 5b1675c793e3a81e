"""dns.account_hosts: account hosts that do not resolve, directly or only through the proxy."""

from __future__ import annotations

from support.rule_captures import assert_status, capture, healthy_endpoints, probe, run
from support.rule_inputs import NO_SUCH_HOST, PROXY, proxied

from msdiag.diagnosis.models import Severity, Status


def test_a_host_that_does_not_resolve_fails_and_is_named() -> None:
    eps = healthy_endpoints(**{"login.live.com": probe("login.live.com", dns_error=NO_SUCH_HOST)})
    f = run("dns.account_hosts", capture(endpoints=eps))
    assert_status(f, Status.FAIL)
    assert f.detail is not None and "login.live.com" in f.detail.en
    assert any(
        e.fact == "endpoints[login.live.com].dns.error" and e.value == NO_SUCH_HOST for e in f.evidence
    )


def test_all_hosts_resolving_passes() -> None:
    f = run("dns.account_hosts", capture())
    assert_status(f, Status.PASS)
    assert f.detail is not None and "All 6" in f.detail.en


def test_a_proxied_host_that_does_not_resolve_locally_only_warns() -> None:
    eps = healthy_endpoints(
        **{"login.live.com": probe("login.live.com", proxy=PROXY, dns_error=NO_SUCH_HOST)}
    )
    f = run("dns.account_hosts", capture(proxy=proxied(), endpoints=eps))
    assert_status(f, Status.WARN)
    assert f.severity is Severity.LOW
    assert f.detail is not None and "through the proxy" in f.detail.en


def test_without_probes_it_is_not_collected() -> None:
    assert_status(run("dns.account_hosts", capture(endpoints=None)), Status.NOT_COLLECTED)
    no_dns_step = {**probe("login.live.com"), "dns": None}
    f = run("dns.account_hosts", capture(endpoints={"probes": [no_dns_step]}))
    assert_status(f, Status.NOT_COLLECTED)
    assert f.detail is not None and "no DNS probe result" in f.detail.en
