"""The lab: WinRM/PSRP endpoints on 127.0.0.1 that answer like Windows hosts, from capture files.

It never runs PowerShell: it tests msdiag's transport, orchestration, parsing and reports
against the real pypsrp client, not the check scripts' behaviour on Windows (docs/lab.md).
"""

from msdiag.lab.config import Faults, LabEndpoint, LabHost, WsmanFaultSpec, builtin_hosts_dir, load_lab_hosts
from msdiag.lab.processes import LabProcesses
from msdiag.lab.server import LabServer
from msdiag.lab.stats import LabStats

__all__ = [
    "Faults",
    "LabEndpoint",
    "LabHost",
    "LabProcesses",
    "LabServer",
    "LabStats",
    "WsmanFaultSpec",
    "builtin_hosts_dir",
    "load_lab_hosts",
]
