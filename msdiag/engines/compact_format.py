"""The compact line, version 1: what it holds (:class:`CompactFacts`), how it is written and read.

One ASCII line, ``MSDIAG1;key=value;...;#XXXXXXXX``: a fixed prefix with the format version, the
fields in a fixed order, and the CRC-32 (the one zlib computes, 8 upper-case hex digits) of
everything before the ``#``. A line cut at either end or displaced by other output fails the
prefix or the checksum and is refused (:class:`CompactError`), never half read. The fields and
their encodings are docs/compact-format.md; :data:`FIELDS` is the same list as data.

Values are tokens of ``[A-Za-z0-9.+_-]``; lists are ``,``-separated, parts of an item ``/``. The
line carries facts, never names of people or machines, addresses or phone numbers: host names are
Microsoft's own (an index into the default list), proxies are labels (1, 2 ...: equal proxies
share one), a service or setting is a letter.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import Final

from msdiag.checks import CHECK_NAMES, DEFAULT_ENDPOINT_HOSTS
from msdiag.diagnosis.rules.probes import is_microsoft_host

VERSION: Final = 1
PREFIX: Final = f"MSDIAG{VERSION};"
#: the format's own limit: Intune keeps 2,048 characters of output, so the line leaves room
MAX_LINE: Final = 1500
_LINE = re.compile(r"^MSDIAG(?P<version>\d{1,3});(?P<body>.*;)#(?P<crc>[0-9A-F]{8})$")
TOKEN = re.compile(r"^[A-Za-z0-9.+_-]*$")
#: the services the line carries, in order (the ones the service rules judge)
SERVICES: Final = ("wlidsvc", "TokenBroker", "Dnscache", "NlaSvc")
#: chosen_by values of msdiag.capture.user_context as one letter
CHOSEN_LETTERS: Final = {
    "console": "c", "remote_desktop": "r", "explorer": "e", "loaded_profile": "l",
    "session_account": "s", "nobody": "n", "unknown": "u",
}  # fmt: skip
#: probes whose host is not a Microsoft host name msdiag may carry
UNLISTED_HOST = "x"
MAX_PROBES = 8
MAX_HOSTS_ENTRIES = 6
MAX_ENV = 4
MAX_DENIED = 6
MAX_FAULTS = 8


class CompactError(ValueError):
    """A line that is not a whole compact line of a known version: ``kind`` says which way.

    ``not_compact`` (no MSDIAG prefix: other output, or the start was cut), ``truncated`` (the end
    marker is missing: cut), ``checksum`` (altered or cut and re-ended), ``version`` (a newer
    format), ``malformed`` (a field that does not read).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class Probe:
    """One endpoint probe, reduced (docs/compact-format.md, field ``ep``)."""

    host: str  #: the host name (a default host, a Microsoft host, or a placeholder for ``x``)
    path: str = "d"  #: ``d`` direct, else the proxy's label
    dns: str = "-"  #: ``-`` not tried, ``o`` resolved, ``f`` failed (an error or no address)
    hosts_file: bool = False  #: the hosts file names this host
    tcp: str = "-"  #: ``-`` no TCP step, ``T`` / ``F`` / ``N`` (ok true / false / null)
    connect_status: int | None = None  #: the proxy's answer to CONNECT
    tls: str = "-"  #: ``-`` no TLS step, ``T`` / ``F`` / ``N``
    tls_error: bool = False  #: a handshake error or a validation error was recorded
    issuer: str = ""  #: ``m`` Microsoft or DigiCert, ``x`` another CA, empty: none recorded
    http: bool = False  #: an HTTP step was recorded
    http_status: int | None = None
    http_error: bool = False
    skew: int | None = None  #: server Date minus the machine's clock, whole seconds


@dataclass
class CompactFacts:
    """Everything one compact line says, field by field (docs/compact-format.md)."""

    version: str = "-"
    collected: str = "-"  #: ``YYYYMMDDTHHMMSSZ``, the scan's start by the device's clock
    host_state: str = "ok"
    ps_edition: str = "-"
    ps_version: str = "-"
    process: str = "-"  #: ``64``, ``32``, ``32on64``
    user_context: str = "-"  #: chosen-by letter, session-is-user 1/0/-, session kind y/s/p/-
    #: check name -> ``o<seconds after the start>``, ``e``, ``n``, ``b``
    checks: dict[str, str] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)  #: rule ids the script's decision found failing
    os_version: str = "-"
    os_build: int | None = None
    os_edition: str = "-"
    os_caption: str = "-"
    elevated: str = "-"
    denied: list[str] = field(default_factory=list)  #: ``check/probe`` denied access
    w32time: str = "-"  #: ``status/start/type``
    utc_time: str = "-"  #: ``1`` the machine's UTC time read, ``0`` not
    wininet: str = "-"  #: ``enable/label/pac``
    winhttp: str = "-"  #: ``source/direct/label``
    env: list[str] = field(default_factory=list)  #: ``scope/name/label``
    adapters: str = "-"  #: ``total/physical up/vpn up``
    vpn_profiles: str = "-"  #: one letter per connected profile: s split, f full, u unknown
    hosts_readable: str = "-"
    hosts_entries: list[str] = field(default_factory=list)  #: ``name/b|r/p|d``
    probes: list[Probe] = field(default_factory=list)
    winhttp_probes: list[Probe] = field(default_factory=list)
    pac: str = "-"  #: ``dns/tcp/http/looks_like_pac``
    services: list[str] = field(default_factory=list)  #: per SERVICES: ``present status start``
    tls12: str = "-"  #: ``enabled/disabled_by_default``
    no_connected_user: str = "-"
    dsreg: str = "-"  #: ``0`` unavailable, else joins+PRT letters ``/`` PRT age in seconds


# ---------------------------------------------------------------- probes as tokens
def host_token(name: str) -> str:
    lowered = name.lower()
    if lowered in DEFAULT_ENDPOINT_HOSTS:
        return str(DEFAULT_ENDPOINT_HOSTS.index(lowered))
    return lowered if is_carried_host(lowered) else UNLISTED_HOST


#: a host name the line may carry verbatim (the script uses the same pattern)
HOST_NAME_PATTERN: Final = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
_HOST_NAME = re.compile(HOST_NAME_PATTERN)


def is_carried_host(name: str) -> bool:
    """A Microsoft host name in plain ASCII, short enough to carry verbatim."""
    host = name.lower()
    return len(host) <= 64 and bool(_HOST_NAME.match(host)) and is_microsoft_host(host)


def probe_token(p: Probe) -> str:
    dns = p.dns + ("h" if p.hosts_file else "")
    tcp = p.tcp + (str(p.connect_status) if p.connect_status is not None and p.tcp != "-" else "")
    tls = p.tls if p.tls == "-" else p.tls + ("e" if p.tls_error else "") + p.issuer
    http = "-"
    if p.http:
        http = "h" + (str(p.http_status) if p.http_status is not None else "") + ("e" if p.http_error else "")
    # a skew is measured from an HTTP Date header: without the HTTP step there is none
    skew = "" if p.skew is None or not p.http else f"{p.skew:+d}"
    return "/".join((host_token(p.host), p.path, dns, tcp, tls, http, skew))


_PROBE = re.compile(
    r"^(?P<host>[a-z0-9.-]{1,64})/(?P<path>d|[1-9])/(?P<dns>[-of])(?P<h>h?)/"
    r"(?P<tcp>-|[TFN]\d{0,3})/(?P<tls>-|[TFN]e?[mx]?)/(?P<http>-|h\d{0,3}e?)/(?P<skew>[+-]\d{1,10})?$"
)


def read_probe(token: str, index: int) -> Probe:
    match = _PROBE.match(token)
    if match is None:
        raise CompactError("malformed", f"probe {index + 1} does not read: {token[:80]!r}")
    host = match["host"]
    if host.isdigit():
        if int(host) >= len(DEFAULT_ENDPOINT_HOSTS):
            raise CompactError("malformed", f"probe {index + 1} names host {host}, which is not in the list")
        host = DEFAULT_ENDPOINT_HOSTS[int(host)]
    elif host == UNLISTED_HOST:
        host = f"unlisted-host-{index + 1}.invalid"
    tcp, tls, http = match["tcp"], match["tls"], match["http"]
    status = http.strip("-he")
    return Probe(
        host=host,
        path=match["path"],
        dns=match["dns"],
        hosts_file=bool(match["h"]),
        tcp=tcp[0],
        connect_status=int(tcp[1:]) if len(tcp) > 1 else None,
        tls=tls[0],
        tls_error="e" in tls[1:],
        issuer=tls[-1] if tls[-1] in "mx" and len(tls) > 1 else "",
        http=http != "-",
        http_status=int(status) if status else None,
        http_error=http.endswith("e") and http != "-",
        skew=int(match["skew"]) if match["skew"] and http != "-" else None,
    )


# ---------------------------------------------------------------- the line
#: (key, attribute, what it encodes) in the order of the line; docs/compact-format.md explains each
# fmt: off
FIELDS: Final[tuple[tuple[str, str, str], ...]] = (
    ("v", "version", "msdiag version that wrote the script"),
    ("t", "collected", "scan start, UTC by the device's clock, YYYYMMDDTHHMMSSZ"),
    ("hs", "host_state", "host_status.state (ok, constrained_language, ...)"),
    ("pe", "ps_edition", "PowerShell edition: D (Desktop, 5.1) or C (Core)"),
    ("pv", "ps_version", "PowerShell version"),
    ("pa", "process", "the PowerShell process: 64, 32 (32-bit Windows), 32on64 (WOW64)"),
    (
        "uc",
        "user_context",
        "whose per-user facts: chosen-by letter, session is the user 1/0/-, session y/s/p",
    ),
    ("ck", "checks", "per check, in msdiag's order: o<seconds after t>, e error, n not run, b blocked"),
    ("fa", "faults", "rule ids the script's own decision found failing (its exit code 1)"),
    ("ov", "os_version", "os.version major.minor"),
    ("ob", "os_build", "os.build"),
    ("oe", "os_edition", "os.edition (EditionID)"),
    ("oc", "os_caption", "os.caption, spaces as _, only when the EditionID is missing"),
    ("el", "elevated", "os.is_elevated 1/0/-"),
    ("ad", "denied", "probes denied access: check/probe"),
    ("w32", "w32time", "time.w32time service_status/start_type/type"),
    ("tu", "utc_time", "time.utc_time readable 1/0"),
    ("wi", "wininet", "proxy.wininet proxy_enable/proxy label/PAC address h (http) f (file) -"),
    ("wh", "winhttp", "proxy.winhttp source r/n/u / direct 1/0/- / proxy label"),
    ("env", "env", "proxy.environment HTTP(S)_PROXY: scope u/m/p / name H/S / proxy label"),
    ("na", "adapters", "network.adapters: total/physical Up/VPN Up"),
    ("vp", "vpn_profiles", "connected VPN profiles: s split, f full, u unknown tunnel"),
    ("hf", "hosts_readable", "network.hosts_file_readable 1/0/-"),
    (
        "he",
        "hosts_entries",
        "hosts-file lines for Microsoft hosts: name/b (block) r (redirect)/p (proxied) d",
    ),
    ("ep", "probes", "endpoints.probes: host/path/dns/tcp/tls/http/skew"),
    ("wp", "winhttp_probes", "endpoints.winhttp_probes, as ep"),
    ("pac", "pac", "endpoints.pac: dns/tcp/http/looks_like_pac"),
    (
        "sv",
        "services",
        "wlidsvc, TokenBroker, Dnscache, NlaSvc: present 1/0, status R/S/O/-, start A/M/D/O/-",
    ),
    ("t12", "tls12", "tls.schannel_client[TLS 1.2] enabled/disabled_by_default, - no key"),
    ("nc", "no_connected_user", "identity.no_connected_user"),
    (
        "ds",
        "dsreg",
        "identity.dsregcmd: 0 unavailable, else AAD/domain/workplace/enterprise/PRT Y/N/- and /PRT age s",
    ),
)
# fmt: on
_LISTS = {"checks", "faults", "denied", "env", "hosts_entries", "probes", "winhttp_probes", "services"}


def _value(facts: CompactFacts, attribute: str) -> str:
    value = getattr(facts, attribute)
    if attribute == "checks":
        return ",".join(value.get(name, "n") for name in CHECK_NAMES)
    if attribute in ("probes", "winhttp_probes"):
        return ",".join(probe_token(p) for p in value) or "-"
    if attribute in _LISTS:
        return ",".join(value) or "-"
    return "-" if value is None else str(value)


def crc(text: str) -> str:
    return f"{zlib.crc32(text.encode('ascii')):08X}"


def write_line(facts: CompactFacts) -> str:
    """The compact line for ``facts`` (every value is checked to be a plain token)."""
    parts = []
    for key, attribute, _ in FIELDS:
        value = _value(facts, attribute)
        if not TOKEN.match(value.replace(",", "").replace("/", "")):
            raise ValueError(
                f"compact field {key} holds characters the format does not allow: {value[:80]!r}"
            )
        parts.append(f"{key}={value}")
    body = PREFIX + ";".join(parts) + ";"
    return body + "#" + crc(body)


def find_compact_line(text: str) -> str | None:
    """The last line of ``text`` that starts with a compact prefix (an engine's whole output)."""
    for line in reversed(text.splitlines()):
        if line.strip().startswith("MSDIAG"):
            return line.strip()
    return None


def read_line(line: str) -> CompactFacts:
    """Read a compact line; :class:`CompactError` for one that is cut, altered or unknown."""
    text = line.strip().lstrip("\ufeff")
    if not text.startswith("MSDIAG"):
        raise CompactError(
            "not_compact", "not an msdiag compact line (no MSDIAG prefix: other output, or cut at the start)"
        )
    if not text.isascii():
        raise CompactError("malformed", "the compact line holds non-ASCII characters")
    match = _LINE.match(text)
    if match is None:
        raise CompactError("truncated", "the compact line has no end marker (#checksum): it was cut")
    if match["version"] != str(VERSION):
        raise CompactError(
            "version", f"compact format version {match['version']} is not known (this msdiag reads {VERSION})"
        )
    body = text[: match.start("crc") - 1]
    if crc(body) != match["crc"]:
        raise CompactError("checksum", "the compact line's checksum does not match: it was cut or altered")
    values: dict[str, str] = {}
    for part in match["body"][:-1].split(";"):
        key, sep, value = part.partition("=")
        if not sep or not TOKEN.match(value.replace(",", "").replace("/", "")):
            raise CompactError("malformed", f"field {part[:40]!r} does not read")
        values[key] = value
    return _facts(values)


def _facts(values: dict[str, str]) -> CompactFacts:
    facts = CompactFacts()
    for key, attribute, _ in FIELDS:
        if key not in values:
            raise CompactError("malformed", f"field {key} is missing")
        raw = values[key]
        items = [] if raw == "-" else raw.split(",")
        if attribute == "checks":
            if len(items) != len(CHECK_NAMES) or not all(re.fullmatch(r"o-?\d{1,7}|[enb]", i) for i in items):
                raise CompactError("malformed", f"field ck does not read: {raw[:80]!r}")
            facts.checks = dict(zip(CHECK_NAMES, items, strict=True))
        elif attribute in ("probes", "winhttp_probes"):
            setattr(facts, attribute, [read_probe(item, i) for i, item in enumerate(items[:MAX_PROBES])])
        elif attribute in _LISTS:
            setattr(facts, attribute, items)
        elif attribute == "os_build":
            facts.os_build = int(raw) if raw.isdigit() and len(raw) < 8 else None
        else:
            setattr(facts, attribute, raw)
    return facts
