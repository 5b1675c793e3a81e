"""Fleet-scan benchmark: the scanner's CPU per host, fleet efficiency (measured and modelled), against lab hosts.

    python bench/fleet.py [--hosts N] [--concurrency C ...] [--runs R] [--latency-ms L]
                          [--sequential-hosts S] [--processes P] [--no-pin] [--wait-quiet S]
                          [--report-hosts R] [--peers FILE | --run-peers] [--no-naive]

The lab runs in a child process, pinned to its own CPU when the machine has two or more
(``os.sched_setaffinity``: the last CPU for the lab, the others for this process, the scanner), so
the lab's work does not take the scanner's core. Each of ``--runs`` rounds (interleaved, so a
change in the machine's speed affects every figure alike) measures:

* **sequential** (``--sequential-hosts`` lab hosts with no added latency, one after another):
  the scanner's CPU per host on the bench path (``collect_remote``), then the same through
  ``run_fleet`` with one worker and the diagnosis ``msdiag scan`` stores with each record
  (``host_diagnosis``) and the results file; the lab child's CPU per host and HTTP requests
  per host (from its own counters);
* **alone**: one host at ``--latency-ms``, best of two: ``batched_s_per_host``;
* **fleet** at each ``--concurrency``: ``--hosts`` hosts at ``--latency-ms``; ``efficiency`` =
  hosts x batched_s_per_host / concurrency / elapsed (measured); the scanner's CPU (this process,
  ``getrusage``, user + system, worker processes included) and the lab's, per host.

The **model** (bench/fleet_model.py, a discrete-event simulation) is fed the same round's measured
figures (CPU per host of scanner and lab, requests per host, latency) and prints the efficiency it
predicts with the lab's cost (to check it against the measured run) and without it
(``scanner_only``: the efficiency the scanner alone allows, as against real Windows hosts).

Other processes on the machine take CPU the model does not know about: each fleet run reports the
share of the scanner's and the lab's CPU they kept busy (/proc/stat minus our own CPU), and
``--wait-quiet S`` waits up to S seconds before each run for a second in which they use less than a
quarter of each of our CPUs. Medians over the rounds are printed with the load average (1, 5, 15 min) before and after. The
``--report-hosts N`` then times the fleet report (build, and rendering every format) of a
synthetic results file of N hosts, after the lab has stopped and on every CPU, as ``msdiag
report`` runs. The last line printed is one JSON object with every figure, including ``peer_ratios`` from
bench/peers.py's last JSON line (``--peers FILE`` holding its output, or ``--run-peers``), null
with a reason otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fleet_model import HostCost, efficiency  # type: ignore[import-not-found]
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
count, latency, fast, cpu = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if cpu:
    os.sched_setaffinity(0, {int(cpu)})  # before the server's threads start: they inherit it
builtin = load_lab_hosts()
hosts = [LabHost(f"pc{i:05d}", builtin[i % len(builtin)].capture, Faults(latency_ms=latency if i < count else 0))
         for i in range(count + fast)]
password = os.environ["BENCH_LAB_PASSWORD"]
with LabServer(hosts, transport="http", username="bench", password=password) as lab:
    print(json.dumps([lab.port_of(h.name) for h in hosts]), flush=True)
    for line in sys.stdin:  # serve until the benchmark closes our stdin; each line asks our counters
        usage = resource.getrusage(resource.RUSAGE_SELF)
        requests = sum(lab.host_stats(h.name).requests for h in hosts)
        print(json.dumps({"cpu_s": usage.ru_utime + usage.ru_stime, "requests": requests}), flush=True)
"""


class Lab:
    """The lab hosts, served by a child process: ``hosts`` at ``latency_ms``, then ``fast_hosts``
    with no added latency (``ports`` in that order); pinned to CPU ``cpu`` when given."""

    def __init__(self, hosts: int, latency_ms: int, *, fast_hosts: int = 0, cpu: int | None = None) -> None:
        self.password = secrets.token_urlsafe(18)
        env = dict(os.environ, BENCH_LAB_PASSWORD=self.password)
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAB_CHILD, str(hosts), str(latency_ms), str(fast_hosts), "" if cpu is None else str(cpu)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert self.process.stdout is not None
        ports: list[int] = json.loads(self.process.stdout.readline())
        self.ports, self.fast_ports = ports[:hosts], ports[hosts:]
        self.cpu = cpu
        self.scanner_cpus: list[int] = []  # set by the benchmark when it pins itself

    def counters(self) -> tuple[float, int]:
        """The lab process's CPU time so far (user + system) and the HTTP requests it answered."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("counters\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        return float(reply["cpu_s"]), int(reply["requests"])

    def cpu_s(self) -> float:
        return self.counters()[0]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _cpu_s() -> float:
    """This process's CPU plus its finished worker processes' (the lab child is still running)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def core_busy_s() -> dict[int, float]:
    """Each CPU's busy time so far (/proc/stat: everything but idle and iowait), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    busy: dict[int, float] = {}
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                name, *values = line.split()
                if name.startswith("cpu") and name[3:].isdigit():
                    numbers = [int(v) for v in values]
                    busy[int(name[3:])] = (sum(numbers[:8]) - numbers[3] - numbers[4]) / ticks
    except OSError:
        pass
    return busy


def foreign_load(before: dict[int, float], after: dict[int, float], ours: dict[int, float], elapsed: float) -> dict[int, float]:
    """Per CPU, the share of ``elapsed`` other processes kept it busy (``ours``: our CPU on it)."""
    return {
        cpu: round(max(0.0, after[cpu] - before.get(cpu, 0.0) - ours.get(cpu, 0.0)) / elapsed, 2)
        for cpu in after
        if elapsed > 0
    }


def wait_quiet(cpus: Sequence[int], most_s: float, threshold: float = 0.25) -> tuple[float, float]:
    """Wait (at most ``most_s``) for a second in which other processes keep each of ``cpus`` busy
    less than ``threshold`` of the time (our lab and scanner are idle then); (waited, last load)."""
    started = time.monotonic()
    load = 1.0
    while True:
        before = core_busy_s()
        time.sleep(1.0)
        after = core_busy_s()
        load = max((after.get(c, 0.0) - before.get(c, 0.0) for c in cpus), default=0.0)
        waited = time.monotonic() - started
        if load < threshold or waited >= most_s:
            return waited, round(load, 2)


def _target(port: int, timeout: float = 120) -> RemoteTarget:
    return RemoteTarget(host="127.0.0.1", port=port, transport="http", auth="ntlm", timeout=timeout)


def batched_host(port: int, password: str) -> float:
    started = time.monotonic()
    capture = collect_remote(_target(port), Credentials(USER, password), CHECK_NAMES)
    assert capture.host_status.state.value == "ok", capture.host_status
    return time.monotonic() - started


def warm_up_diagnosis(port: int, password: str) -> None:
    from msdiag.fleet.stored_diagnosis import host_diagnosis

    host_diagnosis(collect_remote(_target(port), Credentials(USER, password), CHECK_NAMES))


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
class Sequential:
    scanner_ms: float  # collect_remote, CPU per host
    scan_path_ms: float  # run_fleet with one worker, the stored diagnosis and the results file
    lab_ms: float  # the lab child's CPU per host (of the collect_remote loop)
    requests: float  # HTTP requests per host


def sequential_run(lab: Lab, workdir: Path) -> Sequential:
    """Scan the no-latency hosts one after another: the bench path, then msdiag scan's path."""
    from msdiag.fleet.runner import run_fleet
    from msdiag.fleet.scan import RemoteScan
    from msdiag.fleet.stored_diagnosis import host_diagnosis

    ports = lab.fast_ports
    creds = Credentials(USER, lab.password)
    lab_cpu0, requests0 = lab.counters()
    cpu0 = _cpu_s()
    for port in ports:
        capture = collect_remote(_target(port), creds, CHECK_NAMES)
        assert capture.host_status.state.value == "ok", capture.host_status
    scanner = _cpu_s() - cpu0
    lab_cpu1, requests1 = lab.counters()
    targets = [FleetTarget(host="127.0.0.1", port=p, name=f"fast{i:04d}") for i, p in enumerate(ports)]
    scan_one = RemoteScan({t.key: _target(t.port or 0) for t in targets}, creds, tuple(CHECK_NAMES), None)
    path = workdir / f"sequential-{time.monotonic_ns()}.jsonl"
    cpu1 = _cpu_s()
    with ResultsWriter(path) as writer:
        summary = run_fleet(targets, scan_one, writer, concurrency=1, summarize=host_diagnosis)
    scan_path = _cpu_s() - cpu1
    if summary.failed or summary.errored:
        raise SystemExit(f"benchmark sequential scan had failures: {summary}")
    n = len(ports)
    return Sequential(scanner * 1000 / n, scan_path * 1000 / n, (lab_cpu1 - lab_cpu0) * 1000 / n, (requests1 - requests0) / n)


@dataclass
class FleetFigures:
    elapsed_s: float
    cpu_s: float  # the scanner's, incl. its worker processes
    lab_cpu_s: float
    workers_rss_mb: float  # the largest worker process's peak RSS (0 without workers)
    host_median_s: float  # one host's scan time under the fleet's load (median)
    #: per CPU, the share of the run other processes kept it busy (pinned runs only)
    foreign: dict[int, float]


def fleet_run(lab: Lab, ports: list[int], concurrency: int, processes: int, workdir: Path) -> FleetFigures:
    """Scan the fleet and measure it."""
    from msdiag.fleet.runner import run_fleet
    from msdiag.fleet.scan import RemoteScan

    targets = [FleetTarget(host="127.0.0.1", port=p, name=f"pc{i:05d}") for i, p in enumerate(ports)]
    connections = {t.key: _target(t.port or 0, timeout=300) for t in targets}
    # module-level and picklable, so that worker processes (--processes > 1) can receive it
    scan_one = RemoteScan(connections, Credentials(USER, lab.password), tuple(CHECK_NAMES), None)
    lab_cpu0 = lab.cpu_s()
    path = workdir / f"fleet-{time.monotonic_ns()}.jsonl"
    busy0, cpu0, t0 = core_busy_s(), _cpu_s(), time.monotonic()
    with ResultsWriter(path) as writer:
        summary = run_fleet(targets, scan_one, writer, concurrency=concurrency, processes=processes)
    elapsed, cpu, busy1 = time.monotonic() - t0, _cpu_s() - cpu0, core_busy_s()
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the lab has not exited yet
    lab_cpu = lab.cpu_s() - lab_cpu0
    if summary.failed or summary.errored:
        raise SystemExit(f"benchmark fleet had failures: {summary}")
    durations = sorted(r.duration_ms for r in iter_records(path))
    ours: dict[int, float] = {}
    if lab.cpu is not None:  # pinned: the scanner's CPU on its core(s), the lab's on its own
        ours = {lab.cpu: lab_cpu, **{c: cpu / len(lab.scanner_cpus) for c in lab.scanner_cpus}}
    return FleetFigures(elapsed, cpu, lab_cpu, workers_rss / 1024, durations[len(durations) // 2] / 1000,
                        foreign_load(busy0, busy1, ours, elapsed) if ours else {})


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


def pin_cpus(enabled: bool) -> tuple[int | None, list[int]]:
    """(the lab's CPU, the scanner's CPUs): the last CPU for the lab when there are two or more."""
    available = sorted(os.sched_getaffinity(0))
    if not enabled or len(available) < 2:
        return None, available
    return available[-1], available[:-1]


def peer_ratios(args: argparse.Namespace) -> tuple[dict[str, Any] | None, str | None]:
    """The ratios in bench/peers.py's last JSON line (msdiag vs Ansible), or None and why not."""
    text = None
    peers = Path(__file__).with_name("peers.py")
    if args.peers is not None:
        try:
            text = Path(args.peers).read_text(encoding="utf-8")
        except OSError as exc:
            return None, f"--peers {args.peers}: {exc.strerror}"
    elif args.run_peers:
        if not peers.exists():
            return None, "bench/peers.py is not in this tree"
        command = [sys.executable, str(peers), "--hosts", str(args.hosts), "--latency-ms", str(args.latency_ms)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
        text = proc.stdout
    else:
        return None, "bench/peers.py was not run (give --peers FILE with its output, or --run-peers)"
    lines = [line for line in text.splitlines() if line.strip().startswith("{")]
    if not lines:
        return None, "bench/peers.py printed no JSON line"
    try:
        figures = json.loads(lines[-1])
    except ValueError:
        return None, "bench/peers.py's last JSON line is not valid JSON"
    if not isinstance(figures, dict):
        return None, "bench/peers.py's last JSON line is not an object"
    ratios = {k: v for k, v in figures.items() if "ratio" in k}
    if not ratios:
        return None, str(figures.get("skipped") or figures.get("reason") or "bench/peers.py gave no ratios")
    return ratios, None


def _median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 3) if known else None


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (medians are reported)")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--sequential-hosts", type=int, default=60, help="no-latency hosts for CPU per host")
    parser.add_argument("--processes", type=int, default=1, help="scan in N processes (concurrency threads in all)")
    parser.add_argument("--no-pin", action="store_true", help="leave the lab and the scanner on every CPU")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="S",
                        help="before each fleet run, wait up to S seconds for the CPUs to be free of other work")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pypsrp program (speedup)")
    parser.add_argument("--report-hosts", type=int, default=0, help="also time the fleet report for N hosts")
    peers = parser.add_mutually_exclusive_group()
    peers.add_argument("--peers", help="a file holding bench/peers.py's output (its last JSON line)")
    peers.add_argument("--run-peers", action="store_true", help="run bench/peers.py first")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))

    load_before = _load()
    ratios, peers_reason = peer_ratios(args)
    lab_cpu, scanner_cpus = pin_cpus(not args.no_pin)
    every_cpu = os.sched_getaffinity(0)
    lab = Lab(args.hosts + 2, args.latency_ms, fast_hosts=args.sequential_hosts + 2, cpu=lab_cpu)
    if lab_cpu is not None:
        os.sched_setaffinity(0, scanner_cpus)  # after the lab child started: it is not ours to pin
        lab.scanner_cpus = scanner_cpus
    rounds: list[dict[str, Any]] = []
    naive = None
    try:
        for port in lab.fast_ports[-2:] + lab.ports[-2:]:
            batched_host(port, lab.password)  # warm-up: imports, first NTLM handshake, caches
        warm_up_diagnosis(lab.fast_ports[-1], lab.password)  # the knowledge base and rules, loaded once
        lab.fast_ports = lab.fast_ports[:-2]
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(args.runs):
                sequential = sequential_run(lab, Path(tmp))
                alone = min(batched_host(lab.ports[-1], lab.password) for _ in range(2))
                row: dict[str, Any] = {"sequential": asdict(sequential), "batched_s_per_host": alone, "fleet": {}}
                for concurrency in args.concurrency:
                    waited, quiet = wait_quiet(sorted(os.sched_getaffinity(0)) + ([lab_cpu] if lab_cpu is not None else []),
                                               args.wait_quiet) if args.wait_quiet else (0.0, None)
                    fleet = fleet_run(lab, lab.ports[: args.hosts], concurrency, args.processes, Path(tmp))
                    measured = args.hosts * alone / concurrency / fleet.elapsed_s
                    in_fleet_cpu = fleet.cpu_s / args.hosts
                    cost = HostCost(sequential.scanner_ms / 1000, sequential.lab_ms / 1000, round(sequential.requests), args.latency_ms / 1000)
                    fleet_cost = HostCost(in_fleet_cpu, fleet.lab_cpu_s / args.hosts, cost.round_trips, cost.latency_s)
                    row["fleet"][concurrency] = {
                        "elapsed_s": fleet.elapsed_s,
                        "efficiency": measured,
                        "modelled": efficiency(args.hosts, concurrency, cost),
                        "modelled_fleet_cpu": efficiency(args.hosts, concurrency, fleet_cost),
                        "modelled_scanner_only": efficiency(args.hosts, concurrency, fleet_cost, scanner_only=True),
                        "scanner_cpu_ms_per_host": in_fleet_cpu * 1000,
                        "lab_cpu_ms_per_host": fleet.lab_cpu_s * 1000 / args.hosts,
                        "host_in_fleet_median_s": fleet.host_median_s,
                        "worker_peak_rss_mb": fleet.workers_rss_mb,
                        # other processes' share of the scanner's and the lab's CPU during the run
                        "foreign_load_scanner_cpu": max((fleet.foreign.get(c, 0.0) for c in scanner_cpus), default=None),
                        "foreign_load_lab_cpu": fleet.foreign.get(lab_cpu) if lab_cpu is not None else None,
                        "waited_for_quiet_s": round(waited, 1),
                        "load_before_run": quiet,
                    }
                rounds.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)  # progress, one round per line
            if not args.no_naive:
                naive = naive_host(lab.ports[-2], lab.password)
    finally:
        lab.close()
    # the fleet report runs as `msdiag report` does: on every CPU, with no lab running
    os.sched_setaffinity(0, every_cpu)
    with tempfile.TemporaryDirectory() as tmp:
        report_figures = report_run(args.report_hosts, Path(tmp)) if args.report_hosts else None
    print_summary(args, rounds, naive, report_figures, ratios, peers_reason, (lab_cpu, scanner_cpus), load_before)


def print_summary(
    args: argparse.Namespace,
    rounds: list[dict[str, Any]],
    naive: float | None,
    report_figures: tuple[float, float, float] | None,
    ratios: dict[str, Any] | None,
    peers_reason: str | None,
    pinning: tuple[int | None, list[int]],
    load_before: list[float],
) -> None:
    seq = [r["sequential"] for r in rounds]
    batched = _median([r["batched_s_per_host"] for r in rounds])
    figures: dict[str, Any] = {
        "hosts": args.hosts,
        "runs": args.runs,
        "latency_ms": args.latency_ms,
        "processes": args.processes,
        "scanner_cpu_ms_per_host": _median([s["scanner_ms"] for s in seq]),
        "scanner_cpu_with_diagnosis_ms_per_host": _median([s["scan_path_ms"] for s in seq]),
        "lab_cpu_ms_per_host": _median([s["lab_ms"] for s in seq]),
        "requests_per_host": _median([s["requests"] for s in seq]),
        "batched_s_per_host": batched,
        "efficiency": {},
    }
    table = []
    for concurrency in args.concurrency:
        runs = [r["fleet"][concurrency] for r in rounds]
        entry = {key: _median([run[key] for run in runs]) for key in runs[0]}
        entry["efficiency_range"] = [round(min(run["efficiency"] for run in runs), 3), round(max(run["efficiency"] for run in runs), 3)]
        figures["efficiency"][f"c{concurrency}"] = entry
        table.append((f"{args.hosts} hosts, C={concurrency}", entry["efficiency"], entry["efficiency_range"], entry["modelled"],
                      entry["modelled_fleet_cpu"], entry["modelled_scanner_only"], entry["elapsed_s"],
                      entry["scanner_cpu_ms_per_host"], entry["lab_cpu_ms_per_host"], entry["host_in_fleet_median_s"],
                      entry["foreign_load_scanner_cpu"], entry["foreign_load_lab_cpu"]))
    if naive is not None:
        figures.update(naive_s_per_host=round(naive, 3), speedup=round(naive / batched, 2))
    if report_figures:
        build_s, render_s, size_mb = report_figures
        figures.update(report_hosts=args.report_hosts, report_build_s=round(build_s, 2),
                       report_render_s=round(render_s, 2), report_html_mb=round(size_mb, 2))
    lab_cpu, scanner_cpus = pinning
    figures.update(
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        peer_ratios=ratios,
        peer_ratios_reason=peers_reason,
        lab_pinned_cpu=lab_cpu,
        scanner_cpus=scanner_cpus,
        cpus=os.cpu_count(),
        load_average_before=load_before,
        load_average_after=_load(),
        python=sys.version.split()[0],
    )
    print(f"sequential (0 ms, {args.sequential_hosts} hosts, median of {args.runs}): scanner "
          f"{figures['scanner_cpu_ms_per_host']} ms/host (bench path), "
          f"{figures['scanner_cpu_with_diagnosis_ms_per_host']} ms/host (msdiag scan's path with the stored diagnosis), "
          f"lab {figures['lab_cpu_ms_per_host']} ms/host, {figures['requests_per_host']} requests/host")
    print(f"one host alone at {args.latency_ms} ms: {batched} s; lab on CPU {lab_cpu}, scanner on {scanner_cpus}; "
          f"load average before {load_before}, after {figures['load_average_after']}")
    print(tabulate(table, headers=["run", "efficiency (measured)", "range", "modelled", "modelled (fleet CPU)",
                                   "modelled scanner-only", "elapsed_s", "scanner ms/host", "lab ms/host", "host in fleet s",
                                   "other load, scanner CPU", "other load, lab CPU"]))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
