"""100,000 devices through `msdiag ingest` and `msdiag report`, in every input form.

`python bench/scale.py [--devices N] [--forms graph,intune-csv,...] [--distinct D] [--keep DIR]`

Generates N realistic device results (variations of the lab and fixture captures: D distinct
sets of facts, each device a name, an Intune id and a run time over a week, its output stamped
with that time as a real one is, so every output differs unless --repeat-outputs; 1 % pending, 0.5 %
script errors, 0.5 % cut-off lines, 0.2 % displaced lines, 0.1 % records without managedDevice,
and an older second export repeating 2 % of the devices) in each form, then runs the real
command line in a child process per step and measures its wall time, CPU (user + system) and
peak RSS (``os.wait4``). Generation is not timed. The report step renders every fleet format
(table, JSON, CSV, HTML with its single-host reports) from the Graph results. The last line
printed is one JSON object with every figure.

The compact lines are the real format's (msdiag.engines.compact_encode.compact_line).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's msdiag, in this process and the steps

from support.engine_samples import captures  # noqa: E402

from msdiag.capture.models import Capture  # noqa: E402
from msdiag.engines.compact_encode import compact_line  # noqa: E402

FORMS = ("graph", "intune-csv", "configmgr-csv", "configmgr-json", "captures", "ansible-jsonl", "ansible-json")
PAGE_SIZE = 1000
START = datetime(2026, 11, 18, tzinfo=timezone.utc)
CHILD = (
    "import sys; sys.path[:0] = [{root!r}, {tests!r}]; from msdiag.cli import main; main(sys.argv[1:])"
)


@dataclass
class Device:
    name: str
    id: str
    when: datetime
    kind: str  # ok, pending, error, cut, displaced, orphan
    variant: int


def variants(distinct: int) -> list[Capture]:
    """``distinct`` captures: the lab and fixture captures, each varied in a fact the checks report
    (the run's duration) so that their outputs differ while their findings stay the captures' own."""
    bases = [c for name, c in sorted(captures().items()) if name != "hostile"]
    out = []
    for n in range(distinct):
        base = bases[n % len(bases)]
        out.append(base.model_copy(update={"duration_ms": 1000 + n}))
    return out


def devices(count: int, distinct: int) -> list[Device]:
    out = []
    for i in range(count):
        roll = (i * 7919) % 1000
        kind = ("pending" if roll < 10 else "error" if roll < 15 else "cut" if roll < 20 else
                "displaced" if roll < 22 else "orphan" if roll < 23 else "ok")
        out.append(Device(f"PC-{i:06d}", str(uuid.UUID(int=i + 1)), START + timedelta(seconds=(i * 6047) % 604800),
                          kind, (i * 104729) % distinct))
    return out


class Outputs:
    """Each device's output: its variant's capture, stamped with the device's run time (the
    compact line carries the scan's start, so no two devices' lines are alike), encoded on demand."""

    def __init__(self, made: list[Capture], encode: Callable[[Capture], str], repeat: bool) -> None:
        self.made, self.encode, self.repeat = made, encode, repeat
        self._lines = [encode(c) for c in made] if repeat else []

    def capture(self, d: Device) -> Capture:
        return self.made[d.variant].model_copy(update={"collected_utc": d.when.strftime("%Y-%m-%dT%H:%M:%SZ")})

    def line(self, d: Device) -> str:
        return self._lines[d.variant] if self.repeat else self.encode(self.capture(d))

    def text(self, d: Device) -> str:
        return self.made[d.variant].model_dump_json() if self.repeat else self.capture(d).model_dump_json()

    def __len__(self) -> int:
        return len(self.made)


def output_of(device: Device, outputs: Outputs) -> str | None:
    if device.kind == "pending":
        return None
    line = outputs.line(device)
    return {"pending": None, "error": "", "cut": line[: len(line) // 2],
            "displaced": "WARNING: the module 'NetTCPIP' includes unapproved verbs."}.get(device.kind, line)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def write_graph(folder: Path, devs: list[Device], lines: Outputs, tag: str = "page") -> list[Path]:
    paths = []
    for start in range(0, len(devs), PAGE_SIZE):
        states = []
        for d in devs[start:start + PAGE_SIZE]:
            state = {"@odata.type": "#microsoft.graph.deviceHealthScriptDeviceState", "id": f"s:{d.id}",
                     "detectionState": {"pending": "pending", "error": "scriptError"}.get(d.kind, "fail"),
                     "lastStateUpdateDateTime": _iso(d.when), "preRemediationDetectionScriptOutput": output_of(d, lines),
                     "preRemediationDetectionScriptError": "Get-CimInstance : Access denied" if d.kind == "error" else None,
                     "remediationState": "skipped"}
            if d.kind != "orphan":
                state["managedDevice"] = {"id": d.id, "deviceName": d.name, "operatingSystem": "Windows",
                                          "userPrincipalName": f"user{d.variant}@contoso.co.jp"}
            states.append(state)
        page = {"@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceRunStates", "value": states}
        paths.append(folder / f"{tag}-{start // PAGE_SIZE:05d}.json")
        paths[-1].write_text(json.dumps(page), encoding="utf-8")
    return paths


def write_table(path: Path, devs: list[Device], lines: Outputs, configmgr: bool) -> list[Path]:
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        if configmgr:
            writer.writerow(["DeviceName", "ScriptName", "ScriptExecutionState", "ScriptExitCode", "ScriptOutput", "LastUpdateTime"])
        else:
            writer.writerow(["DeviceId", "DeviceName", "DetectionStatus", "ModifiedTime", "PreRemediationDetectionScriptOutput",
                             "PreRemediationDetectionScriptError", "UPN"])
        for d in devs:
            out = output_of(d, lines)
            when = d.when.strftime("%Y-%m-%d %H:%M:%S")
            if configmgr:
                writer.writerow([d.name, "msdiag", "Failed" if d.kind == "error" else "Succeeded", 0,
                                 json.dumps(out) if out else "", when])
            else:
                status = {"pending": "Pending", "error": "Failed"}.get(d.kind, "With issues")
                writer.writerow([d.id, "" if d.kind == "orphan" else d.name, status, when, out or "",
                                 "Access denied" if d.kind == "error" else "", "user@contoso.co.jp"])
    return [path]


def write_configmgr_json(path: Path, devs: list[Device], lines: Outputs) -> list[Path]:
    rows = [{"ResourceId": 16777216 + i, "DeviceName": d.name, "ScriptExecutionState": 0, "ScriptExitCode": 0,
             "ScriptOutput": json.dumps(output_of(d, lines) or ""),
             "LastUpdateTime": f"/Date({int(d.when.timestamp() * 1000)})/"} for i, d in enumerate(devs)]
    path.write_text(json.dumps(rows), encoding="utf-8")
    return [path]


def _ansible_result(d: Device, texts: Outputs) -> dict[str, object]:
    if d.kind == "pending":
        return {"unreachable": True, "changed": False, "msg": "Failed to connect to the host via PSRP: timed out"}
    if d.kind == "error":
        return {"failed": True, "changed": False, "msg": "Access is denied", "result": {}}
    text = texts.text(d) if d.kind != "cut" else texts.text(d)[:4000]
    return {"changed": False, "action": "ansible.windows.win_powershell", "result": {"capture": text},
            "host_out": "", "host_err": "", "output": [], "error": [], "warning": []}


def write_ansible(path: Path, devs: list[Device], texts: Outputs, lines: bool) -> list[Path]:
    task = {"name": "Run the exported msdiag collector", "id": "0242ac11-0001", "path": "collect.yml:6"}
    with open(path, "w", encoding="utf-8") as handle:
        if lines:
            for d in devs:
                end = d.when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                event = {"_event": "v2_runner_on_ok", "_timestamp": end, "hosts": {d.name.lower(): _ansible_result(d, texts)},
                         "task": {**task, "duration": {"start": end, "end": end}}}
                handle.write(json.dumps(event) + "\n")
        else:
            tasks = [{"hosts": {d.name.lower(): _ansible_result(d, texts)},
                      "task": {**task, "duration": {"end": d.when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}}} for d in devs]
            json.dump({"plays": [{"play": {"name": "msdiag"}, "tasks": tasks}], "stats": {}}, handle)
    return [path]


def write_captures(folder: Path, devs: list[Device], texts: Outputs) -> list[Path]:
    folder.mkdir()
    for d in devs:
        if d.kind in ("pending", "orphan"):
            continue
        whole = texts.text(d)
        text = whole if d.kind != "cut" else whole[: len(whole) // 2]
        (folder / f"{d.name.lower()}.json").write_text(text, encoding="utf-8")
    return [folder]


@dataclass
class Step:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    code: int
    said: str = ""  # the command's first line on stderr (ingest: what it read and wrote)


def run_step(name: str, args: list[str]) -> Step:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), tests=str(ROOT / "tests")), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    text = err.decode("utf-8", "replace")
    if process.returncode not in (0, 1, 4):
        sys.stderr.write(text[-3000:])
    said = next((line for line in text.splitlines() if line.startswith("read ")), "")
    # the workers' CPU and memory are the step's too (RUSAGE of the child includes its own children
    # only once they are waited for: ProcessPoolExecutor waits for them at shutdown)
    return Step(name, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode, said)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=600, help="distinct sets of facts in the fleet")
    parser.add_argument("--repeat-outputs", action="store_true",
                        help="devices with the same facts return the same output (no run time in it)")
    parser.add_argument("--forms", default=",".join(FORMS))
    parser.add_argument("--keep", type=Path, help="keep the generated inputs and results here")
    parser.add_argument("--ansible-json-devices", type=int, default=12_000,
                        help="devices in the one-document Ansible form (one document is read up to 200 MB)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    forms = [f for f in args.forms.split(",") if f]
    encode = compact_line
    codec = "msdiag.engines.compact"
    base = Path(args.keep or tempfile.mkdtemp(prefix="msdiag-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    made = variants(min(args.distinct, args.devices))
    lines = texts = Outputs(made, encode, args.repeat_outputs)
    devs = devices(args.devices, len(made))
    older = [Device(d.name, d.id, d.when - timedelta(days=7), "ok", (d.variant + 1) % len(made)) for d in devs[::50]]
    writers: dict[str, Callable[[Path], list[Path]]] = {
        "graph": lambda f: write_graph(f, devs, lines) + write_graph(f, older, lines, "older"),
        "intune-csv": lambda f: write_table(f / "export.csv", devs, lines, configmgr=False),
        "configmgr-csv": lambda f: write_table(f / "status.csv", devs, lines, configmgr=True),
        "configmgr-json": lambda f: write_configmgr_json(f / "status.json", devs, lines),
        "captures": lambda f: write_captures(f / "captures", devs, texts),
        "ansible-jsonl": lambda f: write_ansible(f / "run.jsonl", devs, texts, lines=True),
        "ansible-json": lambda f: write_ansible(f / "run.json", devs[: args.ansible_json_devices], texts, lines=False),
    }
    steps: list[Step] = []
    sizes: dict[str, float] = {}
    for form in forms:
        folder = base / form
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        inputs = writers[form](folder)
        sizes[form] = sum(_size(p) for p in inputs) / 1e6
        results = folder / "results.jsonl"
        steps.append(run_step(f"ingest {form}", ["ingest", *map(str, inputs), "--results", str(results)]))
        if form == "graph":
            sizes["results"] = results.stat().st_size / 1e6 if results.exists() else 0.0
            steps.append(run_step("report (table, json, csv, html)", [
                "report", str(results), "--format", "table,json,csv,html", "--reports-dir", str(folder / "reports")]))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    rows = [[s.name, f"{s.wall_s:.1f}", f"{s.cpu_s:.1f}", f"{s.peak_rss_mb:.0f}", s.code] for s in steps]
    load = f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    outputs = "outputs repeated per set of facts" if args.repeat_outputs else "every output distinct"
    print(f"{args.devices} devices, {len(made)} sets of facts ({outputs}), compact lines from: {codec}; {load}")
    print(tabulate(rows, headers=["step", "wall_s", "cpu_s", "peak_rss_mb", "exit"]))
    for step in steps:
        if step.said:
            print(f"{step.name}: {step.said}")
    print(json.dumps({"devices": args.devices, "fact_sets": len(made), "repeat_outputs": args.repeat_outputs,
                      "codec": codec, "nproc": os.cpu_count(),
                      "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
                      "input_mb": {k: round(v, 1) for k, v in sizes.items()},
                      "steps": {s.name: {"wall_s": round(s.wall_s, 2), "cpu_s": round(s.cpu_s, 2),
                                         "peak_rss_mb": round(s.peak_rss_mb, 1), "exit": s.code, "said": s.said} for s in steps}}))


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir())
    return path.stat().st_size


if __name__ == "__main__":
    main()
