"""Validation of host names and addresses that come from inventories or the command line.

An inventory is edited by hand and sometimes generated from a CMDB: a host field can hold
spaces, control characters or markup. Only DNS names and IP literals are accepted, so nothing
else ever reaches a connection attempt, a file name or a report.
"""

from __future__ import annotations

import ipaddress
import re

MAX_HOST_LENGTH = 253
# A DNS label; underscores are allowed because NetBIOS-era Windows computer names use them.
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def host_problem(host: str) -> str | None:
    """Why ``host`` is not a usable DNS name or IP literal, or None when it is."""
    if not host:
        return "empty host name"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in host):
        return "host name contains control characters"
    if len(host) > MAX_HOST_LENGTH:
        return f"host name longer than {MAX_HOST_LENGTH} characters"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if all(_LABEL.match(label) for label in labels) and not name.replace(".", "").isdigit():
        return None
    return f"not a DNS name or IP address: {host!r}"


def parse_port(text: str) -> int:
    """A TCP port 1-65535; ValueError with a message otherwise."""
    text = text.strip()
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"not a TCP port (1-65535): {text!r}")
    return int(text)
