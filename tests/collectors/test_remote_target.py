"""Remote scan inputs: target validation before any connection, credentials, secret scrubbing."""

from __future__ import annotations

import base64
import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

from msdiag.collectors.credentials import Credentials, resolve_credentials
from msdiag.collectors.remote import RemoteTarget, scrub, validate_target
from msdiag.errors import ExitCode, InputError

PASSWORD = "S3cr3t-Pa55!"


# ---------------------------------------------------------------- validate_target
def test_defaults_are_https_on_5986_with_validation() -> None:
    target = RemoteTarget(host="PC01")
    assert (target.transport, target.effective_port, target.insecure) == ("https", 5986, False)
    assert RemoteTarget(host="PC01", transport="http").effective_port == 5985
    assert RemoteTarget(host="PC01", port=15986).effective_port == 15986


@pytest.mark.parametrize(
    "host",
    [
        "PC01",
        "pc01.corp.example.com",
        "pc01.corp.example.com.",
        "192.0.2.10",
        "::1",
        "[fe80::1]",
        "xn--bcher-kva.jp",
    ],
)
def test_valid_hosts_pass(host: str) -> None:
    validate_target(RemoteTarget(host=host))


@pytest.mark.parametrize(
    "host",
    [
        "",
        "pc01; Remove-Item C:\\ -Recurse",
        "http://pc01",
        "pc01:5986",
        "-pc01.example.com",
        "a" * 64 + ".example.com",
        "999.1.1.1",
        "pc01/../wsman",
        "user@pc01",
        "ＰＣ０１",  # full-width letters from a Japanese inventory sheet
    ],
)
def test_hostile_or_malformed_hosts_are_refused(host: str) -> None:
    with pytest.raises(InputError) as info:
        validate_target(RemoteTarget(host=host))
    assert info.value.exit_code == ExitCode.USAGE
    assert "not a valid host name" in info.value.message


@pytest.mark.parametrize("auth", ["basic", "certificate"])
def test_auth_without_message_encryption_is_refused_over_http(auth: str) -> None:
    with pytest.raises(InputError, match="clear text"):
        validate_target(RemoteTarget(host="PC01", transport="http", auth=auth))


@pytest.mark.parametrize("auth", ["ntlm", "negotiate"])
def test_encrypting_auths_are_allowed_over_http(auth: str) -> None:
    validate_target(RemoteTarget(host="PC01", transport="http", auth=auth))


def test_basic_over_https_is_allowed() -> None:
    validate_target(RemoteTarget(host="PC01", transport="https", auth="basic"))


@pytest.mark.skipif(importlib.util.find_spec("gssapi") is not None, reason="the kerberos extra is installed")
def test_kerberos_without_its_extra_names_the_extra() -> None:
    with pytest.raises(InputError, match=r'pip install "msdiag\[kerberos\]"'):
        validate_target(RemoteTarget(host="pc01.corp.example.com", auth="kerberos"))


@pytest.mark.skipif(
    importlib.util.find_spec("requests_credssp") is not None, reason="credssp extra installed"
)
def test_credssp_without_its_extra_names_the_extra() -> None:
    with pytest.raises(InputError, match=r'pip install "msdiag\[credssp\]"'):
        validate_target(RemoteTarget(host="PC01", auth="credssp"))


@pytest.mark.parametrize("port", [0, -1, 65536])
def test_port_out_of_range(port: int) -> None:
    with pytest.raises(InputError, match="out of range"):
        validate_target(RemoteTarget(host="PC01", port=port))


def test_missing_ca_bundle(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        validate_target(RemoteTarget(host="PC01", ca_bundle=tmp_path / "corp-ca.pem"))


def test_unknown_auth_and_bad_timeout() -> None:
    with pytest.raises(InputError, match="unknown authentication"):
        validate_target(RemoteTarget(host="PC01", auth="digest"))
    with pytest.raises(InputError, match="timeout"):
        validate_target(RemoteTarget(host="PC01", timeout=0))


def test_certificate_auth_needs_its_files() -> None:
    with pytest.raises(InputError, match="client certificate"):
        validate_target(RemoteTarget(host="PC01", auth="certificate"))


# ---------------------------------------------------------------- credentials
def test_credentials_never_show_the_password() -> None:
    creds = Credentials("CORP\\helpdesk", PASSWORD)
    assert PASSWORD not in repr(creds)
    assert PASSWORD not in str(creds)
    assert PASSWORD not in f"{creds}"


def test_credentials_from_environment() -> None:
    env = {"MSDIAG_USERNAME": "CORP\\helpdesk", "MSDIAG_PASSWORD": PASSWORD}
    creds = resolve_credentials(None, env=env, interactive=False)
    assert (creds.username, creds.password) == ("CORP\\helpdesk", PASSWORD)


def test_username_option_wins_over_environment() -> None:
    env = {"MSDIAG_USERNAME": "CORP\\someone", "MSDIAG_PASSWORD": PASSWORD}
    assert resolve_credentials("yamada@corp.example.jp", env=env, interactive=False).username == (
        "yamada@corp.example.jp"
    )


def test_non_interactive_without_password_explains_both_ways() -> None:
    with pytest.raises(InputError) as info:
        resolve_credentials("CORP\\helpdesk", env={}, interactive=False)
    assert "MSDIAG_PASSWORD" in info.value.message
    assert "interactive terminal" in info.value.message


def test_interactive_prompt_hides_the_password() -> None:
    runner = CliRunner()
    with runner.isolation(input=f"{PASSWORD}\n") as (out, _err, *_rest):
        creds = resolve_credentials("CORP\\helpdesk", env={}, interactive=True)
    assert creds.password == PASSWORD
    assert PASSWORD.encode() not in out.getvalue()


def test_interactive_prompt_asks_for_user_name_too() -> None:
    with CliRunner().isolation(input=f"CORP\\helpdesk\n{PASSWORD}\n"):
        creds = resolve_credentials(None, env={}, interactive=True)
    assert (creds.username, creds.password) == ("CORP\\helpdesk", PASSWORD)


# ---------------------------------------------------------------- scrub
def test_scrub_removes_password_basic_header_and_userinfo() -> None:
    creds = Credentials("helpdesk", PASSWORD)
    basic = base64.b64encode(f"helpdesk:{PASSWORD}".encode()).decode()
    text = (
        f"HTTPSConnectionPool(host='pc01', port=5986): url https://helpdesk:{PASSWORD}@pc01:5986/wsman "
        f"headers Authorization: Basic {basic}\r\nsent {PASSWORD}"
    )
    clean = scrub(text, creds)
    assert PASSWORD not in clean and basic not in clean
    assert "\n" not in clean and "pc01" in clean


# ---------------------------------------------------------------- transport loggers
def test_transport_loggers_are_kept_above_debug_unless_configured() -> None:
    import logging

    from msdiag.collectors.remote import quiet_transport_loggers

    names = ("pypsrp", "spnego", "requests_credssp", "urllib3")
    saved = {n: logging.getLogger(n).level for n in names}
    try:
        for n in names:
            logging.getLogger(n).setLevel(logging.NOTSET)
        logging.getLogger("urllib3").setLevel(logging.DEBUG)  # someone asked for it explicitly
        quiet_transport_loggers()
        assert not logging.getLogger("pypsrp").isEnabledFor(logging.ERROR)  # handled-retry tracebacks
        assert not logging.getLogger("spnego").isEnabledFor(logging.DEBUG)  # CredSSP tokens
        assert not logging.getLogger("requests_credssp").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("urllib3").level == logging.DEBUG
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)
