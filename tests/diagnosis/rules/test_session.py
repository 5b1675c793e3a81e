"""session.not_elevated: probes denied because msdiag was not run as administrator."""

from __future__ import annotations

from support.rule_captures import assert_status, capture, run, with_changes

from msdiag.diagnosis.models import Status

DENIED = {
    "network": [
        {
            "probe": "hosts_file",
            "message": "パス 'C:\\Windows\\System32\\drivers\\etc\\hosts' へのアクセスが拒否されました。",
            "category": "access_denied",
        }
    ]
}


def test_elevated_passes() -> None:
    assert_status(run("session.not_elevated", capture()), Status.PASS)


def test_not_elevated_without_denials_does_not_apply() -> None:
    f = run("session.not_elevated", capture(os=with_changes("os", is_elevated=False)))
    assert_status(f, Status.NOT_APPLICABLE)


def test_not_elevated_with_access_denied_warns_and_names_the_probe() -> None:
    f = run("session.not_elevated", capture(errors=DENIED, os=with_changes("os", is_elevated=False)))
    assert_status(f, Status.WARN)
    assert f.detail is not None and "network/hosts_file" in f.detail.en
    assert any(e.fact == "network.errors[hosts_file].category" for e in f.evidence)


def test_unknown_elevation_or_no_os_check_is_not_collected() -> None:
    assert_status(run("session.not_elevated", capture(os=None)), Status.NOT_COLLECTED)
    f = run("session.not_elevated", capture(os=with_changes("os", is_elevated=None)))
    assert_status(f, Status.NOT_COLLECTED)
