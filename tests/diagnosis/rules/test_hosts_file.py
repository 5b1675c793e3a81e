"""hosts_file.override: hosts-file lines naming Microsoft hosts, blocked or redirected, direct or proxied."""

from __future__ import annotations

from typing import Any

import pytest
from support.rule_captures import assert_status, capture, healthy_endpoints, probe, run, with_changes
from support.rule_inputs import PROXY, hosts_entries, proxied

from msdiag.diagnosis.models import Status

THROUGH_PROXY = healthy_endpoints(**{"login.live.com": probe("login.live.com", proxy=PROXY)})

CASES = [
    # (capture kwargs, expected status, text that must appear in the English detail)
    ({"network": hosts_entries(("0.0.0.0", "login.live.com"))}, Status.FAIL, "blocks login.live.com"),
    ({"network": hosts_entries(("20.190.160.1", "login.live.com"))}, Status.FAIL, "redirects login.live.com"),
    (
        {"network": hosts_entries(("192.168.50.12", "login.live.com.yamada-home.local"))},
        Status.PASS,
        "No hosts-file line",
    ),
    # the host goes through the proxy: the client-side override does not apply now
    (
        {
            "network": hosts_entries(("0.0.0.0", "login.live.com")),
            "proxy": proxied(),
            "endpoints": THROUGH_PROXY,
        },
        Status.WARN,
        "through the proxy",
    ),
    # ... unless the bypass list covers the host: then it is reached directly and the override bites
    (
        {
            "network": hosts_entries(("0.0.0.0", "login.live.com")),
            "proxy": proxied(proxy_override="<local>;*.live.com"),
            "endpoints": THROUGH_PROXY,
        },
        Status.FAIL,
        "blocks login.live.com",
    ),
    # without endpoint probes nobody knows the proxy path: the line is judged as direct
    (
        {"network": hosts_entries(("0.0.0.0", "login.live.com")), "proxy": proxied(), "endpoints": None},
        Status.FAIL,
        "blocks login.live.com",
    ),
]


@pytest.mark.parametrize(("kwargs", "status", "text"), CASES)
def test_hosts_file_override(kwargs: dict[str, Any], status: Status, text: str) -> None:
    f = run("hosts_file.override", capture(**kwargs))
    assert_status(f, status)
    assert f.detail is not None and text in f.detail.en


def test_the_evidence_gives_the_line_number() -> None:
    f = run("hosts_file.override", capture(network=hosts_entries(("0.0.0.0", "login.live.com"))))
    line = next(e for e in f.evidence if e.fact == "network.hosts_entries[login.live.com]")
    assert line.value == "0.0.0.0 login.live.com"
    assert line.note is not None and line.note.en == "line 22" and line.note.ja == "22 行目"


def test_unreadable_hosts_file_is_not_a_pass() -> None:
    net = with_changes("network", hosts_file_readable=False)
    assert_status(run("hosts_file.override", capture(network=net)), Status.NOT_COLLECTED)


def test_without_the_network_check_it_is_not_collected() -> None:
    f = run("hosts_file.override", capture(network=None))
    assert_status(f, Status.NOT_COLLECTED)
    assert f.detail is not None and "network check not run" in f.detail.en
