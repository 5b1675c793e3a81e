"""Counters the lab keeps so tests can check what a client did (e.g. that it closed its shells)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LabStats:
    """Updated on the lab's event loop thread; read from anywhere (plain int reads)."""

    connections: int = 0  # TCP connections accepted
    requests: int = 0  # HTTP requests answered
    auth_failures: int = 0  # logins rejected with 401
    shells_created: int = 0
    shells_deleted: int = 0
    commands: int = 0  # pipelines started
    faults: int = 0  # replies that were WSManFaults (HTTP 500)

    @property
    def open_shells(self) -> int:
        """Shells created and not deleted: a client that leaks these would hit MaxShellsPerUser."""
        return self.shells_created - self.shells_deleted
