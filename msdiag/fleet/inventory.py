"""Read the hosts of a fleet scan: plain lists, CSV, Ansible INI and YAML inventories.

Every problem is collected with its file and line number and reported together (InputError),
so a 2,000-line inventory is fixed in one pass and no host is ever skipped silently. The same
host (host + port) listed twice is merged with a warning: the first entry wins.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from msdiag.collectors.remote.target import parse_host_spec
from msdiag.errors import InputError
from msdiag.fleet.ansible_inventory import AnsibleHost, parse_ansible_ini, parse_ansible_yaml
from msdiag.fleet.host_ranges import MAX_EXPANDED_HOSTS
from msdiag.fleet.hostnames import host_problem, parse_port
from msdiag.fleet.models import FleetTarget

TRANSPORTS = ("http", "https")
AUTHS = ("negotiate", "ntlm", "kerberos", "credssp", "certificate", "basic")
CSV_COLUMNS = ("host", "port", "transport", "auth", "username", "tags", "name")
MAX_INVENTORY_BYTES = 32 * 1024 * 1024
MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    """One bad line of an inventory."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass
class Inventory:
    """The hosts to scan, in inventory order, and what the reader wants the user to know."""

    targets: list[FleetTarget] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Builder:
    """Turns raw entries into validated targets, collecting problems and merging duplicates."""

    source: str
    inventory: Inventory = field(default_factory=Inventory)
    problems: list[Problem] = field(default_factory=list)
    _first_line: dict[str, int] = field(default_factory=dict)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.source, line, message))

    def add(
        self,
        line: int,
        *,
        host: str,
        port: int | None = None,
        transport: str | None = None,
        auth: str | None = None,
        username: str | None = None,
        tags: Sequence[str] = (),
        group: str | None = None,
        name: str | None = None,
    ) -> None:
        errors = []
        bad_host = host_problem(host)
        if bad_host:
            errors.append(bad_host)
        if transport is not None and transport not in TRANSPORTS:
            errors.append(f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
        if auth is not None and auth not in AUTHS:
            errors.append(f"auth must be one of {', '.join(AUTHS)}, not {auth!r}")
        if name is not None and name != host and host_problem(name):
            errors.append(f"name: {host_problem(name)}")
        if username is not None and (len(username) > 256 or _has_control(username)):
            errors.append("user name is longer than 256 characters or contains control characters")
        for tag in tags:
            if len(tag) > 64 or _has_control(tag) or any(c in tag for c in "<>&\"'"):
                errors.append(f"tag {tag[:64]!r} is too long or contains control characters or markup")
        if errors:
            self.problem(line, "; ".join(errors))
            return
        target = FleetTarget(
            host=host,
            port=port,
            transport=transport,
            auth=auth,
            username=username or None,
            tags=list(tags),
            group=group,
            name=name if name and name != host else None,
        )
        first = self._first_line.get(target.key)
        if first is None and len(self.inventory.targets) >= MAX_EXPANDED_HOSTS:
            raise InputError(
                f"{self.source}: more than {MAX_EXPANDED_HOSTS:,} hosts (line {line}); "
                "split the fleet into several inventories"
            )
        if first is not None:
            self.inventory.warnings.append(
                f"{self.source}:{line}: {host}{f':{port}' if port else ''} is already listed on line "
                f"{first}; scanning it once (the first entry's settings are used)"
            )
            return
        self._first_line[target.key] = line
        self.inventory.targets.append(target)

    def finish(self) -> Inventory:
        if self.problems:
            shown = "\n  ".join(str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN])
            more = len(self.problems) - MAX_PROBLEMS_SHOWN
            tail = f"\n  ... and {more} more" if more > 0 else ""
            raise InputError(
                f"{len(self.problems)} bad inventory line(s); fix them and run again "
                f"(no host was scanned):\n  {shown}{tail}"
            )
        return self.inventory


def _has_control(text: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)


def targets_from_hosts(hosts: Iterable[str]) -> Inventory:
    """Targets from repeated ``--host`` options (``host``, ``host:port``, ``[v6]:port``, a WinRM URL)."""
    builder = _Builder("--host")
    for index, value in enumerate(hosts, start=1):
        _add_host_port(builder, index, value)
    return builder.finish()


def _add_host_port(builder: _Builder, line: int, value: str, group: str | None = None) -> None:
    try:
        spec = parse_host_spec(value)  # host, host:port, [v6]:port or a WinRM URL
    except InputError as exc:
        builder.problem(line, exc.message)
        return
    builder.add(line, host=spec.host, port=spec.port, transport=spec.transport, group=group)


def load_inventory(path: Path, group: str | None = None) -> Inventory:
    """Read an inventory file; the format comes from the extension, else from the content.

    ``group`` selects an Ansible group (with its child groups); it is an input error for the
    other formats, which have no groups."""
    text = _read_text(path)
    kind = detect_format(path, text)
    if group is not None and kind not in ("ini", "yaml"):
        raise InputError(f"--group needs an Ansible inventory (INI or YAML); {path} is a {kind} list")
    builder = _Builder(str(path))
    if kind == "csv":
        _read_csv(builder, text)
    elif kind in ("ini", "yaml"):
        try:
            hosts = parse_ansible_ini(text, group) if kind == "ini" else parse_ansible_yaml(text, group)
        except ValueError as exc:  # unknown group, unparseable YAML: the whole file is unusable
            raise InputError(f"{path}: {exc}") from None
        _add_ansible_hosts(builder, hosts.hosts, hosts.problems)
    else:
        _read_plain(builder, text)
    inventory = builder.finish()
    if not inventory.targets:
        where = f" in group {group!r}" if group else ""
        raise InputError(f"{path}: no hosts{where} (the inventory is empty or only has comments)")
    return inventory


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_INVENTORY_BYTES:
            raise InputError(f"{path}: inventory larger than {MAX_INVENTORY_BYTES // 1024 // 1024} MB")
        raw = path.read_bytes()
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: {_not_utf8(raw, exc)}") from None
    except OSError as exc:
        raise InputError(f"cannot read inventory {path}: {exc.strerror or exc}") from None


def _not_utf8(raw: bytes, exc: UnicodeDecodeError) -> str:
    """Why the file cannot be read, and how to save it so it can.

    Shift-JIS (CP932) is what Japanese Excel writes for "CSV (comma delimited)". msdiag does not
    read it by guessing: a CP932 decode also "succeeds" on many other encodings' bytes, and a
    wrong guess would change names silently; saving as UTF-8 is one click."""
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        text = ""
    if text and any(ord(ch) > 0x7F for ch in text):
        return (
            "not UTF-8 text: it looks like Shift-JIS (what Japanese Excel writes for "
            "「CSV (コンマ区切り)」). Save it again as 「CSV UTF-8 (コンマ区切り)」 "
            '("CSV UTF-8 (Comma delimited)"), or convert it: iconv -f CP932 -t UTF-8'
        )
    return f"not UTF-8 text (byte {exc.start}); save it as UTF-8"


def detect_format(path: Path, text: str) -> str:
    """plain, csv, ini or yaml."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".yml", ".yaml"):
        return "yaml"
    if suffix == ".ini":
        return "ini"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            return "ini"
        if line.rstrip(":") in ("all", "---") or line == "all:":
            return "yaml"
        if line.lower().replace(" ", "").startswith("host,"):
            return "csv"
        if "=" in line:  # "pc01 ansible_host=..." without any [group]
            return "ini"
        return "plain"
    return "plain"


def _read_plain(builder: _Builder, text: str) -> None:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if len(line.split()) > 1:
            builder.problem(number, f"one host per line expected, got {raw.strip()[:80]!r}")
            continue
        _add_host_port(builder, number, line)


def _read_csv(builder: _Builder, text: str) -> None:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    for row in reader:
        number = reader.line_num
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            unknown = [c for c in header if c not in CSV_COLUMNS]
            if "host" not in header or unknown:
                builder.problem(
                    number,
                    f"the header must name a 'host' column and only {', '.join(CSV_COLUMNS)}"
                    + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
                )
                return
            continue
        if len(row) > len(header):
            builder.problem(number, f"{len(row)} fields, the header has {len(header)}")
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        port: int | None = None
        if cells.get("port"):
            try:
                port = parse_port(cells["port"])
            except ValueError as exc:
                builder.problem(number, str(exc))
                continue
        tags = [t for t in cells.get("tags", "").replace(";", " ").split() if t]
        builder.add(
            number,
            host=cells["host"],
            port=port,
            transport=cells.get("transport", "").lower() or None,
            auth=cells.get("auth", "").lower() or None,
            username=cells.get("username") or None,
            tags=tags,
            name=cells.get("name") or None,
        )


def _add_ansible_hosts(builder: _Builder, hosts: list[AnsibleHost], problems: list[tuple[int, str]]) -> None:
    for line, message in problems:
        builder.problem(line, message)
    for host in hosts:
        values = host.variables
        connection = values.get("ansible_connection")
        if connection is not None and connection not in ("winrm", "psrp"):
            builder.problem(
                host.line,
                f"{host.name}: ansible_connection={connection} (msdiag scans over WinRM/PSRP only; "
                "select a Windows group with --group)",
            )
            continue
        port: int | None = None
        raw_port = values.get("ansible_port")
        if raw_port is not None:
            try:
                port = parse_port(raw_port)
            except ValueError as exc:
                builder.problem(host.line, f"{host.name}: ansible_port: {exc}")
                continue
        transport = values.get("ansible_winrm_scheme") or _psrp_scheme(values)
        auth = values.get("ansible_winrm_transport") or values.get("ansible_psrp_auth")
        builder.add(
            host.line,
            host=values.get("ansible_host") or host.name,
            port=port,
            transport=transport.lower() if transport else None,
            auth=auth.lower() if auth else None,
            username=values.get("ansible_user"),
            tags=sorted(host.groups),
            group=host.group,
            name=host.name if host_problem(host.name) is None else None,
        )


def _psrp_scheme(values: dict[str, str]) -> str | None:
    protocol = values.get("ansible_psrp_protocol")
    return protocol.lower() if protocol else None
