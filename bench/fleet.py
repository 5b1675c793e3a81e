"""Fleet-scan benchmark: msdiag's batched pipeline vs the naive pypsrp program, against lab hosts.

    python bench/fleet.py [--hosts N] [--concurrency C] [--processes P] [--latency-ms L] [--report-hosts R]

The lab runs in a separate process (so its CPU is not the orchestrator's); this process is the
orchestrator, and its CPU time (getrusage RUSAGE_SELF, plus RUSAGE_CHILDREN for the worker
processes of --processes > 1, which have exited by then) and peak RSS (ru_maxrss, this process;
with worker processes each worker's is separate) are what is reported. Prints a table and, as the LAST line, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.collectors.runner_script import build_check_script
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.results import ResultsWriter, iter_records

USER = "bench"

LAB_CHILD = """
import json, os, resource, sys
from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts
count, latency = int(sys.argv[1]), int(sys.argv[2])
builtin = load_lab_hosts()
faults = Faults(latency_ms=latency)
hosts = [LabHost(f"pc{i:05d}", builtin[i % len(builtin)].capture, faults) for i in range(count)]
password = os.environ["BENCH_LAB_PASSWORD"]
with LabServer(hosts, transport="http", username="bench", password=password) as lab:
    print(json.dumps([lab.port_of(h.name) for h in hosts]), flush=True)
    for line in sys.stdin:  # serve until the benchmark closes our stdin; "cpu" asks our CPU time
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps(usage.ru_utime + usage.ru_stime), flush=True)
"""


class Lab:
    """The lab hosts, served by a child process."""

    def __init__(self, hosts: int, latency_ms: int) -> None:
        self.password = secrets.token_urlsafe(18)
        env = dict(os.environ, BENCH_LAB_PASSWORD=self.password)
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAB_CHILD, str(hosts), str(latency_ms)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert self.process.stdout is not None
        self.ports: list[int] = json.loads(self.process.stdout.readline())

    def cpu_s(self) -> float:
        """The lab process's CPU time so far (user + system)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("cpu\n")
        self.process.stdin.flush()
        return float(json.loads(self.process.stdout.readline()))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _cpu_s() -> float:
    """This process's CPU plus its finished worker processes' (the lab child is still running)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def batched_host(port: int, password: str) -> float:
    target = RemoteTarget(host="127.0.0.1", port=port, transport="http", auth="ntlm", timeout=120)
    started = time.monotonic()
    capture = collect_remote(target, Credentials(USER, password), CHECK_NAMES)
    assert capture.host_status.state.value == "ok", capture.host_status
    return time.monotonic() - started


def naive_host(port: int, password: str) -> float:
    """The obvious pypsrp program: Client.execute_ps once per check, a new shell each time."""
    from pypsrp.client import Client

    started = time.monotonic()
    client = Client("127.0.0.1", port=port, username=USER, password=password, ssl=False, auth="ntlm")
    for check in CHECK_NAMES:
        output, _streams, had_errors = client.execute_ps(build_check_script(check))
        assert not had_errors and output
    return time.monotonic() - started


@dataclass
class FleetFigures:
    elapsed_s: float
    cpu_s: float  # the orchestrator's, incl. its worker processes
    lab_cpu_s: float
    workers_rss_mb: float  # the largest worker process's peak RSS (0 without workers)
    host_median_s: float  # one host's scan time under the fleet's load (median)


def fleet_run(lab: Lab, ports: list[int], concurrency: int, processes: int, workdir: Path) -> FleetFigures:
    """Scan the fleet and measure it."""
    from msdiag.fleet.runner import run_fleet
    from msdiag.fleet.scan import RemoteScan

    targets = [FleetTarget(host="127.0.0.1", port=p, name=f"pc{i:05d}") for i, p in enumerate(ports)]
    connections = {
        t.key: RemoteTarget(host="127.0.0.1", port=t.port, transport="http", auth="ntlm", timeout=300)
        for t in targets
    }
    # module-level and picklable, so that worker processes (--processes > 1) can receive it
    scan_one = RemoteScan(connections, Credentials(USER, lab.password), tuple(CHECK_NAMES), None)
    lab_cpu0 = lab.cpu_s()
    cpu0, t0 = _cpu_s(), time.monotonic()
    with ResultsWriter(workdir / "fleet.jsonl") as writer:
        summary = run_fleet(targets, scan_one, writer, concurrency=concurrency, processes=processes)
    elapsed, cpu = time.monotonic() - t0, _cpu_s() - cpu0
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the lab has not exited yet
    lab_cpu = lab.cpu_s() - lab_cpu0
    if summary.failed or summary.errored:
        raise SystemExit(f"benchmark fleet had failures: {summary}")
    durations = sorted(r.duration_ms for r in iter_records(workdir / "fleet.jsonl"))
    return FleetFigures(elapsed, cpu, lab_cpu, workers_rss / 1024, durations[len(durations) // 2] / 1000)


def report_run(hosts: int, workdir: Path) -> tuple[float, float, float]:
    """Build and render the fleet report (all formats) for a synthetic results file of ``hosts``."""
    from bench_report import make_results  # type: ignore[import-not-found]

    from msdiag.fleet.report import build_fleet_report
    from msdiag.formats.catalog import render_fleet as render

    path = make_results(workdir / f"report-{hosts}.jsonl", hosts)
    t0 = time.monotonic()
    report = build_fleet_report(path)
    build_s = time.monotonic() - t0
    t1 = time.monotonic()
    html = render(report, "html", "en")
    for fmt in ("table", "json", "csv"):
        render(report, fmt, "en")
    render_s = time.monotonic() - t1
    return build_s, render_s, len(html.encode()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--processes", type=int, default=1, help="scan in N worker processes (concurrency threads in all)"
    )
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--report-hosts", type=int, default=0, help="also time the fleet report for N hosts")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))

    lab = Lab(args.hosts + 2, args.latency_ms)
    try:
        single = lab.ports[-1]
        batched_host(lab.ports[-2], lab.password)  # warm-up: imports, first NTLM handshake
        batched = min(batched_host(single, lab.password) for _ in range(2))
        naive = naive_host(single, lab.password)
        with tempfile.TemporaryDirectory() as tmp:
            fleet = fleet_run(lab, lab.ports[: args.hosts], args.concurrency, args.processes, Path(tmp))
            report_figures = report_run(args.report_hosts, Path(tmp)) if args.report_hosts else None
    finally:
        lab.close()
    ideal = args.hosts * batched / args.concurrency
    elapsed = fleet.elapsed_s
    figures: dict[str, object] = {
        "hosts": args.hosts,
        "concurrency": args.concurrency,
        "processes": args.processes,
        "latency_ms": args.latency_ms,
        "elapsed_s": round(elapsed, 3),
        "ideal_s": round(ideal, 3),
        "efficiency": round(ideal / elapsed, 3),
        "cpu_ms_per_host": round(fleet.cpu_s * 1000 / args.hosts, 1),
        # the lab's CPU per host (child process on the same cores; not part of msdiag's cost)
        "lab_cpu_ms_per_host": round(fleet.lab_cpu_s * 1000 / args.hosts, 1),
        # one host's scan time inside the fleet run (batched_s_per_host is the same, alone)
        "host_in_fleet_median_s": round(fleet.host_median_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        # the largest worker process's peak (0 without worker processes)
        "worker_peak_rss_mb": round(fleet.workers_rss_mb, 1),
        "naive_s_per_host": round(naive, 3),
        "batched_s_per_host": round(batched, 3),
        "speedup": round(naive / batched, 2),
        "cpus": os.cpu_count(),
    }
    if report_figures:
        build_s, render_s, size_mb = report_figures
        figures.update(
            report_hosts=args.report_hosts,
            report_build_s=round(build_s, 2),
            report_render_s=round(render_s, 2),
            report_html_mb=round(size_mb, 2),
        )
    print(tabulate([(k, v) for k, v in figures.items()], headers=["figure", "value"]))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
