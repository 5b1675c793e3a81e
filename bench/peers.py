"""msdiag against a peer: Ansible's psrp connection, same lab hosts, same latency, same concurrency.

    python bench/peers.py [--hosts N] [--concurrency C] [--latency-ms L] [--runs R]
                          [--lab-processes P] [--lab-cpus 1,..] [--ansible-venv DIR] [--no-install]

Both tools get one Ansible INI inventory of N lab hosts (``ansible_connection=psrp``, http, NTLM
with message encryption) and run as child processes of this script, R times each, alternately:

* msdiag: ``msdiag scan --inventory ... --concurrency C --format json`` (all nine checks in one
  pipeline per host, the results file written, each host diagnosed, the fleet report printed;
  password from MSDIAG_PASSWORD);
* Ansible: ``ansible all -m raw -a hostname -f C`` (ansible-core's ``psrp`` connection plugin,
  one task per host; password from an extra-vars file ``-e @file``, mode 0600).

The lab hosts answer any pipeline they do not recognise with a fixed module result
(``Faults.unrecognised_output``), so Ansible's task completes; msdiag's runner gets its checks.
The lab runs in its own process(es) (msdiag.lab.LabProcesses), so neither tool is charged for it;
its CPU is reported per tool run.

Figures per tool (median of the runs): wall time; CPU per host = the child's user + system CPU
including everything it waited for (``os.wait4``: Ansible's forks, msdiag's workers) / N; peak
memory two ways: ``peak_rss_mb`` the largest single process (``ru_maxrss``) and
``tree_peak_pss_mb`` the largest sum of PSS over the child's whole process tree (sampled every
50 ms from /proc; PSS shares copy-on-write pages fairly between Ansible's forks). Ratios are
Ansible / msdiag. Ansible is installed only into its own virtual environment (default
bench/.venv-ansible, created on demand with pip: ansible-core and pypsrp); when that cannot be
done (no network, pip fails) the script says why and exits with status 0 without figures.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tabulate import tabulate

USER = "bench"
BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_VENV = BENCH_DIR / ".venv-ansible"
ANSIBLE_PACKAGES = ("ansible-core", "pypsrp")
#: What a lab host answers Ansible's raw command with (any JSON a module could print).
MODULE_RESULT = '{"changed": false, "msg": "msdiag lab host"}'
_OK_LINE = re.compile(r"^(\S+) \| (CHANGED|SUCCESS)\b", re.MULTILINE)
_INSTALL_TIMEOUT = 900


@dataclass
class RunFigures:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    tree_peak_pss_mb: float
    hosts_ok: int
    returncode: int
    lab_cpu_s: float = 0.0

    @classmethod
    def of(cls, measured: Measured, hosts_ok: int) -> RunFigures:
        m = measured
        return cls(m.wall_s, m.cpu_s, m.peak_rss_mb, m.tree_peak_pss_mb, hosts_ok, m.returncode)


# ---------------------------------------------------------------- Ansible's own environment
def ensure_ansible(venv: Path, install: bool) -> Path | str:
    """The ``ansible`` executable of ``venv`` (installed there if needed), or why it cannot be had."""
    ansible = venv / "bin" / "ansible"
    python = venv / "bin" / "python"

    def works() -> bool:
        probe = [str(python), "-c", "import ansible, pypsrp"]
        return ansible.is_file() and subprocess.run(probe, capture_output=True, timeout=120).returncode == 0

    if works():
        return ansible
    if not install:
        return f"Ansible is not installed in {venv} (run without --no-install to create it)"
    print(f"installing {', '.join(ANSIBLE_PACKAGES)} into {venv} ...", file=sys.stderr, flush=True)
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300
        )
        pip = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *ANSIBLE_PACKAGES],
            capture_output=True,
            text=True,
            timeout=_INSTALL_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot create the virtual environment {venv}: {exc}"
    if pip.returncode != 0:
        last = [line for line in pip.stderr.splitlines() if line.strip() and "WARNING" not in line]
        return f"pip could not install {' '.join(ANSIBLE_PACKAGES)}: {last[-1] if last else 'no output'}"
    return ansible if works() else f"Ansible still does not import in {venv}"


def ansible_version(venv: Path) -> str:
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import ansible.release as r, pypsrp; print(r.__version__)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return probe.stdout.strip()


# ---------------------------------------------------------------- measuring a child process tree
def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # field 4; the name may contain spaces
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and all its descendants; keeps the largest sum."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            children = _children_map()
            tree, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo.extend(children.get(pid, []))
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in tree))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


@dataclass
class Measured:
    wall_s: float
    cpu_s: float  # user + system, the child and every descendant it waited for
    peak_rss_mb: float  # the largest single process of the tree
    tree_peak_pss_mb: float  # the largest sampled sum over the tree
    returncode: int
    stdout: str


def run_measured(argv: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Run a child to its end and measure it (its output goes to files in ``cwd``)."""
    started = time.monotonic()
    with open(cwd / "stdout.txt", "w") as out, open(cwd / "stderr.txt", "w") as err:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = TreeMemory(process.pid)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        sampler.stop()
    return Measured(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        sampler.peak_kb / 1024,
        process.returncode,
        (cwd / "stdout.txt").read_text(errors="replace"),
    )


# ---------------------------------------------------------------- the two tools
def inventory_text(ports: list[tuple[str, int]]) -> str:
    hosts = "\n".join(f"{name} ansible_host=127.0.0.1 ansible_port={port}" for name, port in ports)
    return (
        f"[lab]\n{hosts}\n\n[lab:vars]\nansible_connection=psrp\nansible_psrp_protocol=http\n"
        f"ansible_psrp_auth=ntlm\nansible_user={USER}\n"
    )


def _private_file(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def run_msdiag(workdir: Path, inventory: Path, password: str, concurrency: int, hosts: int) -> RunFigures:
    run_dir = Path(tempfile.mkdtemp(prefix="msdiag-", dir=workdir))
    results = run_dir / "fleet.jsonl"
    argv = [
        sys.executable, "-m", "msdiag", "scan", "--inventory", str(inventory), "--username", USER,
        "--concurrency", str(concurrency), "--results", str(results),
        "--format", "json",
    ]  # fmt: skip
    env = dict(os.environ, MSDIAG_PASSWORD=password)  # msdiag's documented way to take a password
    measured = run_measured(argv, env, run_dir)
    ok = 0
    if results.is_file():
        for line in results.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            ok += record.get("capture", {}).get("host_status", {}).get("state") == "ok"
    return RunFigures.of(measured, ok)


def run_ansible(
    ansible: Path, workdir: Path, inventory: Path, secret: Path, concurrency: int, hosts: int
) -> RunFigures:
    run_dir = Path(tempfile.mkdtemp(prefix="ansible-", dir=workdir))
    config = run_dir / "ansible.cfg"
    config.write_text(
        f"[defaults]\nforks = {concurrency}\nhost_key_checking = False\ndeprecation_warnings = False\n"
        "retry_files_enabled = False\ninterpreter_python = auto_silent\n"
    )
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_HOME=str(run_dir / "home"),
        ANSIBLE_LOCAL_TEMP=str(run_dir / "tmp"),
    )
    env.pop("MSDIAG_PASSWORD", None)
    argv = [
        str(ansible), "-i", str(inventory), "all", "-m", "raw", "-a", "hostname",
        "-f", str(concurrency), "-e", f"@{secret}",
    ]  # fmt: skip
    measured = run_measured(argv, env, run_dir)
    return RunFigures.of(measured, len(_OK_LINE.findall(measured.stdout)))


def _median(runs: list[RunFigures], hosts: int) -> dict[str, float]:
    def med(name: str) -> float:
        return float(statistics.median(getattr(r, name) for r in runs))

    return {
        "wall_s": round(med("wall_s"), 2),
        "cpu_ms_per_host": round(med("cpu_s") * 1000 / hosts, 1),
        "peak_rss_mb": round(med("peak_rss_mb"), 1),
        "tree_peak_pss_mb": round(med("tree_peak_pss_mb"), 1),
        "lab_cpu_ms_per_host": round(med("lab_cpu_s") * 1000 / hosts, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool, alternately")
    parser.add_argument("--lab-processes", type=int, default=1)
    parser.add_argument("--lab-cpus", default="", help="pin the lab processes to these CPUs, e.g. 1")
    parser.add_argument("--ansible-venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--no-install", action="store_true", help="do not create the Ansible environment")
    args = parser.parse_args()
    if args.hosts < 1 or args.concurrency < 1 or args.runs < 1 or args.latency_ms < 0:
        parser.error("--hosts, --concurrency and --runs must be at least 1, --latency-ms at least 0")

    ansible = ensure_ansible(args.ansible_venv, install=not args.no_install)
    if isinstance(ansible, str):
        print(f"peers: skipped: {ansible}", file=sys.stderr)
        print(json.dumps({"skipped": ansible}))
        return 0

    from msdiag.lab import Faults, LabHost, LabProcesses, load_lab_hosts

    password = secrets.token_urlsafe(18)
    builtin = load_lab_hosts()
    faults = Faults(latency_ms=args.latency_ms, unrecognised_output=MODULE_RESULT)
    lab_hosts = [LabHost(f"pc{i:05d}", builtin[i % len(builtin)].capture, faults) for i in range(args.hosts)]
    cpus = [int(c) for c in args.lab_cpus.split(",") if c.strip()] or None
    figures: dict[str, list[RunFigures]] = {"msdiag": [], "ansible": []}
    workdir = Path(tempfile.mkdtemp(prefix="msdiag-peers-"))
    try:
        with LabProcesses(
            lab_hosts, processes=args.lab_processes, username=USER, password=password, cpus=cpus
        ) as lab:
            inventory = workdir / "inventory.ini"
            inventory.write_text(inventory_text([(e.name, e.port) for e in lab.endpoints()]))
            secret = workdir / "secret.yml"
            _private_file(secret, f"ansible_password: {json.dumps(password)}\n")
            for _run in range(args.runs):
                for tool in ("msdiag", "ansible"):
                    lab0 = lab.cpu_seconds()
                    if tool == "msdiag":
                        run = run_msdiag(workdir, inventory, password, args.concurrency, args.hosts)
                    else:
                        run = run_ansible(ansible, workdir, inventory, secret, args.concurrency, args.hosts)
                    run.lab_cpu_s = lab.cpu_seconds() - lab0
                    if run.hosts_ok != args.hosts:
                        raise SystemExit(
                            f"peers: {tool} finished {run.hosts_ok} of {args.hosts} hosts "
                            f"(exit status {run.returncode}; see {workdir})"
                        )
                    figures[tool].append(run)
                    print(f"{tool:8} run {_run + 1}: {json.dumps(asdict(run))}", file=sys.stderr, flush=True)
    except BaseException:
        print(f"peers: the runs' files are kept in {workdir}", file=sys.stderr)
        raise
    shutil.rmtree(workdir, ignore_errors=True)

    ours, theirs = _median(figures["msdiag"], args.hosts), _median(figures["ansible"], args.hosts)
    ratios = {
        k: round(theirs[k] / ours[k], 2) if ours[k] else None for k in ours if k != "lab_cpu_ms_per_host"
    }
    rows = [["msdiag (9 checks)", *ours.values()], ["ansible raw (1 task)", *theirs.values()]]
    rows.append(["ratio ansible / msdiag", *ratios.values(), ""])
    print(tabulate(rows, headers=["tool", *ours.keys()]))
    result = {
        "hosts": args.hosts,
        "concurrency": args.concurrency,
        "latency_ms": args.latency_ms,
        "runs": args.runs,
        "lab_processes": args.lab_processes,
        "msdiag": ours,
        "ansible": theirs,
        "ratio_ansible_to_msdiag": ratios,
        "ansible_core": ansible_version(args.ansible_venv),
        "cpus": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
