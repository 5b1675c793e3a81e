"""A scan that ended before every asked-for check finished is never a pass (issue 14 item 12), and a
probe that ran out of time is never read as a DNS failure (issue 11)."""

from __future__ import annotations

import json

from support.check_documents import JA_JP
from support.rule_captures import assert_status, capture, healthy_endpoints, probe, run

from msdiag.capture.models import NOT_REPORTED, CheckStatus, HostState
from msdiag.collectors.capture_file import parse_capture_text
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import Status

START = {"msdiag_runner": "start", "protocol": 1, "host": "TARO-PC", "ps_edition": "Desktop",
         "ps_version": "5.1.22621.4391", "utc": "2026-11-25T01:02:03.0000000Z"}  # fmt: skip


def test_a_terminating_error_after_one_of_nine_checks_is_incomplete_not_pass() -> None:
    # the runner printed its start line and the os document, then a terminating error stopped it
    lines = [json.dumps(START), json.dumps(JA_JP["os"], ensure_ascii=False)]
    capture_ = parse_capture_text("\n".join(lines), "pasted transcript")
    assert capture_.host_status.state is HostState.SCRIPT_ERROR
    assert capture_.checks["os"].status is CheckStatus.OK
    assert all(capture_.checks[c].status is CheckStatus.NOT_RUN for c in capture_.checks if c != "os")
    assert capture_.checks["identity"].reason == NOT_REPORTED
    result = diagnose(capture_)
    assert result.verdict == "incomplete"
    assert not any(f.status is Status.FAIL for f in result.findings)


def test_checks_not_selected_do_not_make_it_incomplete() -> None:
    cap = capture(locale=None, proxy=None)  # not selected (--checks): the rest passes
    assert cap.unfinished_checks == []
    assert diagnose(cap).verdict == "pass"


def test_a_probe_that_timed_out_keeps_its_dns_result_and_is_no_dns_failure() -> None:
    slow_tls = probe("login.live.com")
    slow_tls.update(tls=None, http=None, timed_out_at="tls")  # DNS and TCP finished, TLS hung
    stuck = {"host": "account.live.com", "proxy": None, "dns": None, "tcp": None, "tls": None, "http": None,
             "timed_out_at": "proxy_discovery"}  # a dead PAC server: not even the proxy was known  # fmt: skip
    cap = capture(endpoints=healthy_endpoints(**{"login.live.com": slow_tls, "account.live.com": stuck}))
    assert_status(run("dns.account_hosts", cap), Status.PASS)
