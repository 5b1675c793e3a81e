"""One host to scan remotely and how to reach it, refused before any connection when unsafe.

Light on purpose (no pypsrp, no requests): the CLI builds and validates targets before it needs
the transport stack.
"""

from __future__ import annotations

import importlib
import ipaddress
import re
import sys
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
        return 5986 if self.transport == "https" else 5985

    @property
    def address(self) -> str:
        """``host:port``, as status details and logs name the endpoint."""
        return f"{self.host}:{self.effective_port}"


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
