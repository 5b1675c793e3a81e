"""A proxy that answers CONNECT with a refusal, and the WinHTTP proxy probed directly."""

from __future__ import annotations

from typing import Any

from support.rule_captures import assert_status, capture, healthy_endpoints, probe, run, with_changes

from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import Status

PROXY = "http://proxy.corp.example:8080/"
SIGN_IN = ("login.live.com", "account.live.com", "login.microsoftonline.com")


def user_proxy() -> dict[str, Any]:
    """The proxy-mismatch lab host's settings: WinINET through the company proxy, WinHTTP too."""
    return with_changes(
        "proxy",
        wininet={
            "proxy_enable": True,
            "proxy_server": "proxy.corp.example:8080",
            "proxy_override": "<local>;*.corp.example",
            "auto_config_url": None,
            "auto_detect": False,
        },
        winhttp={
            "source": "registry",
            "direct": False,
            "proxy_server": "proxy.corp.example:8080",
            "bypass_list": None,
        },
    )


def winhttp_proxy(server: str) -> dict[str, Any]:
    """The user goes direct (WinINET off, as in the reference); only WinHTTP has a proxy."""
    winhttp = {"source": "registry", "direct": False, "proxy_server": server, "bypass_list": None}
    return with_changes("proxy", winhttp=winhttp)


def refused(host: str, status: int) -> dict[str, Any]:
    """A probe through the proxy whose CONNECT got ``status``: the tunnel did not open (docs/capture-format.md)."""
    result = probe(host, proxy=PROXY)
    result["tcp"] = {
        "ok": False,
        "ms": 4,
        "error": f"The remote server returned an error: ({status}).",
        "target": "proxy.corp.example:8080",
        "connect_status": status,
    }
    result["tls"] = result["http"] = None
    return result


def through_proxy(**overrides: dict[str, Any]) -> dict[str, Any]:
    tunnelled = {}
    for p in healthy_endpoints()["probes"]:
        ok = probe(p["host"], proxy=PROXY)
        ok["tcp"]["connect_status"] = 200
        tunnelled[p["host"]] = overrides.get(p["host"], ok)
    return healthy_endpoints(**tunnelled)


def test_a_filtering_proxy_is_named_with_the_hosts_it_blocks_not_as_unreachable() -> None:
    cap = capture(proxy=user_proxy(), endpoints=through_proxy(**{h: refused(h, 403) for h in SIGN_IN}))
    f = run("proxy.connect_refused", cap)
    assert_status(f, Status.FAIL)
    assert f.detail is not None
    assert (
        all(h in f.detail.en for h in SIGN_IN)
        and "filter (403)" in f.detail.en
        and "フィルター" in f.detail.ja
    )
    assert any(
        e.fact == "endpoints[login.live.com].tcp.connect_status" and e.value == 403 for e in f.evidence
    )
    # the proxy answered: it is reachable, whatever it refused
    assert_status(run("proxy.unreachable", cap), Status.PASS)


def test_a_proxy_asking_for_authentication_says_so() -> None:
    cap = capture(
        proxy=user_proxy(), endpoints=through_proxy(**{"login.live.com": refused("login.live.com", 407)})
    )
    f = run("proxy.connect_refused", cap)
    assert_status(f, Status.FAIL)
    assert f.detail is not None and "requires authentication (407)" in f.detail.en
    assert "account.live.com" not in f.detail.en  # only the refused host is named


def test_a_refusing_proxy_shows_its_fix_with_an_error_code() -> None:
    cap = capture(proxy=user_proxy(), endpoints=through_proxy(**{h: refused(h, 502) for h in SIGN_IN}))
    result = diagnose(cap, errors=["0x80190001"])
    middlebox = next(c for c in result.errors[0].causes if c.cause_id == "middlebox_answer")
    assert middlebox.verdict.value == "confirmed" and "proxy.connect_refused" in middlebox.findings
    assert any("CONNECT on port 443" in a.text.en for a in result.do_first)


def test_tunnels_that_opened_pass_and_no_proxy_does_not_apply() -> None:
    assert_status(
        run("proxy.connect_refused", capture(proxy=user_proxy(), endpoints=through_proxy())), Status.PASS
    )
    assert_status(run("proxy.connect_refused", capture()), Status.NOT_APPLICABLE)


def test_a_dead_winhttp_proxy_is_seen_through_its_own_probes() -> None:
    # the user goes direct (WinINET off); the system proxy, which sign-in services use, is gone
    proxy = winhttp_proxy("oldproxy.corp.example:3128")
    dead = [
        probe(
            h,
            proxy="http://oldproxy.corp.example:3128/",
            tcp_error="接続済みの呼び出し先が一定の時間を過ぎても正しく応答しなかったため、接続できませんでした。",
        )
        for h in SIGN_IN
    ]
    endpoints = {**healthy_endpoints(), "winhttp_probes": dead}
    f = run("proxy.unreachable", capture(proxy=proxy, endpoints=endpoints))
    assert_status(f, Status.FAIL)
    assert f.detail is not None and "oldproxy.corp.example:3128" in f.detail.en and "WinHTTP" in f.detail.en
    assert any(e.fact.startswith("endpoints.winhttp_probes[") for e in f.evidence)


def test_a_filtering_winhttp_proxy_is_named_as_the_system_proxy() -> None:
    proxy = winhttp_proxy("gw.corp.example:8080")
    blocked = []
    for h in SIGN_IN:
        item = refused(h, 403)
        item["proxy"] = "http://gw.corp.example:8080/"
        item["tcp"]["target"] = "gw.corp.example:8080"
        blocked.append(item)
    f = run(
        "proxy.connect_refused",
        capture(proxy=proxy, endpoints={**healthy_endpoints(), "winhttp_probes": blocked}),
    )
    assert_status(f, Status.FAIL)
    assert f.detail is not None and "gw.corp.example:8080 (the system proxy (WinHTTP" in f.detail.en
