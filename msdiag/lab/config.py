"""What a lab host is: a capture to answer from, and the faults it should show.

A lab host is configured in Python (``LabHost(name, capture, Faults(...))``) or, for
``msdiag lab serve``, from TOML files in the hosts directory (see docs/lab.md):

* ``<name>.json`` - the host's capture (the same format msdiag writes);
* ``lab.toml`` - optional, one ``[hosts.<name>]`` table of faults per host;
* ``<name>.faults.toml`` - optional, the faults of one host at top level (wins over lab.toml).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from msdiag.capture.models import Capture
from msdiag.checks import CHECK_NAMES, HELPER_SCRIPTS
from msdiag.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Transport = Literal["http", "https"]

#: A capture file larger than this is refused (captures are tens of kilobytes).
MAX_CAPTURE_BYTES = 16 * 1024 * 1024


class WsmanFaultSpec(BaseModel):
    """A WSManFault the host answers to Create with (HTTP 500), e.g. a WinRM quota."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: int = Field(ge=0, le=0xFFFFFFFF)  # e.g. 0x803381A5 (2150859173), MaxShellsPerUser
    message: str = Field(min_length=1, max_length=2048)


class Faults(BaseModel):
    """Faults one lab host shows; all off by default (a healthy WinRM endpoint)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wrong_credentials: bool = False  # every login is rejected: HTTP 401
    refuse_connection: bool = False  # nothing listens on the port: connection refused
    hang: bool = False  # the connection is accepted and never answered
    latency_ms: int = Field(default=0, ge=0, le=60_000)  # added to every round trip
    wsman_fault: WsmanFaultSpec | None = None  # Create fails with this WSManFault
    script_error: str | None = Field(default=None, max_length=2048)  # the pipeline fails with this message
    malformed_output: bool = False  # check documents arrive as truncated, non-JSON text
    drop_mid_receive: bool = False  # the TCP connection is closed in the middle of a Receive reply
    max_envelope_size_kb: int | None = Field(default=None, ge=32, le=65536)  # MaxEnvelopeSizekb
    # Locked-down and defended hosts (msdiag.lab.responder says what each one answers):
    constrained_language: bool = False  # PowerShell runs in ConstrainedLanguage (WDAC/AppLocker)
    amsi_blocks: tuple[str, ...] = Field(default=(), max_length=16)  # checks or helper files AMSI refuses
    stop_during: str | None = None  # the runner stops with a terminating error during this check
    # Not a fault: the one output line of any pipeline the lab does not recognise (neither msdiag's
    # runner nor a check script), e.g. a module result so that other tools' tasks complete (None:
    # no output, as before). bench/peers.py sets it for Ansible's psrp connection.
    unrecognised_output: str | None = Field(default=None, max_length=65536)

    @field_validator("amsi_blocks")
    @classmethod
    def _known_units(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in CHECK_NAMES and name not in HELPER_SCRIPTS]
        if unknown:
            raise ValueError(f"not a check or helper file name: {', '.join(unknown)}")
        return value

    @field_validator("stop_during")
    @classmethod
    def _known_check(cls, value: str | None) -> str | None:
        if value is not None and value not in CHECK_NAMES:
            raise ValueError(f"not a check name: {value}")
        return value

    def active(self) -> list[str]:
        """Names (with values) of the faults that are on, for printing."""
        shown: list[str] = []
        for name, value in self.model_dump().items():
            if value in (None, False, 0) or value == ():
                continue
            if name == "wsman_fault":
                shown.append(f"wsman_fault=0x{value['code']:08X}")
            elif value is True:
                shown.append(name)
            elif isinstance(value, tuple):
                shown.append(f"{name}={','.join(value)}")
            else:
                shown.append(f"{name}={value}")
        return shown


@dataclass(frozen=True)
class LabHost:
    """One simulated Windows host: its name, the capture it answers from and its faults."""

    name: str
    capture: Capture
    faults: Faults = field(default_factory=Faults)


@dataclass(frozen=True)
class LabEndpoint:
    """Where a running lab host listens (a client names a lab host by its port)."""

    name: str
    host: str
    port: int
    transport: Transport

    @property
    def url(self) -> str:
        return f"{self.transport}://{self.host}:{self.port}/wsman"


def builtin_hosts_dir() -> Path:
    """The lab hosts shipped inside the package (msdiag/lab/hosts/)."""
    return Path(str(resources.files("msdiag.lab"))) / "hosts"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read lab fault file {path}: {exc}") from exc
    return loaded


def _faults_from(table: Any, where: str) -> Faults:
    if not isinstance(table, dict):
        raise InputError(f"{where}: expected a table of faults")
    try:
        return Faults.model_validate(table)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise InputError(f"{where}: {problems}") from exc


def load_capture(path: Path) -> Capture:
    """Read and validate one capture file; a bad file is an InputError naming it."""
    try:
        if path.stat().st_size > MAX_CAPTURE_BYTES:
            raise InputError(f"{path}: capture file is larger than {MAX_CAPTURE_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
        return Capture.model_validate(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read capture {path}: {exc}") from exc
    except ValidationError as exc:
        raise InputError(f"{path} is not a valid msdiag capture: {exc.errors()[0]['msg']}") from exc


def load_lab_hosts(directory: Path | None = None) -> list[LabHost]:
    """Lab hosts from a directory of capture files (None = the built-in hosts), sorted by name."""
    folder = builtin_hosts_dir() if directory is None else directory
    if not folder.is_dir():
        raise InputError(f"lab hosts directory not found: {folder}")
    shared: dict[str, Any] = {}
    lab_toml = folder / "lab.toml"
    if lab_toml.is_file():
        hosts_table = _read_toml(lab_toml).get("hosts", {})
        if not isinstance(hosts_table, dict):
            raise InputError(f"{lab_toml}: [hosts] must be a table of host tables")
        shared = hosts_table
    hosts: list[LabHost] = []
    for capture_path in sorted(folder.glob("*.json")):
        name = capture_path.stem
        faults = Faults()
        own = folder / f"{name}.faults.toml"
        if own.is_file():
            faults = _faults_from(_read_toml(own), str(own))
        elif name in shared:
            faults = _faults_from(shared[name], f"{lab_toml} [hosts.{name}]")
        hosts.append(LabHost(name=name, capture=load_capture(capture_path), faults=faults))
    unknown = sorted(set(shared) - {h.name for h in hosts})
    if unknown:
        raise InputError(f"{lab_toml} names hosts without a capture file: {', '.join(unknown)}")
    if not hosts:
        raise InputError(f"no lab host capture files (*.json) in {folder}")
    return hosts
