"""A capture reduced to its compact line, in Python: :func:`encode_capture`, :func:`compact_line`.

The exported Intune / ConfigMgr scripts do this on the device, in PowerShell
(ps_scripts/MsdiagCompact.ps1, the same steps field by field); this module is the reference the
tests measure the format against (the round trip and the decision on every lab host and fixture)
and what ``msdiag`` uses to show the compact form of a saved capture.

A probe's path is its ``proxy`` as the endpoints check recorded it (GetSystemWebProxy has applied
the user's bypass list already), as on the device.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from msdiag.capture.models import Capture, CheckStatus, EndpointProbe, EndpointsData, NetworkData
from msdiag.capture.parse import Facts
from msdiag.capture.user_context import SERVICE_SIDS
from msdiag.checks import CHECK_DATA_MODELS, CHECK_NAMES
from msdiag.diagnosis.clock import machine_clock_at_probes, parse_http_date, parse_iso_utc
from msdiag.diagnosis.rules.hosts_file import BLOCK_ADDRESSES
from msdiag.diagnosis.rules.probes import (
    dns_failed,
    is_file_url,
    is_microsoft_host,
    normalize_proxy,
    overridden_hosts,
)
from msdiag.diagnosis.rules.tls import TRUSTED_ISSUER_MARKERS
from msdiag.engines.compact_decision import failing_rules
from msdiag.engines.compact_format import (
    CHOSEN_LETTERS,
    MAX_DENIED,
    MAX_ENV,
    MAX_FAULTS,
    MAX_HOSTS_ENTRIES,
    MAX_PROBES,
    SERVICES,
    CompactFacts,
    Probe,
    is_carried_host,
    write_line,
)

_WORD = re.compile(r"^[A-Za-z0-9]{1,40}$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_CAPTION = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def compact_line(capture: Capture) -> str:
    """The compact line the exported engine scripts print for this capture."""
    return write_line(encode_capture(capture))


def _flag(value: bool | None, yes: str = "1", no: str = "0") -> str:
    return "-" if value is None else (yes if value else no)


def _word(value: str | None, pattern: re.Pattern[str] = _WORD) -> str:
    return value if value is not None and pattern.match(value) else "-"


def _stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ") if moment is not None else "19700101T000000Z"


class _Labels:
    """Proxies as labels 1-9 in order of first appearance (equal host:port, equal label)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, value: str | None) -> str:
        key = normalize_proxy(value)
        if key is None:
            return "-"
        if key not in self.seen:
            self.seen.append(key)
        return str(min(self.seen.index(key) + 1, 9))


def encode_capture(capture: Capture) -> CompactFacts:
    """The facts of ``capture`` the compact line carries (and the decision over them)."""
    facts = Facts(capture)
    start = parse_iso_utc(capture.collected_utc)
    out = CompactFacts(
        version=_word(capture.msdiag_version, re.compile(r"^[A-Za-z0-9.+_-]{1,24}$")),
        collected=_stamp(start),
        host_state=capture.host_status.state.value,
        ps_edition={"Desktop": "D", "Core": "C"}.get(
            (capture.powershell.edition or "") if capture.powershell else "", "-"
        ),
        ps_version=_word(
            capture.powershell.version if capture.powershell else None, re.compile(r"^[0-9.]{1,24}$")
        ),
    )
    context = capture.user_context
    if context is not None:
        sid = context.session_account.sid if context.session_account else None
        kind = "-" if sid is None else "y" if sid == "S-1-5-18" else "s" if sid in SERVICE_SIDS else "p"
        out.user_context = (
            CHOSEN_LETTERS[context.chosen_by] + _flag(context.session_is_interactive_user) + kind
        )
    for name in CHECK_NAMES:
        result = capture.checks.get(name)
        status = result.status if result is not None else CheckStatus.NOT_RUN
        if status is CheckStatus.OK and facts.data(name, CHECK_DATA_MODELS[name]) is not None:
            stamp = parse_iso_utc(facts.collected_utc(name))
            offset = math.floor((stamp - start).total_seconds()) if stamp and start else 0
            out.checks[name] = f"o{max(-999999, min(offset, 999999))}"
        else:
            out.checks[name] = {CheckStatus.ERROR: "e", CheckStatus.BLOCKED: "b"}.get(
                status, "e" if status is CheckStatus.OK else "n"
            )
    out.denied = [f"{c}/{e.probe}" for c in CHECK_NAMES for e in facts.probe_errors(c)
                  if e.category == "access_denied" and _NAME.match(e.probe)][:MAX_DENIED]  # fmt: skip
    labels = _Labels()
    _os(facts, out)
    _time(facts, out)
    _proxy(facts, out, labels)
    _network(facts, out)
    _endpoints(facts, out, labels)
    _services(facts, out)
    _tls_and_identity(facts, out)
    out.faults = failing_rules(out)[:MAX_FAULTS]
    return out


def _os(facts: Facts, out: CompactFacts) -> None:
    os = facts.os
    if os is None:
        return
    major = re.match(r"^(\d{1,4}\.\d{1,4})", os.version or "")
    out.os_version = major.group(1) if major else "-"
    out.os_build = os.build if os.build is not None and 0 <= os.build < 10_000_000 else None
    out.os_edition = _word(os.edition)
    if out.os_edition == "-":
        out.os_caption = _word((os.caption or "").replace(" ", "_"), _CAPTION)
    out.elevated = _flag(os.is_elevated)


def _time(facts: Facts, out: CompactFacts) -> None:
    time = facts.time
    if time is None:
        return
    w = time.w32time
    if w is not None:
        # a value that is not a plain word is still a value: "other", never dropped
        out.w32time = "/".join(
            _word(v) if _word(v) != "-" else ("other" if v else "")
            for v in (w.service_status, w.start_type, w.type)
        )
    out.utc_time = "1" if parse_iso_utc(time.utc_time) is not None else "0"


def _proxy(facts: Facts, out: CompactFacts, labels: _Labels) -> None:
    proxy = facts.proxy
    if proxy is None:
        return
    if proxy.wininet is not None:
        w = proxy.wininet
        pac = "-" if not w.auto_config_url else "f" if is_file_url(w.auto_config_url) else "h"
        out.wininet = f"{_flag(w.proxy_enable)}/{labels(w.proxy_server)}/{pac}"
    if proxy.winhttp is not None:
        h = proxy.winhttp
        out.winhttp = f"{h.source[0]}/{_flag(h.direct)}/{labels(h.proxy_server)}"
    out.env = [
        f"{v.scope[0]}/{'S' if v.name.upper() == 'HTTPS_PROXY' else 'H'}/{labels(v.value)}"
        for v in proxy.environment
        if v.name.upper() in ("HTTP_PROXY", "HTTPS_PROXY")
    ][:MAX_ENV]


def _network(facts: Facts, out: CompactFacts) -> None:
    net = facts.network
    if net is None:
        return
    up = [a for a in net.adapters if (a.status or "").lower() == "up"]
    out.adapters = f"{len(net.adapters)}/{sum(not a.is_vpn for a in up)}/{sum(a.is_vpn for a in up)}"
    connected = [p for p in net.vpn_profiles if (p.connection_status or "").lower() == "connected"]
    out.vpn_profiles = (
        "".join(_flag(p.split_tunneling, "s", "f").replace("-", "u") for p in connected)[:8] or "-"
    )
    out.hosts_readable = _flag(net.hosts_file_readable)
    eps = facts.endpoints
    proxied = {p.host.lower() for p in (eps.probes if eps else []) if p.proxy is not None}
    entries: list[str] = []
    for e in net.hosts_entries:
        name = e.hostname.lower()
        if is_microsoft_host(name) and is_carried_host(name):
            item = f"{name}/{'b' if e.address in BLOCK_ADDRESSES else 'r'}/{'p' if name in proxied else 'd'}"
            if item not in entries:
                entries.append(item)
    # the direct ones first: they decide the hosts-file rule when the list is cut
    out.hosts_entries = sorted(entries, key=lambda item: item.endswith("/p"))[:MAX_HOSTS_ENTRIES]


def _probe(p: EndpointProbe, net: NetworkData | None, labels: _Labels, reference: datetime | None) -> Probe:
    out = Probe(host=p.host, path="d" if p.proxy is None else labels(p.proxy).replace("-", "d"))
    if p.dns is not None:
        out.dns = "f" if dns_failed(p) else "o"
    out.hosts_file = net is not None and p.host.lower() in overridden_hosts(net)
    if p.tcp is not None:
        out.tcp = _flag(p.tcp.ok, "T", "F").replace("-", "N")
        status = p.tcp.connect_status
        out.connect_status = status if status is not None and 0 <= status <= 999 else None
    if p.tls is not None:
        out.tls = _flag(p.tls.ok, "T", "F").replace("-", "N")
        out.tls_error = bool(p.tls.error or p.tls.validation_error)
        if p.tls.issuer:
            out.issuer = "m" if any(m in p.tls.issuer.lower() for m in TRUSTED_ISSUER_MARKERS) else "x"
    if p.http is not None:
        out.http = True
        status = p.http.status
        out.http_status = status if status is not None and 0 <= status <= 999 else None
        out.http_error = bool(p.http.error)
        server = parse_http_date(p.http.date)
        if server is not None and reference is not None:
            out.skew = max(-9_999_999_999, min(round((server - reference).total_seconds()), 9_999_999_999))
    return out


def _endpoints(facts: Facts, out: CompactFacts, labels: _Labels) -> None:
    eps: EndpointsData | None = facts.endpoints
    if eps is None:
        return
    reference = machine_clock_at_probes(facts)
    out.probes = [_probe(p, facts.network, labels, reference) for p in eps.probes[:MAX_PROBES]]
    out.winhttp_probes = [_probe(p, facts.network, labels, None) for p in eps.winhttp_probes[:MAX_PROBES]]
    for p in out.winhttp_probes:
        p.skew = None
    pac = eps.pac
    if pac is not None:
        dns = "-" if pac.dns is None else "f" if (pac.dns.error is not None or not pac.dns.addresses) else "o"
        tcp = "-" if pac.tcp is None else _flag(pac.tcp.ok, "T", "F").replace("-", "N")
        http = "-"
        if pac.http is not None:
            status = pac.http.status if pac.http.status is not None and 0 <= pac.http.status <= 999 else None
            http = "h" + (str(status) if status is not None else "") + ("e" if pac.http.error else "")
        out.pac = f"{dns}/{tcp}/{http}/{_flag(pac.looks_like_pac)}"


def _services(facts: Facts, out: CompactFacts) -> None:
    services = facts.services
    if services is None:
        return
    tokens = []
    for name in SERVICES:
        s = next((s for s in services.services if s.name.lower() == name.lower()), None)
        if s is None:
            tokens.append("-")
            continue
        status = (s.status or "").lower()
        start = (s.start_type or "").lower()
        tokens.append(
            ("1" if s.present else "0")
            + ({"running": "R", "stopped": "S"}.get(status, "O") if status else "-")
            + ({"automatic": "A", "manual": "M", "disabled": "D"}.get(start, "O") if start else "-")
        )
    out.services = tokens


def _tls_and_identity(facts: Facts, out: CompactFacts) -> None:
    tls = facts.tls
    if tls is not None:
        entry = next(
            (e for e in tls.schannel_client if e.protocol.replace(" ", "").upper() == "TLS1.2"), None
        )
        if entry is not None and entry.key_present:
            out.tls12 = "/".join(
                "-" if v is None else str(v) for v in (entry.enabled, entry.disabled_by_default)
            )
    identity = facts.identity
    if identity is None:
        return
    value = identity.no_connected_user
    out.no_connected_user = "-" if value is None else str(value)
    ds = identity.dsregcmd
    if ds is None:
        return
    if not ds.available:
        out.dsreg = "0"
        return
    joins = (ds.azure_ad_joined, ds.domain_joined, ds.workplace_joined, ds.enterprise_joined, ds.azure_ad_prt)
    letters = "".join(_flag(v, "Y", "N") for v in joins)
    age = "-"
    if ds.azure_ad_prt_update_time is not None:
        updated = parse_iso_utc(ds.azure_ad_prt_update_time)
        collected = parse_iso_utc(facts.collected_utc("identity"))
        # the ceiling keeps "older than 4 hours" exactly as the rule reads it (a strict >)
        age = (
            "u"
            if updated is None or collected is None
            else str(math.ceil((collected - updated).total_seconds()))
        )
    out.dsreg = f"{letters}/{age}"
