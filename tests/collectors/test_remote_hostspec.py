"""How a user names a host: ``host``, ``host:port``, ``[v6]:port``, a WinRM URL, on --host and in inventories.

The lab prints ``http://127.0.0.1:PORT/wsman`` for each of its hosts: that URL, and
``127.0.0.1:PORT``, must scan it as they are. A URL's scheme is the transport; a conflict with
--transport or --port names both; a URL with a password in it is refused without echoing it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.remote_faults import lab_capture, run_msdiag

from msdiag.collectors.remote import RemoteTarget, validate_target
from msdiag.collectors.remote.target import HostSpec, merge_host_spec, parse_host_spec
from msdiag.errors import InputError
from msdiag.fleet.inventory import load_inventory, targets_from_hosts
from msdiag.lab import LabHost, LabServer

USER = "labadmin"
PASSWORD = "H0st-Spec-pass!"


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("PC01", HostSpec("PC01")),
        ("pc01.corp.example.com:15985", HostSpec("pc01.corp.example.com", 15985)),
        ("192.0.2.10:5985", HostSpec("192.0.2.10", 5985)),
        ("fe80::1", HostSpec("fe80::1")),  # several colons: an IPv6 address, not a port
        ("2001:db8::5985", HostSpec("2001:db8::5985")),
        ("[fe80::1]", HostSpec("fe80::1")),
        ("[2001:db8::10]:5986", HostSpec("2001:db8::10", 5986)),
        ("http://pc01:5985/wsman", HostSpec("pc01", 5985, "http")),
        ("https://pc01.corp.example.com/wsman", HostSpec("pc01.corp.example.com", None, "https")),
        ("HTTP://127.0.0.1:33507/WSMAN/", HostSpec("127.0.0.1", 33507, "http")),
        ("https://[2001:db8::10]:5986", HostSpec("2001:db8::10", 5986, "https")),
    ],
)
def test_host_specs(text: str, spec: HostSpec) -> None:
    assert parse_host_spec(text) == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pc01:65536", "port must be a number from 1 to 65535"),
        ("pc01:", "port must be a number from 1 to 65535"),
        ("[fe80::1", "not closed"),
        ("[fe80::1]5986", "only ':port' may follow"),
        ("ftp://pc01/wsman", "starts with http:// or https://"),
        ("http://pc01:5985/powershell", "connects to /wsman only"),
        ("http://pc01:5985/wsman?x=1", "connects to /wsman only"),
        ("http://:5985/wsman", "names no host"),
        ("", "empty host name"),
    ],
)
def test_bad_host_specs_are_input_errors_that_say_why(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_host_spec(text)
    assert message in info.value.message


def test_a_url_with_a_password_is_refused_without_showing_it() -> None:
    with pytest.raises(InputError) as info:
        parse_host_spec("https://helpdesk:Hunter2-secret@pc01:5986/wsman")
    assert "Hunter2-secret" not in info.value.message and "helpdesk" not in info.value.message
    assert "MSDIAG_PASSWORD" in info.value.message


def test_a_spec_completed_by_options_and_conflicts_naming_both() -> None:
    assert merge_host_spec(HostSpec("pc01"), "pc01", port=15985, transport="http") == HostSpec(
        "pc01", 15985, "http"
    )
    assert merge_host_spec(HostSpec("pc01", 5985, "http"), "x", port=5985, transport="http").port == 5985
    with pytest.raises(InputError) as info:
        merge_host_spec(
            parse_host_spec("http://pc01/wsman"), "http://pc01/wsman", port=None, transport="https"
        )
    assert "http://pc01/wsman" in info.value.message and "--transport https" in info.value.message
    with pytest.raises(InputError) as info:
        merge_host_spec(parse_host_spec("pc01:5985"), "pc01:5985", port=5986, transport=None)
    assert "pc01:5985" in info.value.message and "--port 5986" in info.value.message


def test_an_ipv6_target_names_its_endpoint_with_brackets() -> None:
    target = RemoteTarget(host="2001:db8::10", port=5986)
    validate_target(target)
    assert target.address == "[2001:db8::10]:5986"
    assert RemoteTarget(host="[2001:db8::10]").bare_host == "2001:db8::10"


def test_inventories_and_repeated_hosts_read_the_same_specs(tmp_path: Path) -> None:
    listed = tmp_path / "hosts.txt"
    listed.write_text("http://pc01:5985/wsman\npc02:15986\n[2001:db8::10]:5986\n", encoding="utf-8")
    for inventory in (load_inventory(listed), targets_from_hosts(listed.read_text().split())):
        assert [(t.host, t.port, t.transport) for t in inventory.targets] == [
            ("pc01", 5985, "http"),
            ("pc02", 15986, None),
            ("2001:db8::10", 5986, None),
        ]


# ---------------------------------------------------------------- the CLI, against the lab
@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    hosts = [LabHost("pc1", lab_capture()), LabHost("pc2", lab_capture())]
    with LabServer(hosts, transport="http", username=USER, password=PASSWORD) as server:
        yield server


def _msdiag(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_msdiag(
        "scan", "--auth", "ntlm", "--timeout", "30", *args, cwd=tmp_path, user=USER, password=PASSWORD
    )


@pytest.mark.parametrize(
    "how",
    [
        lambda port: ["--host", f"http://127.0.0.1:{port}/wsman"],  # the URL `msdiag lab serve` prints
        lambda port: ["--host", f"127.0.0.1:{port}", "--transport", "http"],
    ],
)
def test_the_lab_url_and_host_port_scan_the_lab_host(lab: LabServer, tmp_path: Path, how: object) -> None:
    port = lab.port_of("pc1")
    proc = _msdiag(tmp_path, *how(port), "--format", "json")  # type: ignore[operator]
    assert proc.returncode in (0, 1), proc.stderr
    capture = json.loads(proc.stdout)["capture"]
    assert capture["host_status"]["state"] == "ok"
    assert capture["connection"]["transport"] == "http" and capture["connection"]["port"] == port


def test_a_conflict_between_the_url_and_an_option_is_a_usage_error(lab: LabServer, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{lab.port_of('pc1')}/wsman"
    connections = lab.stats.connections
    proc = _msdiag(tmp_path, "--host", url, "--transport", "https")
    assert proc.returncode == 2
    assert url in proc.stderr and "--transport https" in proc.stderr and "Traceback" not in proc.stderr
    assert lab.stats.connections == connections  # refused before any connection


def test_a_fleet_of_urls(lab: LabServer, tmp_path: Path) -> None:
    urls = [f"http://127.0.0.1:{lab.port_of(name)}/wsman" for name in ("pc1", "pc2")]
    proc = _msdiag(
        tmp_path, "--host", urls[0], "--host", urls[1], "--results", "fleet.jsonl", "--format", "table"
    )
    assert proc.returncode in (0, 1), proc.stderr
    lines = (tmp_path / "fleet.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["capture"]["host_status"]["state"] for line in lines) == ["ok", "ok"]
