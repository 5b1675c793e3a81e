"""endpoints.ncsi_blocked and endpoints.unexpected_response: the connectivity test, foreign answers."""

from __future__ import annotations

from typing import Any

import pytest
from support.rule_captures import assert_status, capture, healthy_endpoints, probe, run
from support.rule_inputs import NO_SUCH_HOST, PROXY, WSAE_REFUSED, proxied

from msdiag.diagnosis.models import Status

NCSI = "www.msftconnecttest.com"

CASES = [
    (
        "endpoints.ncsi_blocked",
        {"endpoints": healthy_endpoints(**{NCSI: probe(NCSI, tcp_error=WSAE_REFUSED)})},
        Status.FAIL,
        "refuses TCP",
    ),
    (
        "endpoints.ncsi_blocked",
        {"endpoints": healthy_endpoints(**{NCSI: probe(NCSI, dns_error=NO_SUCH_HOST)})},
        Status.FAIL,
        "does not resolve",
    ),
    ("endpoints.ncsi_blocked", {}, Status.PASS, "answered"),
    (
        "endpoints.ncsi_blocked",
        {"endpoints": {"probes": [probe("login.live.com")]}},
        Status.NOT_COLLECTED,
        "was not probed",
    ),
    (
        "endpoints.unexpected_response",
        {
            "proxy": proxied(),
            "endpoints": healthy_endpoints(
                **{"login.live.com": probe("login.live.com", proxy=PROXY, status=407)}
            ),
        },
        Status.FAIL,
        "407",
    ),
    (
        "endpoints.unexpected_response",
        {"endpoints": healthy_endpoints(**{"login.live.com": probe("login.live.com", status=511)})},
        Status.FAIL,
        "captive portal",
    ),
    # 403 from the real server on a direct request is an answer from Microsoft, not a middlebox
    (
        "endpoints.unexpected_response",
        {"endpoints": healthy_endpoints(**{"login.live.com": probe("login.live.com", status=403)})},
        Status.PASS,
        "normally",
    ),
    ("endpoints.unexpected_response", {}, Status.PASS, "normally"),
]


@pytest.mark.parametrize(("rule_id", "kwargs", "status", "text"), CASES)
def test_endpoint_answer_rules(rule_id: str, kwargs: dict[str, Any], status: Status, text: str) -> None:
    f = run(rule_id, capture(**kwargs))
    assert_status(f, status)
    assert f.detail is not None and text in f.detail.en


def test_a_tls_error_after_tcp_connected_is_left_to_the_tls_rules() -> None:
    eps = healthy_endpoints(**{NCSI: probe(NCSI, tls_error="SSPI への呼び出しに失敗しました。")})
    assert_status(run("endpoints.ncsi_blocked", capture(endpoints=eps)), Status.PASS)


@pytest.mark.parametrize("rule_id", ["endpoints.ncsi_blocked", "endpoints.unexpected_response"])
def test_without_probes_it_is_not_collected(rule_id: str) -> None:
    assert_status(run(rule_id, capture(endpoints=None)), Status.NOT_COLLECTED)
