"""The lab's CPU per host: msdiag scans against lab hosts served by a child process.

    python bench/lab_cpu.py [--hosts N] [--rounds R] [--concurrency C] [--latency-ms L]
                            [--lab-processes P] [--profile FILE]

The lab child serves N x R hosts (built-in captures, ``--latency-ms`` added to every round
trip); this process scans each host once with msdiag's remote collector (all checks, NTLM with
message encryption over HTTP), C at a time in threads (default one after the other), and asks
the child for its CPU time (getrusage RUSAGE_SELF, user and system) before and after each round
of N hosts. With ``--lab-processes P`` the hosts are served by msdiag.lab.LabProcesses (split
over P processes, CPU summed, system time not reported apart). One extra host is scanned first
as a warm-up (imports, first decoding of the shared messages) and not counted. ``--profile``
writes a cProfile of the lab's event-loop thread (pstats format). The last line printed is one
JSON object: lab_cpu_ms_per_host (median over the rounds), client_cpu_ms_per_host, the rounds
and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

USER = "bench"

LAB_CHILD = r"""
import cProfile, json, resource, sys, time
from msdiag.lab import LabHost, LabServer, load_lab_hosts
from msdiag.lab import Faults
count, profile_to, latency = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
password = sys.stdin.readline().rstrip("\n")
builtin = load_lab_hosts()
faults = Faults(latency_ms=latency)
hosts = [LabHost(f"pc{i:05d}", builtin[i % len(builtin)].capture, faults) for i in range(count)]
with LabServer(hosts, transport="http", username="bench", password=password) as lab:
    profiler = cProfile.Profile(time.thread_time) if profile_to else None
    if profiler is not None:  # cProfile follows one thread: the lab's event loop
        lab._loop.call_soon_threadsafe(profiler.enable)
    print(json.dumps([lab.port_of(h.name) for h in hosts]), flush=True)
    for line in sys.stdin:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps([usage.ru_utime, usage.ru_stime]), flush=True)
    if profiler is not None:
        lab._loop.call_soon_threadsafe(profiler.disable)
        time.sleep(0.2)
        profiler.dump_stats(profile_to)
"""


class LabChild:
    """Lab hosts served by a child process that reports its CPU time on request."""

    def __init__(self, hosts: int, profile: str, latency_ms: int) -> None:
        self.password = secrets.token_urlsafe(18)
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAB_CHILD, str(hosts), profile, str(latency_ms)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(self.password + "\n")  # never on argv or in the environment
        self.process.stdin.flush()
        self.ports: list[int] = json.loads(self.process.stdout.readline())

    def cpu_s(self) -> tuple[float, float]:
        """(user, system) CPU seconds of the lab process so far."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("cpu\n")
        self.process.stdin.flush()
        user, system = json.loads(self.process.stdout.readline())
        return float(user), float(system)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


class LabShards:
    """The same, from msdiag.lab.LabProcesses: hosts split over several lab processes."""

    def __init__(self, hosts: int, processes: int, latency_ms: int) -> None:
        from msdiag.lab import Faults, LabHost, LabProcesses, load_lab_hosts

        self.password = secrets.token_urlsafe(18)
        builtin = load_lab_hosts()
        faults = Faults(latency_ms=latency_ms)
        lab_hosts = [LabHost(f"pc{i:05d}", builtin[i % len(builtin)].capture, faults) for i in range(hosts)]
        self.lab = LabProcesses(lab_hosts, processes=processes, username=USER, password=self.password)
        self.lab.start()
        self.ports = [e.port for e in self.lab.endpoints()]

    def cpu_s(self) -> tuple[float, float]:
        return self.lab.cpu_seconds(), 0.0  # (user + system, not split)

    def close(self) -> None:
        self.lab.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=40, help="hosts scanned per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=1, help="hosts scanned at once (threads)")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every lab round trip")
    parser.add_argument(
        "--lab-processes", type=int, default=0, help="serve the hosts from N lab processes (LabProcesses)"
    )
    parser.add_argument("--profile", default="", help="write a cProfile of the lab's loop thread here")
    args = parser.parse_args()

    from msdiag.checks import CHECK_NAMES
    from msdiag.collectors.credentials import Credentials
    from msdiag.collectors.remote import RemoteTarget, collect_remote

    count = args.hosts * args.rounds + 1
    lab: LabChild | LabShards = (
        LabShards(count, args.lab_processes, args.latency_ms)
        if args.lab_processes
        else LabChild(count, args.profile, args.latency_ms)
    )
    credentials = Credentials(USER, lab.password)

    def scan(port: int) -> None:
        target = RemoteTarget(host="127.0.0.1", port=port, transport="http", auth="ntlm", timeout=120)
        capture = collect_remote(target, credentials, CHECK_NAMES)
        assert capture.host_status.state.value == "ok", capture.host_status

    lab_ms: list[float] = []
    lab_sys_ms: list[float] = []
    client_ms: list[float] = []
    try:
        scan(lab.ports[-1])  # warm-up: imports, first decode of the shared messages
        for r in range(args.rounds):
            ports = lab.ports[r * args.hosts : (r + 1) * args.hosts]
            lab0, own0 = lab.cpu_s(), time.process_time()
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(scan, ports))
            own1, lab1 = time.process_time(), lab.cpu_s()
            lab_ms.append((sum(lab1) - sum(lab0)) * 1000 / len(ports))
            lab_sys_ms.append((lab1[1] - lab0[1]) * 1000 / len(ports))
            client_ms.append((own1 - own0) * 1000 / len(ports))
    finally:
        lab.close()
    figures = {
        "hosts_per_round": args.hosts,
        "concurrency": args.concurrency,
        "latency_ms": args.latency_ms,
        "lab_processes": args.lab_processes or 1,
        "rounds": args.rounds,
        "lab_cpu_ms_per_host": round(statistics.median(lab_ms), 2),
        "lab_cpu_ms_per_host_rounds": [round(v, 2) for v in lab_ms],
        "lab_system_cpu_ms_per_host": round(statistics.median(lab_sys_ms), 2),
        "client_cpu_ms_per_host": round(statistics.median(client_ms), 2),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    for key, value in figures.items():
        print(f"{key:28} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
