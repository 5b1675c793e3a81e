"""One host to scan remotely and how to reach it, refused before any connection when unsafe.

Light on purpose (no pypsrp, no requests): the CLI builds and validates targets before it needs
the transport stack. :func:`parse_host_spec` reads how a user names a host (``--host`` and the
inventories): ``pc01``, ``pc01:5985``, ``192.0.2.10``, ``fe80::1``, ``[fe80::1]:5986`` or a WinRM
URL such as ``http://pc01:5985/wsman`` (the scheme is the transport).
"""

from __future__ import annotations

import importlib
import ipaddress
import re
import sys
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from msdiag.checks import CHECK_NAMES
from msdiag.errors import InputError

Transport = Literal["https", "http"]
SUPPORTED_AUTHS = ("negotiate", "ntlm", "kerberos", "credssp", "certificate", "basic")
#: Only these encrypt the WinRM messages themselves, so only these may run over plain HTTP.
MESSAGE_ENCRYPTING_AUTHS = frozenset({"negotiate", "ntlm", "kerberos", "credssp"})
MAX_TIMEOUT_S = 3600.0
DEFAULT_PORTS: dict[Transport, int] = {"https": 5986, "http": 5985}
#: The only path a WinRM URL may name (WinRM's URLPrefix; msdiag always connects to it).
WSMAN_PATH = "/wsman"
MAX_HOST_SPEC_CHARS = 300


@dataclass(frozen=True)
class RemoteTarget:
    """One host to scan and how to reach it (no credentials here: see Credentials)."""

    host: str
    port: int | None = None
    transport: Transport = "https"
    auth: str = "negotiate"
    ca_bundle: Path | None = None
    insecure: bool = False
    timeout: float = 60.0
    #: client certificate and key (PEM) for auth="certificate"
    client_cert: Path | None = None
    client_key: Path | None = None

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return DEFAULT_PORTS.get(self.transport, 5986)

    @property
    def bare_host(self) -> str:
        """The name or address to connect to (an IPv6 literal without its brackets)."""
        return self.host[1:-1] if self.host.startswith("[") and self.host.endswith("]") else self.host

    @property
    def address(self) -> str:
        """``host:port`` (``[v6]:port``), as status details and logs name the endpoint."""
        host = self.bare_host
        return f"[{host}]:{self.effective_port}" if ":" in host else f"{host}:{self.effective_port}"


@dataclass(frozen=True)
class HostSpec:
    """How a user named one host: the host, and the port and transport the name itself gave."""

    host: str  # an IPv6 literal without brackets
    port: int | None = None
    transport: Transport | None = None


def _spec_port(text: str, given: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InputError(f"{_shown(given)}: the port must be a number from 1 to 65535, not {_shown(text)}.")
    return int(text)


def _shown(text: str) -> str:
    return repr(text[:80])


def _spec_from_url(text: str) -> HostSpec:
    try:
        url = urllib.parse.urlsplit(text)
    except ValueError:
        raise InputError(f"{_shown(text)} is not a valid WinRM URL.") from None
    if "@" in url.netloc:
        # never echo it: the part before @ may hold a password
        raise InputError(
            "a WinRM URL must not carry a user name or password: give the user with --username, "
            "the password at the prompt or in MSDIAG_PASSWORD."
        )
    scheme = url.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InputError(f"{_shown(text)}: a WinRM URL starts with http:// or https://.")
    if url.path.rstrip("/").lower() not in ("", WSMAN_PATH) or url.query or url.fragment:
        raise InputError(
            f"{_shown(text)}: msdiag connects to {WSMAN_PATH} only; give the URL without another path."
        )
    try:
        port = url.port
    except ValueError:
        port = 0
    if port == 0:
        raise InputError(f"{_shown(text)}: the port must be a number from 1 to 65535.")
    if not url.hostname:
        raise InputError(f"{_shown(text)} names no host.")
    return HostSpec(host=url.hostname, port=port, transport=scheme)  # type: ignore[arg-type]


def parse_host_spec(text: str) -> HostSpec:
    """``host``, ``host:port``, ``[v6]``, ``[v6]:port``, a bare IPv6 address or a WinRM URL.

    Raises InputError with a message for what cannot be a host; the host itself is checked later
    (:func:`validate_target`, or the inventory's own rules).
    """
    value = text.strip() if isinstance(text, str) else ""
    if not value:
        raise InputError("empty host name.")
    if len(value) > MAX_HOST_SPEC_CHARS:
        raise InputError(f"{_shown(value)}...: a host is at most {MAX_HOST_SPEC_CHARS} characters.")
    if "://" in value:
        return _spec_from_url(value)
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            raise InputError(f"{_shown(value)}: the '[' of an IPv6 address is not closed.")
        host, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            raise InputError(f"{_shown(value)}: after ']' only ':port' may follow.")
        return HostSpec(host=host, port=_spec_port(rest[1:], value) if rest else None)
    if value.count(":") == 1:
        host, port = value.split(":")
        return HostSpec(host=host, port=_spec_port(port, value))
    return HostSpec(host=value)  # a name, IPv4, or an IPv6 address (several colons, no port)


_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host[1:-1] if host.startswith("[") and host.endswith("]") else host)
    except ValueError:
        return False
    return True


def _is_dns_name(host: str) -> bool:
    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    if not all(_DNS_LABEL.match(label) for label in labels):
        return False
    # "999.1.1.1" or "10.0.0" are not names (RFC 3696 2): an all-numeric last label is refused.
    return not labels[-1].isdigit()


def _module_available(name: str) -> bool:
    try:
        importlib.import_module(name)
    except (ImportError, OSError):  # OSError: the module is there but its C library is not
        return False
    return True


def _missing_extra(auth: str) -> str | None:
    """The pip extra to install when ``auth`` needs modules that are not importable."""
    if auth == "credssp" and not _module_available("requests_credssp"):
        return "credssp"
    if auth == "kerberos" and sys.platform != "win32":  # Windows uses SSPI, built in
        if not (_module_available("gssapi") and _module_available("krb5")):
            return "kerberos"
    return None


def validate_target(target: RemoteTarget) -> None:
    """Refuse a target that is unsafe or malformed, before any connection is made."""
    host = target.host
    if not isinstance(host, str) or not (_is_ip_literal(host) or _is_dns_name(host)):
        shown = repr(host)[:80]
        raise InputError(f"{shown} is not a valid host name, IPv4 or IPv6 address.")
    if target.transport not in ("https", "http"):
        raise InputError(f"unknown transport {target.transport!r}: use https or http.")
    if target.auth not in SUPPORTED_AUTHS:
        raise InputError(f"unknown authentication {target.auth!r}: use one of {', '.join(SUPPORTED_AUTHS)}.")
    if target.port is not None and not (isinstance(target.port, int) and 1 <= target.port <= 65535):
        raise InputError(f"port {target.port!r} is out of range (1-65535).")
    if not (0 < target.timeout <= MAX_TIMEOUT_S):
        raise InputError(
            f"timeout {target.timeout!r} s is out of range (more than 0, at most {MAX_TIMEOUT_S:g})."
        )
    if target.transport == "http" and target.auth not in MESSAGE_ENCRYPTING_AUTHS:
        raise InputError(
            f"--auth {target.auth} over HTTP would send the credentials and the scan in clear text. Use "
            "--transport https, or an authentication that encrypts the messages over HTTP: "
            + ", ".join(sorted(MESSAGE_ENCRYPTING_AUTHS))
            + "."
        )
    if target.insecure and target.ca_bundle is not None:
        raise InputError("--insecure and --ca-bundle contradict each other: give one of them.")
    if target.ca_bundle is not None and not target.ca_bundle.is_file():
        raise InputError(f"the CA bundle {target.ca_bundle} does not exist or is not a file.")
    if target.auth == "certificate":
        for label, path in (("client certificate", target.client_cert), ("client key", target.client_key)):
            if path is None or not path.is_file():
                raise InputError(f"--auth certificate needs a {label} file (PEM); {path} is missing.")
    extra = _missing_extra(target.auth)
    if extra is not None:
        raise InputError(
            f"--auth {target.auth} needs an optional dependency that is not installed: "
            f'pip install "msdiag[{extra}]" (it brings pypsrp[{extra}]).'
        )


def validate_remote_checks(checks: Sequence[str]) -> tuple[str, ...]:
    """The selected checks in the spec's order; unknown names or none at all are input errors."""
    unknown = [c for c in checks if c not in CHECK_NAMES]
    if unknown:
        raise InputError(f"unknown check name(s): {', '.join(map(str, unknown))}.")
    selected = tuple(c for c in CHECK_NAMES if c in checks)
    if not selected:
        raise InputError("no checks selected for the remote scan.")
    return selected


def merge_host_spec(spec: HostSpec, given: str, *, port: int | None, transport: Transport | None) -> HostSpec:
    """``spec`` completed by ``--port`` / ``--transport`` (None: not given on the command line).

    Where the host spec and an option disagree, which one the user meant is unknown: an
    InputError naming both.
    """
    if transport is not None and spec.transport is not None and transport != spec.transport:
        raise InputError(
            f"--host {given.strip()} says {spec.transport} but --transport {transport}: give only one of them."
        )
    if port is not None and spec.port is not None and port != spec.port:
        raise InputError(
            f"--host {given.strip()} says port {spec.port} but --port {port}: give only one of them."
        )
    return HostSpec(spec.host, spec.port if spec.port is not None else port, spec.transport or transport)
