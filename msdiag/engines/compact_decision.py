"""Where "a known fault is present" is decided on the device: one condition per fail-level rule.

The exported Intune / ConfigMgr script cannot run Python, and PowerShell stays thin: it only
encodes facts. Whether to exit 1 is then a small table, :data:`CONDITIONS`, of conditions over the
compact line's fields, one per rule that can fail. The table is data: :func:`render_powershell`
writes it as the script's ``Get-MsdiagCompactFault`` function, and :func:`failing_rules` evaluates
the very same table in Python, so the tests can show that the decision the script would make
agrees with msdiag's diagnosis on every lab host and fixture capture.

A condition reads the *view* of a line (:func:`decision_view`): scalar fields as strings, and the
lists ``ep`` / ``wp`` (probes), ``he`` (hosts-file lines), ``sv`` (services) as items of strings.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Final

from msdiag.checks import CHECK_NAMES
from msdiag.diagnosis.lifecycle import lifecycle_table
from msdiag.diagnosis.rules.base import CLOCK_SKEW_LIMIT_SECONDS, PRT_MAX_AGE_HOURS
from msdiag.diagnosis.rules.probes import NCSI_HOST
from msdiag.diagnosis.rules.windows import MIN_WIN10_BUILD
from msdiag.engines.compact_format import SERVICES, CompactFacts, Probe
from msdiag.engines.compact_nodes import (
    AbsMedian,
    All,
    Any,
    Cmp,
    Count,
    Either,
    ForSome,
    I,
    In,
    Int,
    Item,
    Node,
    Not,
    Pick,
    S,
    V,
    View,
    X,
    eq,
    ne,
    ok,
    two_xx,
)

# ---------------------------------------------------------------- the conditions, one per rule
_DIRECT_TCP = All((ne(I("tcp"), "-"), ne(I("dns"), "f"), eq(I("path"), "d"), eq(I("h"), "0")))
_THROUGH = All((ne(I("path"), "d"), ne(I("tcp"), "-")))
_DEAD = All((eq(I("tcp"), "F"), eq(I("cs"), "")))
_INET = Pick(eq(V("wi_enable"), "1"), V("wi_label"), S("-"))
_HTTP = Pick(eq(V("wh_direct"), "1"), S("-"), V("wh_label"))
_PAC = ne(V("wi_pac"), "-")
_LABELS = tuple(str(n) for n in range(1, 10))


def _dead_proxy(side: str) -> Node:
    group = All((_THROUGH, Cmp("eq", I("path"), X("label"))))
    return All((Any(side, group), Cmp("eq", Count(side, All((group, _DEAD))), Count(side, group))))


def _pac_failure() -> Node:
    return Either((
        eq(V("pac_dns"), "f"),
        eq(V("pac_tcp"), "F"),
        All((eq(V("pac_http"), "1"), eq(V("pac_hte"), "1"), eq(V("pac_st"), ""))),
        All((eq(V("pac_http"), "1"), ne(V("pac_st"), ""), Not(two_xx(V("pac_st"))))),
        eq(V("pac_lp"), "0"),
    ))  # fmt: skip


def _service(names: tuple[str, ...], bad: Node) -> Node:
    return All((ok("services"), Any("sv", All((In(I("name"), names), bad)))))


def _in_service_before_1809() -> Node:
    """Builds older than Windows 10 1809 with a row still in servicing (LTSB 2016): no exit 1 for
    them on the device, whose edition decides (the expanded capture's diagnosis still judges it)."""
    rows = [r for r in lifecycle_table().release if r.build < MIN_WIN10_BUILD]
    return Either(tuple(
        All((eq(V("ob"), str(r.build)), Cmp("le", Int(V("os_date")), int(r.end.strftime("%Y%m%d")))))
        for r in rows
    ) or (S(""),))  # fmt: skip


CONDITIONS: Final[dict[str, Node]] = {
    "adapters.none_connected": All((ok("network"), Cmp("eq", Int(V("na_phys"), 0), 0))),
    "clock.skew": All((ok("time"), ok("endpoints"), eq(V("tu"), "1"), Any("ep", ne(I("skew"), "")),
                       Cmp("gt", AbsMedian("ep", "skew"), int(CLOCK_SKEW_LIMIT_SECONDS)))),
    "clock.w32time_not_syncing": All((ok("time"), eq(V("w32"), "1"), Either((
        eq(V("w32_status"), "notfound"), eq(V("w32_start"), "disabled"), eq(V("w32_type"), "nosync"))))),
    "dns.account_hosts": All((ok("endpoints"), Any("ep", All((eq(I("dns"), "f"), eq(I("path"), "d")))))),
    "endpoints.ncsi_blocked": All((ok("endpoints"), Any("ep", All((eq(I("name"), NCSI_HOST), Either((
        eq(I("dns"), "f"), eq(I("tcp"), "F"),
        All((eq(I("tcp"), "-"), eq(I("http"), "1"), eq(I("hte"), "1"), eq(I("st"), ""))),
    ))))))),
    "endpoints.unexpected_response": All((ok("endpoints"), Any("ep", All((eq(I("http"), "1"), ne(I("st"), ""), Either((
        In(I("st"), ("407", "511")),
        All((In(I("st"), ("401", "403")), ne(I("path"), "d"))),
        All((eq(I("st"), "200"), eq(I("name"), "account.microsoft.com"), eq(I("tls"), "F"))),
    ))))))),
    # a line goes through the proxy only when the endpoints check saw it do so
    "hosts_file.override": All((ok("network"), ne(V("hf"), "0"),
                                Any("he", Either((eq(I("path"), "d"), Not(ok("endpoints"))))))),
    "identity.prt_stale": All((ok("identity"), eq(V("ds"), "1"), eq(V("ds_aad"), "Y"),
        # dsregcmd's SSO state is the signed-in user's only when the script ran as that user
        Not(All((Not(In(V("uc_chosen"), ("-", "u"))), ne(V("uc_same"), "1")))),
        Either((eq(V("ds_prt"), "N"), Cmp("gt", Int(V("ds_age")), int(PRT_MAX_AGE_HOURS * 3600)))))),
    "policy.msa_blocked": All((ok("identity"), In(V("nc"), ("1", "3")))),
    "proxy.wininet_winhttp_mismatch": All((ok("proxy"), eq(V("wi"), "1"), eq(V("wh"), "1"), ne(V("wh_source"), "u"),
        Not(All((Cmp("eq", _INET, _HTTP), Not(All((_PAC, Cmp("eq", _HTTP, S("-")))))))),
        Not(All((Cmp("eq", _INET, S("-")), Cmp("eq", _HTTP, S("-")), _PAC))))),
    "proxy.unreachable": All((ok("proxy"), ok("endpoints"), Either((ne(_INET, "-"), ne(_HTTP, "-"))),
        ForSome("label", _LABELS, Either((_dead_proxy("ep"), _dead_proxy("wp")))))),
    "proxy.connect_refused": All((ok("endpoints"), Either(tuple(
        Any(side, All((_THROUGH, ne(I("cs"), ""), Not(two_xx(I("cs")))))) for side in ("ep", "wp"))))),
    "proxy.pac_unreachable": All((ok("proxy"), eq(V("wi"), "1"), Either((
        eq(V("wi_pac"), "f"),
        All((ok("endpoints"), eq(V("pac"), "1"), _pac_failure())))))),
    "services.wlidsvc_disabled": _service(("wlidsvc",), All((eq(I("present"), "1"), eq(I("start"), "D")))),
    "services.tokenbroker_disabled": _service(("TokenBroker",), All((eq(I("present"), "1"), eq(I("start"), "D")))),
    "services.core_network_disabled": _service(("Dnscache", "NlaSvc"), Either((eq(I("start"), "D"), eq(I("present"), "0")))),
    "tcp.partial_block": All((ok("endpoints"), Any("ep", All((_DIRECT_TCP, eq(I("tcp"), "T")))),
                              Any("ep", All((_DIRECT_TCP, eq(I("tcp"), "F")))))),
    "tcp.all_blocked": All((ok("endpoints"), Any("ep", All((_DIRECT_TCP, eq(I("tcp"), "F")))),
                            Not(Any("ep", All((_DIRECT_TCP, eq(I("tcp"), "T"))))))),
    "tls.handshake_failure": All((ok("endpoints"), Any("ep", All((ne(I("tls"), "-"), eq(I("tcp"), "T"),
                                                                   Either((eq(I("tls"), "F"), eq(I("tlse"), "1")))))))),
    "tls.interception": All((ok("endpoints"), Any("ep", All((eq(I("iss"), "x"), ne(I("name"), NCSI_HOST)))))),
    # SCHANNEL's "enabled" values: 1, and 0xffffffff as some builds write (msdiag.diagnosis.rules.tls)
    "tls.protocol_disabled": All((ok("tls"), eq(V("t12"), "1"), Either((
        All((ne(V("t12_en"), "-"), Not(In(V("t12_en"), ("1", "4294967295", "-1"))))), eq(V("t12_dbd"), "1"))))),
    "vpn.dns_failure": All((ok("network"), ok("endpoints"),
                            Either((Cmp("gt", Int(V("na_vpn"), 0), 0), Cmp("gt", Int(V("vp_count"), 0), 0))),
                            Any("ep", All((eq(I("dns"), "f"), eq(I("path"), "d")))))),
    "windows.too_old": All((ok("os"), Either((
        Cmp("lt", Int(V("ov_major"), 99), 10),
        All((Cmp("ge", Int(V("ob")), 0), Cmp("lt", Int(V("ob")), MIN_WIN10_BUILD), ne(V("os_date"), ""),
             Not(_in_service_before_1809()))))))),
}  # fmt: skip


# ---------------------------------------------------------------- the view, and the decision in Python
def _probe_item(p: Probe) -> Item:
    return {
        "name": p.host.lower(), "path": p.path, "dns": p.dns, "h": "1" if p.hosts_file else "0",
        "tcp": p.tcp, "cs": "" if p.connect_status is None else str(p.connect_status),
        "tls": p.tls, "tlse": "1" if p.tls_error else "0", "iss": p.issuer,
        "http": "1" if p.http else "0", "st": "" if p.http_status is None else str(p.http_status),
        "hte": "1" if p.http_error else "0", "skew": "" if p.skew is None else str(p.skew),
    }  # fmt: skip


def _split(value: str, names: tuple[str, ...]) -> dict[str, str]:
    parts = value.split("/") if value != "-" else []
    present = len(parts) == len(names)
    return {names[i]: (parts[i] if present else "-") for i in range(len(names))}


def decision_view(facts: CompactFacts) -> View:
    """The fields the conditions read, as the script holds them before it writes its line."""
    view: View = {f"ck_{name}": facts.checks.get(name, "n")[:1] for name in CHECK_NAMES}
    uc = facts.user_context if len(facts.user_context) == 3 else "---"
    view.update(uc_chosen=uc[0], uc_same=uc[1])
    view["ov_major"] = facts.os_version.split(".")[0] if facts.os_version != "-" else "-"
    view["ob"] = "-" if facts.os_build is None else str(facts.os_build)
    view["os_date"] = ""
    if facts.checks.get("os", "n").startswith("o") and facts.collected != "-":
        start = datetime.strptime(facts.collected, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        view["os_date"] = (start + timedelta(seconds=int(facts.checks["os"][1:]))).strftime("%Y%m%d")
    w32 = _split(facts.w32time, ("w32_status", "w32_start", "w32_type"))
    view.update(
        {k: v.lower() for k, v in w32.items()}, w32="0" if facts.w32time == "-" else "1", tu=facts.utc_time
    )
    view.update(
        _split(facts.wininet, ("wi_enable", "wi_label", "wi_pac")), wi="0" if facts.wininet == "-" else "1"
    )
    view.update(
        _split(facts.winhttp, ("wh_source", "wh_direct", "wh_label")), wh="0" if facts.winhttp == "-" else "1"
    )
    view.update(
        _split(facts.adapters, ("na_total", "na_phys", "na_vpn")), na="0" if facts.adapters == "-" else "1"
    )
    view["vp_count"] = "0" if facts.vpn_profiles == "-" else str(len(facts.vpn_profiles))
    view["hf"] = facts.hosts_readable
    view.update(_split(facts.tls12, ("t12_en", "t12_dbd")), t12="0" if facts.tls12 == "-" else "1")
    view["nc"] = facts.no_connected_user
    letters, _, age = facts.dsreg.partition("/")
    view["ds"] = "1" if len(letters) == 5 else facts.dsreg[:1]
    for i, key in enumerate(("ds_aad", "ds_dom", "ds_wpj", "ds_ent", "ds_prt")):
        view[key] = letters[i] if len(letters) == 5 else "-"
    view["ds_age"] = age or "-"
    view.update(
        _split(facts.pac, ("pac_dns", "pac_tcp", "pac_http", "pac_lp")), pac="0" if facts.pac == "-" else "1"
    )
    pac_http = str(view["pac_http"])
    view.update(pac_http="0" if pac_http == "-" else "1", pac_st=pac_http.strip("he"),
                pac_hte="1" if pac_http.endswith("e") and pac_http != "-" else "0")  # fmt: skip
    view["ep"] = [_probe_item(p) for p in facts.probes]
    view["wp"] = [_probe_item(p) for p in facts.winhttp_probes]
    view["he"] = [
        dict(zip(("name", "kind", "path"), e.split("/"), strict=False)) for e in facts.hosts_entries
    ]
    view["sv"] = [
        {"name": name, "present": t[0], "status": t[1], "start": t[2]}
        for name, t in zip(SERVICES, facts.services, strict=False)
        if len(t) == 3
    ]
    return view


def failing_rules(facts: CompactFacts) -> list[str]:
    """The rule ids whose condition holds: the script's own decision (exit 1 when any)."""
    view = decision_view(facts)
    return [rule_id for rule_id, condition in CONDITIONS.items() if condition.eval(view, None, {})]


def render_powershell() -> str:
    """The conditions as the script's ``Get-MsdiagCompactFault`` function."""
    lines = [
        "function Get-MsdiagCompactFault {",
        "    # Generated by msdiag (msdiag/engines/compact_decision.py): one condition per rule that can",
        "    # fail, over the facts of the compact line. Do not edit: change the table and export again.",
        "    param([hashtable]$View)",
        "    $faults = @()",
    ]
    for rule_id, condition in CONDITIONS.items():
        lines.append(f"    if ({condition.ps()}) {{")
        lines.append(f"        $faults += '{rule_id}'")
        lines.append("    }")
    lines += ["    return , $faults", "}"]
    return "\n".join(lines) + "\n"
