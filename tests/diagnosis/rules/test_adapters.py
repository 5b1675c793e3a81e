"""adapters.none_connected: a PC with no physical adapter up."""

from __future__ import annotations

from support.rule_captures import assert_status, capture, run, with_changes

from msdiag.diagnosis.models import Status


def test_connected_wifi_passes_and_names_it() -> None:
    f = run("adapters.none_connected", capture())
    assert_status(f, Status.PASS)
    assert f.detail is not None and "Wi-Fi" in f.detail.en


def test_disconnected_adapter_fails() -> None:
    net = with_changes("network", adapters=[{"name": "Wi-Fi", "status": "Disconnected"}])
    f = run("adapters.none_connected", capture(network=net))
    assert_status(f, Status.FAIL)
    assert f.detail is not None and "None of the 1" in f.detail.en


def test_a_vpn_adapter_alone_is_not_a_connection() -> None:
    net = with_changes(
        "network",
        adapters=[
            {"name": "Wi-Fi", "status": "Disconnected"},
            {"name": "Corp VPN", "status": "Up", "is_vpn": True, "vpn_vendor": "Palo Alto GlobalProtect"},
        ],
    )
    assert_status(run("adapters.none_connected", capture(network=net)), Status.FAIL)


def test_without_the_network_check_it_is_not_collected() -> None:
    f = run("adapters.none_connected", capture(network=None))
    assert_status(f, Status.NOT_COLLECTED)
    assert f.detail is not None and "network check not run" in f.detail.en
