"""The real pypsrp client against the lab: transports, authentications, encryption, concurrency."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pypsrp.client import Client
from pypsrp.exceptions import AuthenticationError, WSManFaultError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from msdiag.capture.models import CheckStatus
from msdiag.checks import script_text
from msdiag.lab import LabHost, LabServer, load_lab_hosts

USER = "labuser"
PASSWORD = "Lab-Pässw0rd:with colon"
CHECKS = ["os", "locale", "time", "proxy", "network", "endpoints", "services", "tls", "identity"]


def _host(name: str = "healthy-ja-jp") -> LabHost:
    return next(h for h in load_lab_hosts() if h.name == name)


@pytest.fixture(scope="module")
def http_lab() -> Iterator[LabServer]:
    with LabServer([_host(), _host("proxy-mismatch")], username=USER, password=PASSWORD) as lab:
        yield lab


@pytest.fixture(scope="module")
def https_lab() -> Iterator[LabServer]:
    with LabServer([_host()], transport="https", username=USER, password=PASSWORD) as lab:
        yield lab


def run_runner(port: int, checks: list[str] = CHECKS, **kwargs: Any) -> tuple[list[Any], PowerShell]:
    options: dict[str, Any] = dict(
        username=USER,
        password=PASSWORD,
        ssl=False,
        auth="ntlm",
        operation_timeout=3,
        read_timeout=6,
        connection_timeout=3,
    )
    options.update(kwargs)
    with WSMan("127.0.0.1", port=port, **options) as wsman, RunspacePool(wsman) as pool:
        ps = PowerShell(pool)
        ps.add_script("param([string[]]$Checks, [string[]]$EndpointHosts)")
        ps.add_parameter("Checks", checks).add_parameter("EndpointHosts", ["login.live.com"])
        output = ps.invoke()
    return output, ps


def expected_lines(host: LabHost, checks: list[str]) -> list[dict[str, Any]]:
    docs = []
    for name in checks:
        result = host.capture.checks.get(name)
        if result is not None and result.status is CheckStatus.OK and result.document is not None:
            docs.append(result.document)
    return docs


def assert_runner_output(output: list[Any], host: LabHost, checks: list[str]) -> None:
    assert all(isinstance(line, str) for line in output)
    parsed = [json.loads(line) for line in output]
    assert parsed[0]["msdiag_runner"] == "start"
    assert parsed[0]["host"] == host.capture.host
    assert parsed[0]["ps_version"] == (host.capture.powershell.version if host.capture.powershell else None)
    assert parsed[-1]["msdiag_runner"] == "end"
    assert parsed[1:-1] == expected_lines(host, checks)


@pytest.mark.parametrize(
    ("auth", "encryption"), [("ntlm", "always"), ("ntlm", "auto"), ("negotiate", "auto")]
)
def test_http_with_message_encryption_returns_the_capture_documents(
    http_lab: LabServer, auth: str, encryption: str
) -> None:
    before = http_lab.stats
    output, ps = run_runner(http_lab.port_of("healthy-ja-jp"), auth=auth, encryption=encryption)
    assert not ps.had_errors
    assert_runner_output(output, _host(), CHECKS)
    after = http_lab.stats
    assert after.shells_created == before.shells_created + 1
    assert after.open_shells == 0  # the client's pool close deleted the shell


def test_japanese_text_survives_the_round_trip(http_lab: LabServer) -> None:
    output, _ = run_runner(http_lab.port_of("healthy-ja-jp"), checks=["locale", "time"])
    locale = json.loads(output[1])
    assert locale["data"]["culture"]["name"] == "ja-JP"
    assert any(ord(ch) > 0x3000 for ch in output[1] + output[2])  # kana/kanji arrive intact


def test_comma_separated_check_list_is_split_like_powershell_binds_it(http_lab: LabServer) -> None:
    output, _ = run_runner(http_lab.port_of("proxy-mismatch"), checks=["proxy,os"])
    assert [json.loads(line).get("check") for line in output[1:-1]] == ["proxy", "os"]


def test_unencrypted_soap_over_http_is_refused(http_lab: LabServer) -> None:
    with pytest.raises(WSManFaultError) as info:
        run_runner(http_lab.port_of("healthy-ja-jp"), encryption="never")
    assert info.value.code == 5


@pytest.mark.parametrize("auth", ["ntlm", "negotiate", "basic"])
def test_https_with_the_lab_certificate_as_ca_bundle(https_lab: LabServer, auth: str) -> None:
    assert https_lab.ca_file is not None and https_lab.ca_file.read_text().startswith(
        "-----BEGIN CERTIFICATE"
    )
    output, _ = run_runner(
        https_lab.port_of("healthy-ja-jp"), ssl=True, auth=auth, cert_validation=str(https_lab.ca_file)
    )
    assert_runner_output(output, _host(), CHECKS)


def test_https_untrusted_certificate_is_an_ssl_error(https_lab: LabServer) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        run_runner(https_lab.port_of("healthy-ja-jp"), ssl=True, cert_validation=True)


def test_basic_over_http_is_refused_by_the_client_before_connecting(http_lab: LabServer) -> None:
    connections = http_lab.stats.connections
    with pytest.raises(ValueError):
        run_runner(http_lab.port_of("healthy-ja-jp"), auth="basic")
    assert http_lab.stats.connections == connections


@pytest.mark.parametrize("auth", ["ntlm", "negotiate"])
def test_wrong_password_is_an_authentication_error(http_lab: LabServer, auth: str) -> None:
    failures = http_lab.stats.auth_failures
    with pytest.raises(AuthenticationError):
        run_runner(http_lab.port_of("healthy-ja-jp"), auth=auth, password="not-the-password")
    assert http_lab.stats.auth_failures == failures + 1


def test_wrong_basic_password_over_https(https_lab: LabServer) -> None:
    with pytest.raises(AuthenticationError):
        run_runner(
            https_lab.port_of("healthy-ja-jp"),
            ssl=True,
            auth="basic",
            password="nope",
            cert_validation=str(https_lab.ca_file),
        )


def test_naive_execute_ps_of_one_check_script_gets_that_check(http_lab: LabServer) -> None:
    client = Client(
        "127.0.0.1",
        port=http_lab.port_of("healthy-ja-jp"),
        username=USER,
        password=PASSWORD,
        ssl=False,
        auth="ntlm",
        operation_timeout=3,
        read_timeout=6,
    )
    output, _streams, had_errors = client.execute_ps(script_text("services"))
    assert not had_errors
    assert json.loads(output) == expected_lines(_host(), ["services"])[0]
    assert client.execute_ps("Get-Date")[0] == ""  # any other script: no output


def test_concurrent_clients_each_get_their_own_host_answers(http_lab: LabServer) -> None:
    results: dict[str, list[Any]] = {}
    errors: list[BaseException] = []

    def scan(index: int) -> None:
        name = "healthy-ja-jp" if index % 2 else "proxy-mismatch"
        try:
            results[f"{name}-{index}"] = run_runner(http_lab.port_of(name), checks=["os", "proxy"])[0]
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(results) == 8
    for key, output in results.items():
        name = key.rsplit("-", 1)[0]
        assert_runner_output(output, _host(name), ["os", "proxy"])
    assert http_lab.stats.open_shells == 0


def test_stop_closes_every_port() -> None:
    lab = LabServer([_host()], username=USER, password=PASSWORD)
    lab.start()
    port = lab.port_of("healthy-ja-jp")
    run_runner(port, checks=["os"])
    lab.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        run_runner(port, checks=["os"])


def test_lab_refuses_non_loopback_bind() -> None:
    with pytest.raises(ValueError):
        LabServer([_host()], username=USER, password=PASSWORD, bind="0.0.0.0")
