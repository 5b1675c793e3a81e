"""The shipped and test captures are valid, realistic, and differ from the reference only where documented.

Every other test (rules, reports, the lab) builds on these files, so a capture that stopped validating,
or a lab host that quietly lost the fault it is named after, would make those tests meaningless.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import typing
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel

from msdiag.capture.models import Capture, CheckDocument, CheckResult, CheckStatus, HostState
from msdiag.capture.parse import Facts, parse_check_output, validate_document
from msdiag.capture.schema import check_data_schema, load_schema
from msdiag.checks import CHECK_NAMES, DEFAULT_ENDPOINT_HOSTS

REPO = Path(__file__).resolve().parents[2]
LAB_DIR = REPO / "msdiag" / "lab" / "hosts"
FIXTURE_DIR = REPO / "tests" / "fixtures" / "captures"

LAB_HOSTS = (
    "healthy-ja-jp",
    "proxy-mismatch",
    "clock-skew",
    "vpn-dns-failure",
    "hosts-file-block",
    "wlidsvc-disabled",
)
FIXTURES = (
    "healthy-en-us",
    "abroad-ja-jp-in-us",
    "org-joined-tls-interception",
    "tls12-disabled",
    "partial-check-failures",
    "hostile",
    "pii",
    "old-os",
)
ALL_FILES = [LAB_DIR / f"{n}.json" for n in LAB_HOSTS] + [FIXTURE_DIR / f"{n}.json" for n in FIXTURES]

Json = dict[str, Any]


def load(path: Path) -> Json:
    loaded: Json = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def lab(name: str) -> Json:
    return load(LAB_DIR / f"{name}.json")


def fixture(name: str) -> Json:
    return load(FIXTURE_DIR / f"{name}.json")


def facts(capture: Json) -> Facts:
    return Facts(Capture.model_validate(capture))


def check_data(capture: Json, check: str) -> Json:
    result: Json = capture["checks"][check]["document"]["data"]
    return result


def probes(capture: Json) -> dict[str, Json]:
    return {p["host"]: p for p in check_data(capture, "endpoints")["probes"]}


def services(capture: Json) -> dict[str, Json]:
    return {s["name"]: s for s in check_data(capture, "services")["services"]}


def parse_utc(text: str) -> datetime:
    # .NET writes 7 fractional digits; Python reads at most 6
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{frac[:6] or '0'}").replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------- every capture validates
@pytest.fixture(scope="module")
def schema() -> Json:
    return load_schema()


def test_every_expected_capture_ships() -> None:
    assert sorted(p.stem for p in LAB_DIR.glob("*.json")) == sorted(LAB_HOSTS)
    assert {p.stem for p in FIXTURE_DIR.glob("*.json")} >= set(FIXTURES)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_capture_validates_as_model_and_schema(path: Path, schema: Json) -> None:
    capture = load(path)
    model = Capture.model_validate(capture)
    assert set(model.checks) == set(CHECK_NAMES), "every known check appears in a capture"
    jsonschema.Draft202012Validator(schema).validate(capture)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_every_ok_document_validates_like_fresh_script_output(path: Path) -> None:
    capture = load(path)
    for check, result in capture["checks"].items():
        if result["status"] != "ok":
            continue
        assert validate_document(result["document"], check).status is CheckStatus.OK, check
        # the same document read back as one runner output line
        name, parsed = parse_check_output(json.dumps(result["document"], ensure_ascii=False), check)
        assert (name, parsed.status) == (check, CheckStatus.OK)
        jsonschema.Draft202012Validator(check_data_schema(check)).validate(result["document"])


@pytest.mark.parametrize("name", LAB_HOSTS)
def test_lab_hosts_are_complete_local_scans(name: str) -> None:
    capture = lab(name)
    assert capture["mode"] == "local" and capture["host_status"] == {"state": "ok"}
    assert all(r["status"] == "ok" for r in capture["checks"].values())
    assert capture["host"] == check_data(capture, "os")["computer_name"]
    assert list(probes(capture)) == list(DEFAULT_ENDPOINT_HOSTS)


def test_generator_output_is_up_to_date() -> None:
    """The JSON files are generated: hand edits would be lost the next time someone runs the tool."""
    spec = importlib.util.spec_from_file_location("make_captures", REPO / "tools" / "make_captures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "run: python tools/make_captures.py"


# ---------------------------------------------------------------- the reference machine is realistic
def test_healthy_ja_jp_reports_what_a_japanese_windows_11_reports() -> None:
    capture = lab("healthy-ja-jp")
    f = facts(capture)
    assert f.os is not None and f.os.build == 26200 and f.os.display_version == "25H2"
    assert f.locale is not None and f.locale.culture is not None and f.locale.home_location is not None
    assert (f.locale.culture.name, f.locale.culture.lcid, f.locale.culture.display_name) == (
        "ja-JP",
        1041,
        "日本語 (日本)",
    )
    assert (f.locale.home_location.geo_id, f.locale.home_location.iso2) == (122, "JP")
    assert f.time is not None and f.time.time_zone is not None and f.time.w32time is not None
    assert f.time.time_zone.display_name == "(UTC+09:00) 大阪、札幌、東京"
    assert f.time.time_zone.current_utc_offset_minutes == 540
    assert (f.time.w32time.service_status, f.time.w32time.type) == ("Running", "NTP")
    svc = services(capture)
    # Manual + Stopped is the normal state of the sign-in assistant and the broker
    assert (svc["wlidsvc"]["status"], svc["wlidsvc"]["start_type"]) == ("Stopped", "Manual")
    assert (svc["TokenBroker"]["status"], svc["TokenBroker"]["start_type"]) == ("Stopped", "Manual")
    assert f.identity is not None and f.identity.dsregcmd is not None
    assert f.identity.dsregcmd.available and not f.identity.dsregcmd.azure_ad_joined
    assert f.identity.signed_in_with_msa is True
    assert f.proxy is not None and f.proxy.winhttp is not None and f.proxy.winhttp.direct is True
    assert f.tls is not None and not any(p.key_present for p in f.tls.schannel_client)


def test_healthy_endpoints_are_plausible() -> None:
    capture = lab("healthy-ja-jp")
    utc = parse_utc(check_data(capture, "time")["utc_time"])
    microsoft_ranges = [ipaddress.ip_network("20.190.128.0/18"), ipaddress.ip_network("40.126.0.0/18")]
    for host, p in probes(capture).items():
        assert p["dns"]["addresses"] and p["tcp"]["ok"] and p["tls"]["ok"], host
        assert p["tls"]["protocol"] in ("Tls12", "Tls13")
        assert p["http"]["status"] in (200, 302)
        assert 8 <= p["tcp"]["ms"] <= 40
        skew = (parsedate_to_datetime(p["http"]["date"]) - utc).total_seconds()
        assert 0 <= skew <= 2, f"{host}: Date header {skew} s from the machine's clock"
        assert parse_utc(p["tls"]["not_after"]) > utc
    for address in probes(capture)["login.live.com"]["dns"]["addresses"]:
        assert any(ipaddress.ip_address(address) in net for net in microsoft_ranges)


# ---------------------------------------------------------------- variants differ only where documented
# Paths every variant may change: its own computer name, wherever the machine reports it.
RENAME = (
    "host",
    "checks.os.document.data.computer_name",
    "checks.proxy.document.data.scope.user",
    # the local account is named after the computer (COMPUTER\\user)
    "user_context.interactive_user.account",
    "user_context.session_account.account",
)

ALLOWED_CHANGES: dict[str, tuple[str, ...]] = {
    "proxy-mismatch": ("checks.proxy.document.data.wininet.", "checks.endpoints.document.data.probes["),
    "clock-skew": (
        "checks.time.document.data.w32time.",
        "checks.time.document.data.w32tm",  # the service is stopped: w32tm prints 0x80070426
        "checks.services.document.data.services[W32Time].status",
        "checks.endpoints.document.data.probes[",
    ),
    "vpn-dns-failure": (
        "checks.network.document.data.adapters[イーサネット 2]",
        "checks.network.document.data.dns_servers[イーサネット 2]",
        "checks.network.document.data.default_route.",
        "checks.endpoints.document.data.probes[login.live.com]",
        "checks.endpoints.document.data.probes[account.live.com]",
    ),
    "hosts-file-block": (
        "checks.network.document.data.hosts_entries",
        "checks.endpoints.document.data.probes[login.live.com]",
        "checks.endpoints.document.data.probes[www.msftconnecttest.com]",
    ),
    "wlidsvc-disabled": ("checks.services.document.data.services[wlidsvc].",),
}


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Leaf path -> value; list items with a host/name/interface_alias are keyed by it, not by position."""
    if isinstance(value, dict):
        if not value:
            return {path: {}}
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list):
        if not value:
            return {path: []}
        out = {}
        for index, item in enumerate(value):
            label = index
            if isinstance(item, dict):
                label = item.get("host") or item.get("name") or item.get("interface_alias") or index
            out.update(flatten(item, f"{path}[{label}]"))
        return out
    return {path: value}


@pytest.mark.parametrize("name", sorted(ALLOWED_CHANGES))
def test_lab_host_differs_from_healthy_only_where_documented(name: str) -> None:
    healthy, broken = flatten(lab("healthy-ja-jp")), flatten(lab(name))
    changed = {
        p for p in healthy.keys() | broken.keys() if healthy.get(p, object()) != broken.get(p, object())
    }
    changed -= set(RENAME)
    unexpected = sorted(p for p in changed if not p.startswith(ALLOWED_CHANGES[name]))
    assert not unexpected, f"{name} changes undocumented fields: {unexpected[:10]}"
    assert changed, f"{name} is identical to healthy-ja-jp"


def test_proxy_mismatch_user_has_a_proxy_but_winhttp_is_direct() -> None:
    f = facts(lab("proxy-mismatch"))
    assert f.proxy is not None and f.proxy.wininet is not None and f.proxy.winhttp is not None
    assert f.proxy.wininet.proxy_enable is True
    assert f.proxy.wininet.proxy_server == "proxy.corp.example:8080"
    assert f.proxy.wininet.proxy_override == "<local>;*.corp.example"
    assert f.proxy.winhttp.direct is True and f.proxy.winhttp.proxy_server is None
    assert f.endpoints is not None
    for p in f.endpoints.probes:  # the user's path through the proxy works
        assert p.proxy == "http://proxy.corp.example:8080/"
        assert p.tcp is not None and p.tcp.ok and p.tcp.target == "proxy.corp.example:8080"
        assert p.tls is not None and p.tls.ok and p.http is not None and p.http.status in (200, 302)


def test_clock_skew_is_7_min_12_s_behind_the_servers() -> None:
    capture = lab("clock-skew")
    utc = parse_utc(check_data(capture, "time")["utc_time"])
    for host, p in probes(capture).items():
        skew = (parsedate_to_datetime(p["http"]["date"]) - utc).total_seconds()
        assert 432 <= skew <= 434, host
    w32 = check_data(capture, "time")["w32time"]
    assert (w32["service_status"], w32["type"]) == ("Stopped", "NoSync")
    assert services(capture)["W32Time"]["status"] == "Stopped", (
        "the services check agrees with the time check"
    )


def test_vpn_dns_failure_breaks_only_the_live_com_hosts() -> None:
    capture = lab("vpn-dns-failure")
    net = check_data(capture, "network")
    vpn = [a for a in net["adapters"] if a["is_vpn"]]
    assert [(a["description"], a["status"]) for a in vpn] == [("PANGP Virtual Ethernet Adapter Secure", "Up")]
    vpn_dns = next(d for d in net["dns_servers"] if d["if_index"] == vpn[0]["if_index"])
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("10.0.0.0/8") for a in vpn_dns["addresses"])
    for host, p in probes(capture).items():
        if host in ("login.live.com", "account.live.com"):
            assert p["dns"]["addresses"] == [] and p["dns"]["error"] == "そのようなホストは不明です。"
            assert p["tcp"]["ok"] is None, "nothing is attempted without an address"
            assert p["tcp"]["error"].startswith("not attempted") and p["tls"] is None and p["http"] is None
        else:
            assert p["dns"]["addresses"] and p["dns"]["error"] is None and p["tcp"]["ok"]


def test_hosts_file_block_sends_two_hosts_to_0_0_0_0() -> None:
    capture = lab("hosts-file-block")
    entries = check_data(capture, "network")["hosts_entries"]
    assert {(e["hostname"], e["address"]) for e in entries} == {
        ("login.live.com", "0.0.0.0"),
        ("www.msftconnecttest.com", "0.0.0.0"),
    }
    assert all(isinstance(e["line_number"], int) and e["line_number"] > 0 for e in entries)
    for host, p in probes(capture).items():
        blocked = host in ("login.live.com", "www.msftconnecttest.com")
        assert (p["dns"]["addresses"] == ["0.0.0.0"]) is blocked
        assert (p["tcp"]["ok"] is False) is blocked


def test_wlidsvc_disabled() -> None:
    svc = services(lab("wlidsvc-disabled"))
    assert (svc["wlidsvc"]["status"], svc["wlidsvc"]["start_type"]) == ("Stopped", "Disabled")
    assert svc["TokenBroker"]["start_type"] == "Manual"


# ---------------------------------------------------------------- test fixtures say what they are named after
def test_healthy_en_us() -> None:
    f = facts(fixture("healthy-en-us"))
    assert f.locale is not None and f.locale.culture is not None and f.locale.home_location is not None
    assert (f.locale.culture.name, f.locale.culture.lcid, f.locale.home_location.geo_id) == (
        "en-US",
        1033,
        244,
    )
    assert f.time is not None and f.time.time_zone is not None
    assert (f.time.time_zone.id, f.time.time_zone.current_utc_offset_minutes) == (
        "Pacific Standard Time",
        -480,
    )
    assert f.time.local_time is not None and f.time.local_time.endswith("-08:00")


def test_abroad_ja_jp_in_us_keeps_japan_settings_in_a_us_time_zone() -> None:
    f = facts(fixture("abroad-ja-jp-in-us"))
    assert f.locale is not None and f.locale.culture is not None and f.locale.system_locale is not None
    assert f.locale.home_location is not None
    assert (f.locale.culture.name, f.locale.system_locale.name, f.locale.home_location.geo_id) == (
        "ja-JP",
        "ja-JP",
        122,
    )
    assert f.time is not None and f.time.time_zone is not None
    assert f.time.time_zone.id == "Pacific Standard Time"
    assert "太平洋標準時" in (f.time.time_zone.display_name or "")


def test_org_joined_tls_interception() -> None:
    f = facts(fixture("org-joined-tls-interception"))
    assert f.identity is not None and f.identity.dsregcmd is not None
    assert f.identity.dsregcmd.azure_ad_joined and f.identity.dsregcmd.domain_joined
    assert f.identity.dsregcmd.tenant_name == "Contoso" and f.identity.no_connected_user == 3
    assert f.endpoints is not None
    assert {p.tls.issuer for p in f.endpoints.probes if p.tls} == {"CN=Contoso Inspection CA, O=Contoso"}
    assert f.proxy is not None and f.proxy.winhttp is not None and f.proxy.winhttp.direct is False


def test_tls12_disabled_fails_every_handshake_after_tcp() -> None:
    f = facts(fixture("tls12-disabled"))
    assert f.tls is not None
    tls12 = next(p for p in f.tls.schannel_client if p.protocol == "TLS 1.2")
    assert (tls12.key_present, tls12.enabled) == (True, 0)
    assert f.os is not None and f.os.build == 19045, "Windows 10 has no client TLS 1.3 to fall back to"
    assert f.endpoints is not None
    for p in f.endpoints.probes:
        assert p.tcp is not None and p.tcp.ok
        assert p.tls is not None and p.tls.ok is False and p.tls.error and p.tls.protocol is None
        assert p.http is not None and p.http.status is None and p.http.error


def test_partial_check_failures_cover_every_kind_of_missing_data() -> None:
    capture = fixture("partial-check-failures")
    checks = capture["checks"]
    assert checks["time"]["status"] == "error" and checks["time"]["reason"].startswith("not valid JSON")
    assert checks["time"]["raw"].startswith('{"check":"time"')
    assert checks["services"]["status"] == "error" and "services.0.status" in checks["services"]["reason"]
    assert '"start_type":3' in checks["services"]["raw"], "5.1 serialized the enum as an integer"
    assert checks["tls"]["status"] == "error" and checks["tls"]["reason"].startswith("the check failed: ")
    assert json.loads(checks["tls"]["raw"])["msdiag_runner"] == "check_failed"
    assert checks["endpoints"] == {"status": "not_run", "reason": "not selected"}
    f = facts(capture)
    assert f.time is None and f.services is None and f.tls is None and f.endpoints is None
    assert all(f.reason(c) for c in ("time", "services", "tls", "endpoints")), "missing data says why"
    errors = {(c, e.probe): e.category for c in CHECK_NAMES for e in f.probe_errors(c)}
    assert errors == {
        ("locale", "home_location"): "failed",
        ("network", "hosts_file"): "access_denied",
        ("identity", "dsregcmd"): "timeout",
        ("identity", "dsregcmd_output"): "failed",  # it printed nothing before it was stopped
        ("identity", "user_account"): "unavailable",
    }
    assert f.locale is not None and f.locale.home_location is None, "a failed probe is None, not a guess"
    assert f.network is not None and f.network.hosts_file_readable is False
    assert f.identity is not None and f.identity.dsregcmd is None and f.identity.signed_in_with_msa is None
    assert f.identity.dsregcmd_output is not None and f.identity.dsregcmd_output.timed_out


HOSTILE_MARKERS = (
    "<script>",
    "<img",
    "{{7*7}}",
    "\u001b[",
    "\u0000",
    "\u202e",
    "DROP TABLE",
    "javascript:",
    "=HYPERLINK",
    "\u200b",
    "<svg",
)


def test_hostile_capture_has_hostile_content_in_every_host_string() -> None:
    capture = fixture("hostile")
    literal_values = {
        "user",
        "machine",
        "process",
        "current_user",
        "interactive_user",
        "unavailable",
        "registry",
        "netsh",
        "peer",  # w32tm source kinds msdiag reads: a fixed vocabulary
        "local_cmos_clock",
    }
    for check in CHECK_NAMES:
        document = capture["checks"][check]["document"]
        strings = [
            v
            for k, v in flatten(document).items()
            if isinstance(v, str) and k not in ("check", "collected_utc")
        ]
        free = [s for s in strings if s not in literal_values and s not in ("failed", "access_denied")]
        assert free, check
        for text in free:
            assert any(m in text for m in HOSTILE_MARKERS), f"{check}: {text[:40]!r}"
    lengths = [len(v) for v in flatten(capture).values() if isinstance(v, str)]
    assert 512 in lengths and 4096 in lengths, "some strings sit exactly at their bound"
    assert "<script>" in capture["host"]


def test_pii_capture_carries_the_data_redaction_must_remove() -> None:
    text = (FIXTURE_DIR / "pii.json").read_text(encoding="utf-8")
    for needle in (
        "taro.yamada@contoso.co.jp",
        "taro.yamada@outlook.jp",
        "090-1234-5678",
        "+81 90-1234-5678",
        "Sakura2026!",
        "YAMADA-TARO-PC",
        "corp.contoso.co.jp",
        "10.1.0.10",
        "2001:db8:10:1::53",
        "C:\\\\Users\\\\taro.yamada",
    ):
        assert needle in text, needle


def test_old_os_is_windows_10_1809_not_elevated() -> None:
    capture = fixture("old-os")
    f = facts(capture)
    assert f.os is not None
    assert (f.os.build, f.os.display_version, f.os.is_elevated) == (17763, "1809", False)
    assert f.endpoints is not None
    assert {p.tls.protocol for p in f.endpoints.probes if p.tls} == {"Tls12"}, "no TLS 1.3 before Windows 11"


# ---------------------------------------------------- the public format doc keeps up with the models
def _field_names(model: type[BaseModel]) -> set[str]:
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for arg in typing.get_args(field.annotation) or (field.annotation,):
            for inner in typing.get_args(arg) or (arg,):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= _field_names(inner)
    return names


def test_capture_format_doc_describes_the_envelope() -> None:
    doc = (REPO / "docs" / "capture-format.md").read_text(encoding="utf-8")
    fields = _field_names(Capture) | _field_names(CheckDocument) | set(CheckResult.model_fields)
    # nested fields appear as dotted paths in the generated tables (`interactive_user.sid`)
    assert not sorted(n for n in fields if f"`{n}`" not in doc and f".{n}`" not in doc)
    assert all(f"`{state.value}`" in doc for state in HostState)
