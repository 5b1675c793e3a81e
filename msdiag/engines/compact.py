"""A compact line back into a partial capture: :func:`expand_compact`.

Every fact the line carries is put where the check scripts would have put it, with placeholders
for what it leaves out on purpose (names, addresses, messages); every fact it does not carry
stays null, and a check it does not carry at all (locale) is ``not_run`` with the reason
:data:`NOT_IN_COMPACT`. The rules then judge the expanded capture as they judge any other: a
finding the line cannot support is *not collected*, never a pass (tests/engines/ check this on
every lab host and fixture capture).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any, Final

from msdiag.capture.models import Capture, CheckResult, CheckStatus, HostState, HostStatus, PowerShellInfo
from msdiag.capture.parse import check_built_document
from msdiag.capture.user_context import AccountRef, UserContext
from msdiag.checks import CHECK_NAMES
from msdiag.engines.compact_format import (
    CHOSEN_LETTERS,
    SERVICES,
    VERSION,
    CompactError,
    CompactFacts,
    Probe,
    read_line,
)

__all__ = ["NOT_IN_COMPACT", "CompactError", "expand_compact", "expand_facts"]

#: the reason of a check the compact form does not carry
NOT_IN_COMPACT: Final = "not in the compact form"
#: the checks whose facts the line carries (the locale check's are context only: docs/compact-format.md)
CARRIED: Final = tuple(name for name in CHECK_NAMES if name != "locale")
#: the host of an expanded capture until the engine's own record names the device
UNNAMED_HOST: Final = "(device name from the engine's record)"
_OMITTED = "not in the compact form"
_PAC_URL = {
    "h": "http://pac-address-not-in-the-compact-form.invalid/",
    "f": "file://pac-address-not-in-the-compact-form/",
}
_ISSUERS = {
    "m": "Microsoft or DigiCert CA (name not in the compact form)",
    "x": "another CA (name not in the compact form)",
}
_STATUS = {"R": "Running", "S": "Stopped", "O": "Other"}
_START = {"A": "Automatic", "M": "Manual", "D": "Disabled", "O": "Other"}
_BOOL = {"1": True, "0": False, "Y": True, "N": False}
#: a probe step's ok: T true, F false, N null (the step ran without a verdict)
_STEP = {"T": True, "F": False, "N": None}
_WINHTTP_SOURCE = {"r": "registry", "n": "netsh", "u": "unavailable"}
_ENV_SCOPE = {"u": "user", "m": "machine", "p": "process"}
_ENV_NAME = {"H": "HTTP_PROXY", "S": "HTTPS_PROXY"}
_SPLIT = {"s": True, "f": False, "u": None}
_CHOSEN = {letter: name for name, letter in CHOSEN_LETTERS.items()}


def expand_compact(line: str, *, host: str | None = None) -> Capture:
    """The partial capture a compact line describes (``host``: the device name from the engine).

    Raises :class:`CompactError` (a ``ValueError``) for a line that is cut, altered, of an unknown
    version or malformed; its ``kind`` and message say which, for a ``bad_output`` record.
    """
    return expand_facts(read_line(line), host=host)


def _moment(stamp: str) -> datetime:
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise CompactError("malformed", f"field t is not a time: {stamp[:40]!r}") from None


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000Z"


def _flag(value: str) -> bool | None:
    return _BOOL.get(value)


def _parts(value: str, count: int, name: str) -> list[str]:
    parts = value.split("/")
    if len(parts) != count:
        raise CompactError("malformed", f"field {name} does not read: {value[:60]!r}")
    return parts


def _word(value: str) -> str | None:
    return None if value in ("-", "") else value


def proxy_name(label: str) -> str:
    """The stand-in for proxy ``label`` (equal proxies share a label; the name is not carried)."""
    return f"proxy-{label}.not-in-the-compact-form.invalid:8080"


def _label(value: str) -> str | None:
    return None if value == "-" else proxy_name(value)


def expand_facts(facts: CompactFacts, *, host: str | None = None) -> Capture:
    """The partial capture of :func:`expand_compact`, from facts already read."""
    start = _moment(facts.collected)
    try:
        state = HostState(facts.host_state)
    except ValueError:
        raise CompactError("malformed", f"field hs is not a host state: {facts.host_state[:40]!r}") from None
    checks: dict[str, CheckResult] = {}
    for name in CHECK_NAMES:
        code = facts.checks.get(name, "n")
        if code == "e":
            checks[name] = CheckResult(
                status=CheckStatus.ERROR, reason=f"the check failed on the device (why is {_OMITTED})"
            )
        elif code == "b":
            checks[name] = CheckResult(
                status=CheckStatus.BLOCKED,
                reason=f"blocked by antivirus software (AMSI) on the device ({_OMITTED})",
            )
        elif code == "n":
            checks[name] = CheckResult(
                status=CheckStatus.NOT_RUN, reason=f"not run on the device ({_OMITTED})"
            )
        elif name not in CARRIED:
            checks[name] = CheckResult(status=CheckStatus.NOT_RUN, reason=NOT_IN_COMPACT)
        else:
            stamp = start + timedelta(seconds=int(code[1:]))
            document = {"check": name, "schema_version": 2, "collected_utc": iso(stamp), "elapsed_ms": None,
                        "data": _DATA[name](facts, stamp), "errors": _denied(facts, name)}  # fmt: skip
            problem = check_built_document(document, name)
            if problem is not None:
                raise CompactError("malformed", f"the {name} facts do not make a valid document: {problem}")
            checks[name] = CheckResult(status=CheckStatus.OK, document=document)
    warnings = [f"expanded from msdiag's compact form (version {VERSION}): only the facts it carries "
                "(docs/compact-format.md); the rest is not collected"]  # fmt: skip
    if facts.process == "32on64":
        warnings.append(
            "the script ran in 32-bit PowerShell on 64-bit Windows (Intune: 'Run script in 64-bit PowerShell' off)"
        )
    if facts.faults:
        warnings.append(
            f"the script's own decision on the device: {', '.join(facts.faults)} failing (exit code 1)"
        )
    return Capture(
        msdiag_version=_word(facts.version),
        host=host or UNNAMED_HOST,
        mode="exported-script",
        collected_utc=iso(start),
        powershell=PowerShellInfo(
            edition={"D": "Desktop", "C": "Core"}.get(facts.ps_edition), version=_word(facts.ps_version)
        ),
        host_status=HostStatus(
            state=state,
            detail=None if state is HostState.OK else f"reported by the device ({_OMITTED}: the detail)",
        ),
        checks=checks,
        warnings=warnings,
        user_context=_user_context(facts.user_context),
    )


def _denied(facts: CompactFacts, check: str) -> list[dict[str, Any]]:
    out = []
    for item in facts.denied:
        name, _, probe = item.partition("/")
        if name == check and probe:
            out.append(
                {
                    "probe": probe,
                    "message": f"access denied (the message is {_OMITTED})",
                    "category": "access_denied",
                }
            )
    return out


def _user_context(code: str) -> UserContext | None:
    if code == "-":
        return None
    if len(code) != 3 or code[0] not in _CHOSEN:
        raise CompactError("malformed", f"field uc does not read: {code[:20]!r}")
    chosen = _CHOSEN[code[0]]
    session = {
        "y": AccountRef(sid="S-1-5-18", account="NT AUTHORITY\\SYSTEM"),
        "s": AccountRef(account=f"a service account ({_OMITTED})"),
        "p": AccountRef(account=f"the account the script ran as ({_OMITTED})"),
    }.get(code[2])
    same = _flag(code[1])
    user = None
    if chosen == "session_account" or (same and session is not None):
        user = session
    elif chosen not in ("nobody", "unknown"):
        user = AccountRef(account=f"the signed-in user ({_OMITTED})")
    return UserContext(
        interactive_user=user, chosen_by=chosen, session_account=session, session_is_interactive_user=same
    )  # type: ignore[arg-type]


# ---------------------------------------------------------------- each check's data
def _os(facts: CompactFacts, _: datetime) -> dict[str, Any]:
    return {
        "version": _word(facts.os_version),
        "build": facts.os_build,
        "edition": _word(facts.os_edition),
        "caption": None if facts.os_caption == "-" else facts.os_caption.replace("_", " "),
        "is_elevated": _flag(facts.elevated),
    }


def _time(facts: CompactFacts, stamp: datetime) -> dict[str, Any]:
    w32 = None
    if facts.w32time != "-":
        status, start, kind = _parts(facts.w32time, 3, "w32")
        w32 = {"service_status": _word(status), "start_type": _word(start), "type": _word(kind)}
    # the clock is the check's own stamp: every probe's skew is carried against it (docs)
    return {"utc_time": iso(stamp) if facts.utc_time == "1" else None, "w32time": w32}


def _proxy(facts: CompactFacts, _: datetime) -> dict[str, Any]:
    wininet = winhttp = None
    if facts.wininet != "-":
        enable, label, pac = _parts(facts.wininet, 3, "wi")
        wininet = {
            "proxy_enable": _flag(enable),
            "proxy_server": _label(label),
            "auto_config_url": _PAC_URL.get(pac),
        }
    if facts.winhttp != "-":
        source, direct, label = _parts(facts.winhttp, 3, "wh")
        if source not in _WINHTTP_SOURCE:
            raise CompactError("malformed", f"field wh does not read: {facts.winhttp[:40]!r}")
        winhttp = {"source": _WINHTTP_SOURCE[source], "direct": _flag(direct), "proxy_server": _label(label)}
    environment = []
    for item in facts.env:
        scope, name, label = _parts(item, 3, "env")
        if scope not in _ENV_SCOPE or name not in _ENV_NAME:
            raise CompactError("malformed", f"field env does not read: {item[:40]!r}")
        environment.append(
            {"scope": _ENV_SCOPE[scope], "name": _ENV_NAME[name], "value": _label(label) or ""}
        )
    return {"wininet": wininet, "winhttp": winhttp, "environment": environment}


def _network(facts: CompactFacts, _: datetime) -> dict[str, Any]:
    adapters: list[dict[str, Any]] = []
    if facts.adapters != "-":
        total, physical, vpn = (int(n) if n.isdigit() else 0 for n in _parts(facts.adapters, 3, "na"))
        adapters += [{"name": f"adapter {i + 1}", "status": "Up"} for i in range(min(physical, 64))]
        adapters += [
            {"name": f"VPN adapter {i + 1}", "status": "Up", "is_vpn": True} for i in range(min(vpn, 64))
        ]
        rest = max(0, min(total, 128) - physical - vpn)
        adapters += [{"name": f"adapter {physical + i + 1}", "status": "Disconnected"} for i in range(rest)]
    profiles = [
        {
            "name": f"VPN profile {i + 1}",
            "connection_status": "Connected",
            "split_tunneling": _SPLIT.get(kind),
        }
        for i, kind in enumerate("" if facts.vpn_profiles == "-" else facts.vpn_profiles)
    ]
    entries = []
    for item in facts.hosts_entries:
        name, kind, _path = _parts(item, 3, "he")
        address = "0.0.0.0" if kind == "b" else f"an address {_OMITTED}"
        entries.append({"address": address, "hostname": name})
    return {"adapters": adapters, "vpn_profiles": profiles, "hosts_entries": entries,
            "hosts_file_readable": _flag(facts.hosts_readable)}  # fmt: skip


def _dns(state: str) -> dict[str, Any] | None:
    if state == "-":
        return None
    if state == "o":
        return {"addresses": [f"an address {_OMITTED}"], "error": None}
    return {"addresses": [], "error": f"the lookup failed (its message is {_OMITTED})"}


def _tcp(state: str, target: str, status: int | None = None) -> dict[str, Any] | None:
    if state == "-":
        return None
    error = f"the connection failed (its message is {_OMITTED})" if state == "F" else None
    return {"ok": _STEP.get(state), "error": error, "target": target, "connect_status": status}


def _http(
    present: bool, status: int | None, error: bool, date: datetime | None = None
) -> dict[str, Any] | None:
    if not present:
        return None
    return {"status": status, "date": format_datetime(date, usegmt=True) if date else None,
            "error": f"the request failed (its message is {_OMITTED})" if error else None}  # fmt: skip


def _probe(p: Probe, stamp: datetime) -> dict[str, Any]:
    proxy = None if p.path == "d" else proxy_name(p.path)
    tls = None
    if p.tls != "-":
        tls = {"ok": _STEP.get(p.tls), "error": f"the handshake or the certificate failed ({_OMITTED})" if p.tls_error else None,
               "issuer": _ISSUERS.get(p.issuer)}  # fmt: skip
    date = stamp + timedelta(seconds=p.skew) if p.skew is not None else None
    return {
        "host": p.host,
        "proxy": f"http://{proxy}/" if proxy else None,
        "dns": _dns(p.dns),
        "tcp": _tcp(p.tcp, proxy or f"{p.host}:443", p.connect_status),
        "tls": tls,
        "http": _http(p.http, p.http_status, p.http_error, date),
    }


def _pac(facts: CompactFacts) -> dict[str, Any] | None:
    if facts.pac == "-":
        return None
    dns, tcp, http, looks = _parts(facts.pac, 4, "pac")
    status = http.strip("he")
    url = _PAC_URL["h"]
    return {
        "url": url,
        "dns": _dns(dns),
        "tcp": _tcp(tcp, f"pac-server {_OMITTED}:80"),
        "http": _http(
            http != "-", int(status) if status.isdigit() else None, http.endswith("e") and http != "-"
        ),
        "looks_like_pac": _flag(looks),
    }


def _endpoints(facts: CompactFacts, stamp: datetime) -> dict[str, Any]:
    return {
        "probes": [_probe(p, stamp) for p in facts.probes],
        "winhttp_probes": [_probe(p, stamp) for p in facts.winhttp_probes],
        "pac": _pac(facts),
    }


def _services(facts: CompactFacts, _: datetime) -> dict[str, Any]:
    services = []
    for name, token in zip(SERVICES, facts.services, strict=False):
        if token == "-" or len(token) != 3:
            continue
        services.append({"name": name, "present": token[0] == "1", "status": _STATUS.get(token[1]),
                         "start_type": _START.get(token[2])})  # fmt: skip
    return {"services": services}


def _int(value: str) -> int | None:
    return int(value) if value.lstrip("-").isdigit() and len(value) < 12 else None


def _tls(facts: CompactFacts, _: datetime) -> dict[str, Any]:
    if facts.tls12 == "-":
        return {"schannel_client": []}
    enabled, off = _parts(facts.tls12, 2, "t12")
    entry = {
        "protocol": "TLS 1.2",
        "key_present": True,
        "enabled": _int(enabled),
        "disabled_by_default": _int(off),
    }
    return {"schannel_client": [entry]}


def _identity(facts: CompactFacts, stamp: datetime) -> dict[str, Any]:
    dsreg: dict[str, Any] | None = None
    if facts.dsreg == "0":
        dsreg = {"available": False}
    elif facts.dsreg != "-":
        letters, age = _parts(facts.dsreg, 2, "ds")
        if len(letters) != 5:
            raise CompactError("malformed", f"field ds does not read: {facts.dsreg[:40]!r}")
        names = ("azure_ad_joined", "domain_joined", "workplace_joined", "enterprise_joined", "azure_ad_prt")
        dsreg = {"available": True, **{n: _flag(v) for n, v in zip(names, letters, strict=True)}}
        if age == "u":
            dsreg["azure_ad_prt_update_time"] = f"unreadable ({_OMITTED})"
        elif _int(age) is not None:
            dsreg["azure_ad_prt_update_time"] = iso(stamp - timedelta(seconds=_int(age) or 0))
    return {"no_connected_user": _int(facts.no_connected_user), "dsregcmd": dsreg}


_DATA = {"os": _os, "time": _time, "proxy": _proxy, "network": _network, "endpoints": _endpoints,
         "services": _services, "tls": _tls, "identity": _identity}  # fmt: skip
