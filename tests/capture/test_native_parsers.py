"""The native-command parsers (msdiag/capture/native/) on real outputs from public sources.

Every sample in tests/data/native/<command>/ starts with a header naming the page it came from
(tests/data/native/README.md says what was found, and what could not be: no Japanese-labelled
dsregcmd output exists anywhere, its labels stay English on Japanese Windows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from msdiag.capture.native.dsregcmd import parse_dsregcmd_status, recognised
from msdiag.capture.native.netsh import parse_netsh_winhttp_proxy
from msdiag.capture.native.w32tm import parse_w32tm_status

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "native"


def sample(command: str, name: str) -> str:
    text = (SAMPLES / command / f"{name}.txt").read_text(encoding="utf-8")
    header, separator, body = text.partition("# ---\n")
    assert separator and header.startswith("# source: "), f"{command}/{name}: no source header"
    return body


@pytest.mark.parametrize("command", ["dsregcmd-status", "netsh-winhttp-show-proxy", "w32tm-query-status"])
def test_every_sample_names_its_public_source(command: str) -> None:
    files = sorted((SAMPLES / command).glob("*.txt"))
    assert len(files) >= 3
    for path in files:
        head = path.read_text(encoding="utf-8").splitlines()[:5]
        assert head[0].startswith("# source: http"), path.name
        assert [line.split(":")[0] for line in head] == ["# source", "# title", "# retrieved-via", "# notes", "# ---"]


# ---------------------------------------------------------------- dsregcmd /status (English only)
DSREG: dict[str, dict[str, Any]] = {
    # hybrid joined, PRT missing (Microsoft's composite sample)
    "en-1": dict(azure_ad_joined=True, domain_joined=True, domain_name="HYBRIDADFS", tenant_name="HybridADFS",
                 workplace_joined=False, azure_ad_prt=False, wam_default_set="YES"),
    # run elevated as SYSTEM: the diagnostics say whose context it was
    "en-2": dict(diagnostics_user_context="SYSTEM", azure_ad_joined=None),
    # a workgroup PC: nothing joined, WAM default unreadable
    "en-3": dict(azure_ad_joined=False, enterprise_joined=False, domain_joined=False, workplace_joined=False,
                 azure_ad_prt=False, wam_default_set="ERROR", tenant_name=None),
    # pre-21H1 layout, blank lines holding one space
    "en-4": dict(azure_ad_joined=True, domain_joined=True, domain_name="CONTOSO", tenant_name="Contoso"),
    # alignment lost in a pastebin copy: labels at column 0, "| Device State |"
    "en-5": dict(azure_ad_joined=True, domain_joined=False, tenant_name="Company", domain_name=None),
    # an empty TenantName is absent, not ""
    "en-6": dict(azure_ad_joined=True, domain_joined=True, domain_name="DomainA", tenant_name=None),
    # Windows 11 layout ("Virtual Desktop : NOT SET")
    "en-7": dict(azure_ad_joined=True, domain_name="AAA", tenant_name="Company Name"),
    # a fresh PRT: the update time in UTC ISO 8601
    "en-8": dict(azure_ad_prt=True, azure_ad_prt_update_time="2022-07-06T12:36:18.0000000Z"),
    # markdown bold around a line does not hide the lines after it
    "en-9": dict(workplace_joined=False, wam_default_set="YES"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(DSREG))
def test_dsregcmd_status_samples(name: str) -> None:
    data = parse_dsregcmd_status(sample("dsregcmd-status", name))
    assert data.available is True
    for field, expected in DSREG[name].items():
        assert getattr(data, field) == expected, f"{name}: {field}"


def test_dsregcmd_debug_lines_hold_none_of_the_fields() -> None:
    # en-10 is `dsregcmd /status /debug` noise: parsed as nothing, so the check says it was not read
    data = parse_dsregcmd_status(sample("dsregcmd-status", "en-10"))
    assert not recognised(data)
    assert recognised(parse_dsregcmd_status(sample("dsregcmd-status", "en-3")))


def test_dsregcmd_unparseable_time_is_kept_as_printed() -> None:
    data = parse_dsregcmd_status("      AzureAdPrtUpdateTime : 2026/11/25 1:02\n")
    assert data.azure_ad_prt_update_time == "2026/11/25 1:02"


# ---------------------------------------------------------------- netsh winhttp show proxy (en, ja)
NETSH: dict[str, tuple[bool, str | None, str | None]] = {
    "en-1": (True, None, None),
    "en-2": (False, "proxy.contoso.com:8080", "localhost;*.contoso.com"),
    "en-3": (True, None, None),  # retyped on one line, "Settings" capitalised
    "ja-1": (True, None, None),
    "ja-2": (False, "1.2.3.4:5678", None),  # バイパス一覧 : (なし)
    "ja-3": (True, None, None),
    "ja-4": (False, "proxy_address:8080", "test.com;*.test.com;sts.federation.com;<local>"),
    "ja-5": (True, None, None),  # indentation lost
}


@pytest.mark.parametrize("name", sorted(NETSH))
def test_netsh_winhttp_samples(name: str) -> None:
    parsed = parse_netsh_winhttp_proxy(sample("netsh-winhttp-show-proxy", name))
    assert parsed is not None
    assert (parsed.direct, parsed.proxy_server, parsed.bypass_list) == NETSH[name]
    assert parsed.source == "netsh"


def test_netsh_in_an_unknown_language_is_not_guessed() -> None:
    assert parse_netsh_winhttp_proxy("Aktuelle WinHTTP-Proxyeinstellungen:\n\n    Direkter Zugriff (kein Proxyserver).\n") is None


# ---------------------------------------------------------------- w32tm /query /status (en, ja)
W32TM: dict[str, dict[str, Any]] = {
    "en-1": dict(time_source="VM IC Time Synchronization Provider", source_kind="vm_ic", stratum=1, leap_indicator=0,
                 last_successful_sync="5/23/2023 7:51:39 PM", never_synced=False, synchronized=True),
    "en-2": dict(time_source="Local CMOS Clock", source_kind="local_cmos_clock", stratum=0, leap_indicator=3,
                 last_successful_sync=None, never_synced=True, synchronized=False),
    "en-3": dict(source_kind="local_cmos_clock", poll_interval=10, synchronized=False),
    "en-4": dict(time_source="DC1.domain.local", source_kind="peer", stratum=4, synchronized=True,
                 reference_id="0xC0A803E3 (source IP:  192.168.3.227)"),
    # the trailing space after the peer flags is not part of the source
    "en-5": dict(time_source="time.windows.com,0x8", source_kind="peer", poll_interval=6),
    # cut off after Stratum: what was printed is still read
    "en-6": dict(leap_indicator=3, stratum=0, time_source=None, synchronized=False),
    "en-7": dict(error_code="0x80070426", time_source=None, synchronized=None),
    "en-8": dict(error_code="0x80070426"),  # the user retyped the sentence: the code still matches
    "ja-1": dict(leap_indicator=3, stratum=0, synchronized=False),  # 閏インジケーター: 3 (同期未実行)
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(W32TM))
def test_w32tm_status_samples(name: str) -> None:
    data = parse_w32tm_status(sample("w32tm-query-status", name))
    assert data is not None
    for field, expected in W32TM[name].items():
        assert getattr(data, field) == expected, f"{name}: {field}"


def test_w32tm_service_error_keeps_the_localized_sentence() -> None:
    line = "发生下列错误: 服务尚未启动。 (0x80070426)"  # zh-CN, cited in tests/data/native/README.md
    data = parse_w32tm_status(line + "\n")
    assert data is not None and data.error_code == "0x80070426" and data.error == line


def test_w32tm_text_that_is_not_a_status_is_none() -> None:
    assert parse_w32tm_status("Sending resync command to local computer\n") is None


def test_w32tm_japanese_labels_of_the_other_fields() -> None:
    # ja-1 is cut off after ルート分散; the other labels as the @IT article's field table names them
    # (https://atmarkit.itmedia.co.jp/ait/spv/1207/12/news146_2.html), with a JST sync time
    text = (
        "閏インジケーター: 0 (警告なし)\n階層: 3 (二次参照 - (S)NTP で同期)\n"
        "参照 ID: 0x0A000003 (ソース IP:  10.30.0.3)\n最終正常同期時刻: 2026/11/25 9:48:06\n"
        "ソース: ntp.nict.jp,0x9\nポーリング間隔: 10 (1024s)\n"
    )
    data = parse_w32tm_status(text)
    assert data is not None
    assert (data.stratum, data.time_source, data.source_kind, data.poll_interval) == (3, "ntp.nict.jp,0x9", "peer", 10)
    assert data.last_successful_sync == "2026/11/25 9:48:06" and data.synchronized is True
