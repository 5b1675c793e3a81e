"""LabProcesses: lab hosts served by several child processes, hosts sharded by port.

One :class:`~msdiag.lab.LabServer` runs all its hosts on one event-loop thread, so a lab of
hundreds of hosts can use one core at most. For benchmarks the hosts can be split over several
processes (host ``i`` goes to process ``i % processes``), each a plain LabServer with real NTLM
and message encryption, optionally pinned to some CPUs so that the lab keeps off the cores of the
client being measured. Each child is started with "spawn"; its hosts and the credentials reach it
pickled through the multiprocessing pipe, never on a command line or in an environment variable.
As with any "spawn" child, a script that starts LabProcesses must do so under
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Collection, Sequence
from dataclasses import fields
from multiprocessing.connection import Connection
from typing import Any, Literal

from msdiag.lab.config import LabEndpoint, LabHost
from msdiag.lab.stats import LabStats

_START_TIMEOUT = 60.0
_REPLY_TIMEOUT = 30.0


def _serve(
    conn: Connection,
    hosts: list[LabHost],
    options: dict[str, Any],
    cpus: Collection[int] | None,
) -> None:
    """A child process: serve ``hosts`` until told to stop (or the parent goes away)."""
    import os
    import resource  # POSIX only, like the CPU pinning: the lab processes are for benchmarks

    from msdiag.lab.server import LabServer

    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cpus))
    try:
        server = LabServer(hosts, **options)
        server.start()
    except BaseException as exc:  # the parent reports it: a port in use, bad hosts, ...
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    try:
        conn.send(("ports", {h.name: server.port_of(h.name) for h in hosts}))
        while True:
            try:
                command = conn.recv()
            except EOFError:
                return  # the parent is gone
            if command == "cpu":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                conn.send(usage.ru_utime + usage.ru_stime)
            elif command == "stats":
                conn.send(server.stats)
            else:
                return
    finally:
        server.stop()


class LabProcesses:
    """Serve lab hosts from ``processes`` child processes. Use as a context manager, or start()/stop().

    ``cpus``: the CPU numbers the lab processes may run on (all of them share the set), e.g. the
    cores a benchmark keeps free of the client it measures; None leaves the scheduler to choose.
    """

    def __init__(
        self,
        hosts: Sequence[LabHost],
        *,
        processes: int,
        username: str,
        password: str,
        transport: Literal["http", "https"] = "http",
        cpus: Collection[int] | None = None,
    ) -> None:
        if processes < 1:
            raise ValueError("a lab needs at least one process")
        if not hosts:
            raise ValueError("a lab needs at least one host")
        if transport != "http":
            # each child would make its own certificate: a client could not trust them all at once
            raise ValueError("LabProcesses serves http only; use LabServer for https")
        if len({h.name.lower() for h in hosts}) != len(hosts):
            raise ValueError("lab host names must be unique")
        self.hosts = list(hosts)
        self.transport = transport
        self._processes = min(processes, len(self.hosts))
        self._options: dict[str, Any] = {"transport": transport, "username": username, "password": password}
        self._cpus = sorted(set(cpus)) if cpus else None
        self._children: list[tuple[Any, Connection]] = []
        self._ports: dict[str, int] = {}

    def __enter__(self) -> LabProcesses:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def processes(self) -> int:
        return self._processes

    def start(self) -> None:
        if self._children:
            return
        context = multiprocessing.get_context("spawn")
        try:
            for index in range(self._processes):
                parent_end, child_end = context.Pipe()
                shard = self.hosts[index :: self._processes]
                process = context.Process(
                    target=_serve,
                    args=(child_end, shard, self._options, self._cpus),
                    name=f"msdiag-lab-{index}",
                    daemon=True,
                )
                process.start()
                child_end.close()
                self._children.append((process, parent_end))
            for process, conn in self._children:
                kind, value = self._reply(conn, _START_TIMEOUT)
                if kind != "ports":
                    raise RuntimeError(f"lab process {process.name} did not start: {value}")
                self._ports.update(value)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every child process (each closes its listeners and connections first)."""
        children, self._children = self._children, []
        for _process, conn in children:
            try:
                conn.send("stop")
            except (OSError, ValueError):
                pass
        for process, conn in children:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)
            conn.close()
        self._ports = {}

    def port_of(self, name: str) -> int:
        try:
            return self._ports[name]
        except KeyError:
            raise KeyError(f"no lab host named {name!r}") from None

    def endpoints(self) -> list[LabEndpoint]:
        """Where each host listens, in the order the hosts were given."""
        return [LabEndpoint(h.name, "127.0.0.1", self._ports[h.name], self.transport) for h in self.hosts]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the lab processes have used so far, all of them together."""
        return sum(float(self._ask(conn, "cpu")) for _process, conn in self._children)

    @property
    def stats(self) -> LabStats:
        """Counters summed over all lab hosts of all processes (a snapshot)."""
        total = LabStats()
        for _process, conn in self._children:
            part = self._ask(conn, "stats")
            for f in fields(LabStats):
                setattr(total, f.name, getattr(total, f.name) + getattr(part, f.name))
        return total

    def _ask(self, conn: Connection, command: str) -> Any:
        if not self._children:
            raise RuntimeError("the lab processes are not running")
        conn.send(command)
        return self._reply(conn, _REPLY_TIMEOUT)

    @staticmethod
    def _reply(conn: Connection, timeout: float) -> Any:
        try:
            if not conn.poll(timeout):
                raise TimeoutError("a lab process did not answer")
            return conn.recv()
        except EOFError:
            raise RuntimeError("a lab process ended unexpectedly") from None
