"""Inventory parsing: plain, CSV, Ansible INI and YAML; bad lines, duplicates, hostile names."""

from __future__ import annotations

from pathlib import Path

import pytest

from msdiag.errors import InputError
from msdiag.fleet.inventory import load_inventory, targets_from_hosts


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_plain_list_with_comments_ports_and_ipv6(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hosts.txt",
        "# 東京オフィス\nPC01.corp.example.jp\n\n10.20.0.15:5985  # 受付\n[fe80::1]:5986\nfe80::2\n",
    )
    inv = load_inventory(path)
    assert [(t.host, t.port) for t in inv.targets] == [
        ("PC01.corp.example.jp", None),
        ("10.20.0.15", 5985),
        ("fe80::1", 5986),
        ("fe80::2", None),
    ]


def test_plain_list_reports_every_bad_line_with_its_number(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.txt", "pc01\npc 02\npc03:99999\n<script>alert(1)</script>\npc05\n")
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    message = caught.value.message
    assert "3 bad inventory line(s)" in message
    assert f"{path}:2:" in message and f"{path}:3:" in message and f"{path}:4:" in message
    assert f"{path}:1:" not in message and f"{path}:5:" not in message


@pytest.mark.parametrize(
    "name",
    [
        "pc\x1b[31m01",
        "pc01\u0000",
        "a" * 300,
        "pc01;rm -rf",
        "pc_01..corp",
        "-pc01",
        "<b>pc</b>",
        "1.2.3.4.5",
    ],
)
def test_hostile_host_names_are_rejected(name: str) -> None:
    with pytest.raises(InputError):
        targets_from_hosts([name])


def test_duplicates_are_merged_with_a_warning_naming_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.txt", "pc01\nPC01\npc01:5985\n")
    inv = load_inventory(path)
    assert [(t.host, t.port) for t in inv.targets] == [("pc01", None), ("pc01", 5985)]
    assert len(inv.warnings) == 1 and ":2:" in inv.warnings[0] and "line 1" in inv.warnings[0]


@pytest.mark.parametrize("text", ["", "# only a comment\n\n   \n"])
def test_empty_inventory_is_an_input_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError, match="no hosts"):
        load_inventory(write(tmp_path, "hosts.txt", text))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read inventory"):
        load_inventory(tmp_path / "nope.txt")


def test_csv_with_header_and_per_host_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fleet.csv",
        "host,port,transport,auth,username,tags\n"
        "pc01.corp.example.jp,,https,negotiate,CORP\\helpdesk,tokyo;floor3\n"
        "10.0.0.7,5985,http,ntlm,,osaka\n",
    )
    first, second = load_inventory(path).targets
    assert (first.transport, first.auth, first.username, first.tags) == (
        "https",
        "negotiate",
        "CORP\\helpdesk",
        ["tokyo", "floor3"],
    )
    assert (second.host, second.port, second.transport, second.auth, second.username) == (
        "10.0.0.7",
        5985,
        "http",
        "ntlm",
        None,
    )


def test_csv_bad_rows_are_reported_with_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fleet.csv",
        "host,port,transport\npc01,5985,http\npc02,80a,http\npc03,,ftp\npc04,1,http,extra\n",
    )
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    message = caught.value.message
    for line in (3, 4, 5):
        assert f"{path}:{line}:" in message
    assert "ftp" in message and "80a" in message


def test_csv_without_host_column_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'host' column"):
        load_inventory(write(tmp_path, "fleet.csv", "name,port\npc01,5985\n"))


ANSIBLE_INI = """\
# Windows PCs of the Tokyo office
[tokyo]
tk-pc[01:03].corp.example.jp
tk-kiosk ansible_host=10.1.2.3 ansible_port=5985 ansible_winrm_scheme=http

[osaka]
os-pc01.corp.example.jp ansible_user=OSAKA\\\\admin

[linux]
build01 ansible_connection=ssh

[japan:children]
tokyo
osaka

[japan:vars]
ansible_connection=winrm
ansible_winrm_transport=ntlm
"""


def test_ansible_ini_groups_children_vars_and_ranges(tmp_path: Path) -> None:
    path = write(tmp_path, "inventory.ini", ANSIBLE_INI)
    targets = load_inventory(path, group="japan").targets
    assert [t.host for t in targets] == [
        "tk-pc01.corp.example.jp",
        "tk-pc02.corp.example.jp",
        "tk-pc03.corp.example.jp",
        "10.1.2.3",
        "os-pc01.corp.example.jp",
    ]
    kiosk = targets[3]
    assert (kiosk.port, kiosk.transport, kiosk.auth) == (5985, "http", "ntlm")
    assert targets[4].username == "OSAKA\\admin"
    assert set(targets[0].tags) == {"tokyo", "japan"}


def test_ansible_ini_group_selects_only_that_group(tmp_path: Path) -> None:
    targets = load_inventory(write(tmp_path, "inventory.ini", ANSIBLE_INI), group="osaka").targets
    assert [t.host for t in targets] == ["os-pc01.corp.example.jp"]


def test_ansible_ini_ssh_host_in_selection_is_reported_not_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "inventory.ini", ANSIBLE_INI)
    with pytest.raises(InputError, match=r"inventory.ini:10: build01: ansible_connection=ssh"):
        load_inventory(path)


def test_ansible_unknown_group_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no group 'nagoya'.*tokyo"):
        load_inventory(write(tmp_path, "inventory.ini", ANSIBLE_INI), group="nagoya")


def test_ansible_ini_bad_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "inv.ini", "[win\npc01\n[ok]\npc02 ansible_port\npc03 ansible_port=abc\n")
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    message = caught.value.message
    assert f"{path}:1:" in message and f"{path}:4:" in message and f"{path}:5:" in message


ANSIBLE_YAML = """\
all:
  vars:
    ansible_connection: winrm
    ansible_winrm_scheme: https
  children:
    windows:
      hosts:
        pc01.corp.example.jp:
        pc02.corp.example.jp:
          ansible_host: 192.0.2.10
          ansible_port: 5986
      children:
        kiosks:
          hosts:
            kiosk[a:c].corp.example.jp:
          vars:
            ansible_winrm_transport: ntlm
            ansible_winrm_scheme: http
"""


def test_ansible_yaml_groups_vars_and_precedence(tmp_path: Path) -> None:
    targets = load_inventory(write(tmp_path, "hosts.yml", ANSIBLE_YAML)).targets
    assert [t.host for t in targets] == [
        "pc01.corp.example.jp",
        "192.0.2.10",
        "kioska.corp.example.jp",
        "kioskb.corp.example.jp",
        "kioskc.corp.example.jp",
    ]
    assert targets[0].transport == "https" and targets[0].auth is None
    assert targets[1].port == 5986
    # the child group's vars win over all's
    assert (targets[2].transport, targets[2].auth) == ("http", "ntlm")
    kiosks = load_inventory(write(tmp_path, "k.yaml", ANSIBLE_YAML), group="kiosks").targets
    assert len(kiosks) == 3


def test_ansible_yaml_errors_carry_line_numbers(tmp_path: Path) -> None:
    text = "all:\n  hosts:\n    pc01:\n      ansible_port: 70000\n    'bad host':\n  colour: blue\n"
    path = write(tmp_path, "hosts.yaml", text)
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    message = caught.value.message
    assert f"{path}:3:" in message and "70000" in message
    assert f"{path}:5:" in message
    assert f"{path}:6:" in message and "colour" in message


def test_ansible_yaml_not_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"hosts.yml: line \d+: not valid YAML"):
        load_inventory(write(tmp_path, "hosts.yml", "all:\n  hosts: [unclosed\n"))


def test_group_on_a_plain_list_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--group needs an Ansible inventory"):
        load_inventory(write(tmp_path, "hosts.txt", "pc01\n"), group="tokyo")
