"""Ansible's JSON callbacks: ansible.posix.json (one document at the end of the run) and
ansible.posix.jsonl (one event per line, read as a stream: fit for 100,000 hosts).

Shapes from ansible.posix 2.1.0's plugins/callback/json.py and jsonl.py
(https://docs.ansible.com/ansible/latest/collections/ansible/posix/json_callback.html):
``{"plays": [{"play": {...}, "tasks": [{"task": {"name", "duration": {"start", "end"}}, "hosts":
{"<inventory name>": <module result>}}]}], "stats": {...}}``; jsonl writes the same task objects,
one host each, as ``v2_runner_on_ok|failed|unreachable|skipped`` events with ``_timestamp``.

The capture is in the ansible.windows.win_powershell result: ``result`` (what the script set in
``$Ansible.Result``: the capture as one JSON string, or an object holding it) or the last string of
``output``. A host whose task was unreachable or failed, and that has no capture in the same file,
becomes an unreachable / script_error record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from msdiag.capture.models import CAPTURE_FORMAT, HostState
from msdiag.errors import InputError
from msdiag.ingest.readers.base import ColumnMap, Reader, Sniff, load_json_document
from msdiag.ingest.rows import MAX_NAME, BadRow, DeviceResult, Failure, Row, Where, bounded
from msdiag.ingest.times import parse_time

MAX_LINE_BYTES = 64 * 1024 * 1024
MAX_HOSTS = 2_000_000
_RUNNER_EVENTS = ("v2_runner_on_ok", "v2_runner_on_failed", "v2_runner_on_unreachable")


class _Run:
    """One Ansible run's host results: captures at once, failures only for hosts with no capture."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.captured: set[str] = set()
        self.failures: dict[str, DeviceResult] = {}

    def results(self, hosts: Any, task: Any, where: Where, when: str | None, event: str | None = None) -> Iterator[Row]:
        """The rows of one task's host results (``event``: the jsonl event, which says unreachable
        or failed even when no_log hid the result itself)."""
        if not isinstance(hosts, dict):
            return
        task_name = bounded(task.get("name") if isinstance(task, dict) else None, 200) or "a task"
        for host, result in hosts.items():
            if not isinstance(result, dict) or not isinstance(host, str):
                yield BadRow(where, "a host result that is not an object")
                continue
            device = host.strip()[:MAX_NAME]
            if not device:
                yield BadRow(where, "a host result without an inventory name")
                continue
            row = DeviceResult(kind=self.kind, where=where, device=device, run_time=_when(task, when))
            found = _capture_in(result)
            if isinstance(found, dict):
                row.capture, row.state = found, "ok"
            elif isinstance(found, str):
                row.output, row.state = found, "ok"
            elif result.get("unreachable") or event == "v2_runner_on_unreachable":
                row.state = "unreachable"
                row.failure = Failure(HostState.UNREACHABLE, f"Ansible could not reach the host: {_message(result)}")
            elif result.get("failed") or event == "v2_runner_on_failed":
                row.state = "failed"
                row.failure = Failure(HostState.SCRIPT_ERROR, f"the task {task_name!r} failed: {_message(result)}")
            else:
                continue  # another task's result (skipped, or ok without a capture)
            if row.failure is None:
                self.captured.add(device.lower())
                self.failures.pop(device.lower(), None)
                yield row
            elif device.lower() not in self.captured:
                self.failures.setdefault(device.lower(), row)
                if len(self.failures) > MAX_HOSTS:
                    raise InputError(f"{where.file}: more than {MAX_HOSTS} hosts")

    def stats(self, stats: Any, where: Where) -> None:
        """Hosts the play recap counts as unreachable, for those whose results said nothing."""
        for host, counts in (stats.items() if isinstance(stats, dict) else ()):
            device = str(host).strip()[:MAX_NAME]
            if not (isinstance(counts, dict) and counts.get("unreachable") and device):
                continue
            if device.lower() not in self.captured and device.lower() not in self.failures:
                self.failures[device.lower()] = DeviceResult(
                    kind=self.kind, where=where, device=device, state="unreachable",
                    failure=Failure(HostState.UNREACHABLE, "Ansible could not reach the host (play recap)"),
                )

    def leftover(self) -> Iterator[Row]:
        yield from self.failures.values()


class AnsibleJson(Reader):
    kind = "ansible-json"
    summary = "Ansible's ansible.posix.json callback output (one document)"

    @classmethod
    def recognises(cls, sniff: Sniff) -> bool:
        return not sniff.is_dir and sniff.first_char == "{" and '"plays"' in sniff.head and "_event" not in sniff.head[:4096]

    def rows(self, path: Path, name: str, columns: ColumnMap) -> Iterator[Row]:
        data = load_json_document(path, name)
        plays = data.get("plays") if isinstance(data, dict) else None
        if not isinstance(plays, list):
            raise InputError(f'{name}: not ansible.posix.json output (no "plays" list)')
        run, number = _Run(self.kind), 0
        for play in plays:
            for task in (play.get("tasks") if isinstance(play, dict) else None) or []:
                number += 1
                if isinstance(task, dict):
                    yield from run.results(task.get("hosts"), task.get("task"), Where(name, number), None)
        run.stats(data.get("stats"), Where(name, number + 1))
        yield from run.leftover()


class AnsibleJsonl(Reader):
    kind = "ansible-jsonl"
    summary = "Ansible's ansible.posix.jsonl callback output (an event per line)"

    @classmethod
    def recognises(cls, sniff: Sniff) -> bool:
        first = sniff.head.lstrip("\ufeff").split("\n", 1)[0]
        return not sniff.is_dir and first.startswith("{") and '"_event"' in first

    def rows(self, path: Path, name: str, columns: ColumnMap) -> Iterator[Row]:
        run = _Run(self.kind)
        try:
            handle: IO[bytes] = open(path, "rb")
        except OSError as exc:
            raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
        with handle:
            for number, raw in enumerate(handle, start=1):
                where = Where(name, number)
                if len(raw) > MAX_LINE_BYTES:
                    yield BadRow(where, f"a line longer than {MAX_LINE_BYTES} bytes")
                    continue
                if not raw.strip():
                    continue
                try:
                    event = json.loads(raw.decode("utf-8-sig", errors="replace"))
                except json.JSONDecodeError as exc:
                    yield BadRow(where, f"not a JSON event ({exc.msg}; cut off?)")
                    continue
                if isinstance(event, dict) and event.get("_event") == "v2_playbook_on_stats":
                    run.stats(event.get("stats"), where)
                if not isinstance(event, dict) or event.get("_event") not in _RUNNER_EVENTS:
                    continue  # play and task starts, the stats
                yield from run.results(event.get("hosts"), event.get("task"), where, _text(event.get("_timestamp")),
                                       str(event.get("_event")))
        yield from run.leftover()


def _capture_in(result: Mapping[str, Any]) -> dict[str, Any] | str | None:
    """The capture in a win_powershell result: a capture object, a capture's JSON text, or None."""
    value = result.get("result")
    for candidate in (value, *(value.values() if isinstance(value, dict) else ())):
        if isinstance(candidate, dict) and candidate.get("format") == CAPTURE_FORMAT:
            return candidate
        if isinstance(candidate, str) and CAPTURE_FORMAT in candidate[:4096]:
            return candidate
    output = result.get("output")
    if isinstance(output, list):
        text = next((item for item in reversed(output) if isinstance(item, str) and item.strip()), None)
        if text is not None and CAPTURE_FORMAT in text[:4096]:
            return text
    return None


def _when(task: Any, timestamp: str | None) -> datetime | None:
    duration = task.get("duration") if isinstance(task, dict) else None
    end = duration.get("end") if isinstance(duration, dict) else None
    return parse_time(timestamp or _text(end))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _message(result: Mapping[str, Any]) -> str:
    if "censored" in result:
        return "its result is hidden by no_log"
    return bounded(result.get("msg"), 2000) or "no message"
