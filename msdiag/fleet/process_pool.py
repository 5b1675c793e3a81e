"""Scan a fleet in more than one process, each with its own threads, so it is not capped at one core.

The orchestrator's per-host work (pypsrp, requests, NTLM, XML) is pure Python under one
interpreter lock. With ``processes`` = P the parent scans with its own threads (it has every
module loaded already) and P - 1 worker processes scan with theirs. Design rules (docs/fleet.md):

* The parent stays the only writer of the results file. A worker sends each finished host back
  the moment it ends (one message per host, not per batch), so a kill loses only unfinished hosts.
* Each scanning lane (the parent's threads, each worker) gets its own hosts and the parent knows
  which hosts each holds: if a worker dies, exactly those hosts are reported as internal errors
  (not recorded, so a resume retries them) and the rest of the fleet goes on.
* At most ``concurrency`` hosts are held in all, each by a lane with a free thread (no queue
  inside a lane). A worker takes ~1 s to start (imports); until it says it is ready the parent's
  threads may hold all ``concurrency`` hosts, and new hosts then go to the least busy lane, so
  the load evens out at concurrency / processes per lane as the parent's hosts finish.
* Workers are started with "spawn" (pypsrp/requests/threads and fork do not mix safely); the scan
  function and credentials reach them pickled over the spawn pipe, never in argv or environment.
* Workers ignore SIGINT (a terminal's Ctrl-C reaches the whole process group): the parent decides.
  On Ctrl-C it sets ``stopping``: no lane starts another host, the running ones finish.
* Workers die with their parent (msdiag.fleet.worker_boot): on Linux the kernel kills them when
  it dies (PR_SET_PDEATHSIG, set before the worker loads anything), elsewhere they poll the
  parent's pid. A killed parent leaves no worker behind, even one still starting.
* No credential reaches a child's environment: the password variables are removed from the
  environment while the children start (the scan function reaches them pickled over the spawn
  pipe; the resource tracker and the workers inherit the environment of the moment they start).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

from msdiag.errors import InputError
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.outcomes import HostOutcome, OutcomeRecorder, scan_host
from msdiag.fleet.worker_boot import POLL_S, boot

#: how often the parent checks that its workers are alive
_POLL_S = POLL_S
#: how long a worker may take to exit once told there is no more work (its hosts are done)
_EXIT_GRACE_S = 10.0

# What a lane reports per host: (lane, index into the fleet, outcome) where the outcome is the
# pickled HostOutcome from a worker, the HostOutcome itself from the parent's threads, or None for
# a host not started because the parent is stopping. Index READY (no host): the worker is ready.
_Message = tuple[int, int, "bytes | HostOutcome | None"]
_Tasks = Queue  # multiprocessing queue of (index, target), None when there is no more work
READY = -1


#: environment variables that hold a password (msdiag.collectors.credentials, msdiag.cli.lab_cmd)
SECRET_ENV = ("MSDIAG_PASSWORD", "MSDIAG_LAB_PASSWORD")


class _SecretsHidden:
    """Removes the password variables from this process's environment until :meth:`restore`:
    a child started meanwhile (a worker, the resource tracker) never sees them."""

    def __init__(self) -> None:
        self._saved = {name: os.environ.pop(name) for name in SECRET_ENV if name in os.environ}

    def restore(self) -> None:
        for name, value in self._saved.items():
            os.environ.setdefault(name, value)
        self._saved = {}


def _scan_and_report(
    lane: int, index: int, target: FleetTarget, scan_one: Any, summarize: Any, stopping: Event
) -> _Message:
    if stopping.is_set():
        return (lane, index, None)
    return (lane, index, scan_host(target, scan_one, summarize))


def worker_main(
    lane: int,
    scan_one: Any,
    summarize: Any,
    threads: int,
    tasks: _Tasks[tuple[int, FleetTarget] | None],
    results: Queue[_Message | None],
    stopping: Event,
    parent_pid: int,
) -> None:
    """A worker process, once booted (msdiag.fleet.worker_boot): scan the hosts sent to it with
    ``threads`` threads."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prepare = getattr(scan_one, "prepare", None)
    if callable(prepare):
        prepare()  # e.g. import the collector now, not in the first host's deadline
    results.put((lane, READY, None))

    def run(index: int, target: FleetTarget) -> None:
        _, _, outcome = _scan_and_report(lane, index, target, scan_one, summarize, stopping)
        payload: bytes | None = None
        if outcome is not None:
            try:
                payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # never leave the parent waiting for a host
                error = f"{target.host}: internal error sending the result: {type(exc).__name__}"
                payload = pickle.dumps(HostOutcome(None, error))
        results.put((lane, index, payload))

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"msdiag-w{lane}") as pool:
        while (item := tasks.get()) is not None:
            pool.submit(run, *item)
    results.close()
    results.join_thread()  # every message is in the pipe before this process exits


class _Lane:
    """One place hosts are scanned: the parent's own threads (``process`` None) or a worker."""

    def __init__(
        self,
        number: int,
        process: BaseProcess | None,
        send: Callable[[int, FleetTarget], None],
        capacity: int,
    ) -> None:
        self.number = number
        self.process = process
        self._send = send
        self.capacity = capacity  # its threads
        self.ready = process is None
        #: hosts given to this lane and not yet reported back, by index into the fleet
        self.holding: dict[int, FleetTarget] = {}
        self.seen_dead = False

    def give(self, index: int, target: FleetTarget) -> None:
        self.holding[index] = target
        self._send(index, target)

    def alive(self) -> bool:
        return self.process is None or self.process.is_alive()


def _sender(tasks: _Tasks[tuple[int, FleetTarget] | None]) -> Callable[[int, FleetTarget], None]:
    def send(index: int, target: FleetTarget) -> None:
        tasks.put((index, target))

    return send


def check_picklable(scan_one: object, summarize: object) -> None:
    """Worker processes need the scan function by value: a closure or lambda cannot be sent."""
    try:
        pickle.dumps((scan_one, summarize))
    except Exception as exc:
        raise InputError(
            f"scanning in worker processes needs a module-level scan function ({type(exc).__name__}: {exc})"
        ) from None


@dataclass(frozen=True)
class _Pool:
    """What the lanes run: the scan function, the summary function, threads and processes."""

    scan_one: Any
    summarize: Any
    concurrency: int
    processes: int


class _ProcessScan:
    """The state of one multi-process scan (run_fleet_in_processes)."""

    def __init__(self, recorder: OutcomeRecorder, pool: _Pool) -> None:
        scan_one, summarize, concurrency, processes = (
            pool.scan_one,
            pool.summarize,
            pool.concurrency,
            pool.processes,
        )
        self.recorder = recorder
        self.secrets = _SecretsHidden()  # before any child: the resource tracker starts below
        context = multiprocessing.get_context("spawn")
        threads = math.ceil(concurrency / processes)
        self.concurrency = concurrency
        self.inbox: queue.Queue[_Message] = queue.Queue()
        self.results: Queue[_Message | None] = context.Queue()
        self.stopping = context.Event()
        self.task_queues: list[_Tasks[tuple[int, FleetTarget] | None]] = []
        self.local = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="msdiag-host")

        def scan_here(index: int, target: FleetTarget) -> None:
            future = self.local.submit(_scan_and_report, 0, index, target, scan_one, summarize, self.stopping)
            future.add_done_callback(self._forward_local)

        self.lanes = [_Lane(0, None, scan_here, concurrency)]
        # pickled here, unpickled by the worker only after it is bound to its parent (worker_boot)
        job = pickle.dumps((worker_main, scan_one, summarize), protocol=pickle.HIGHEST_PROTOCOL)
        for number in range(1, processes):  # the workers start while the parent's threads scan
            tasks: _Tasks[tuple[int, FleetTarget] | None] = context.Queue()
            process = context.Process(
                target=boot,
                args=(number, job, threads, tasks, self.results, self.stopping, os.getpid()),
                name=f"msdiag-fleet-worker-{number}",
                daemon=True,  # terminated too if the parent ends by an uncaught exception
            )
            process.start()
            self.task_queues.append(tasks)
            self.lanes.append(_Lane(number, process, _sender(tasks), threads))
        self.forwarder = threading.Thread(target=self._forward, name="msdiag-results", daemon=True)
        self.forwarder.start()

    def _forward_local(self, done: Future[_Message]) -> None:
        if not done.cancelled():  # cancelled: only when the parent stops waiting (see close)
            self.inbox.put(done.result())

    def _forward(self) -> None:
        """Move the workers' messages into the inbox the main thread waits on (None: stop)."""
        while (message := self.results.get()) is not None:
            self.inbox.put(message)

    def submit_more(self) -> None:
        while not self.stopping.is_set() and self.held() < self.concurrency:
            open_lanes = [
                lane
                for lane in self.lanes
                if lane.ready and lane.alive() and len(lane.holding) < lane.capacity
            ]
            if not open_lanes:
                return
            item = self.recorder.take()
            if item is None:
                return
            min(open_lanes, key=lambda lane: len(lane.holding)).give(*item)

    def holding(self) -> bool:
        return any(lane.holding for lane in self.lanes)

    def held(self) -> int:
        return sum(len(lane.holding) for lane in self.lanes)

    def handle(self, message: _Message) -> None:
        number, index, payload = message
        if index == READY:
            self.lanes[number].ready = True
            return
        if self.lanes[number].holding.pop(index, None) is None or payload is None:
            return  # given up on already (dead worker), or not started: a resume scans it
        outcome: HostOutcome = pickle.loads(payload) if isinstance(payload, bytes) else payload
        self.recorder.record(outcome, index)

    def give_up_on_dead_workers(self) -> None:
        """A worker that died holding hosts: after one more poll (for what it sent before dying),
        its hosts are internal errors, not recorded, so a resume retries them."""
        for lane in self.lanes:
            if not lane.holding or lane.alive():
                continue
            if not lane.seen_dead:
                lane.seen_dead = True
                continue
            code = lane.process.exitcode if lane.process is not None else None
            for index, target in lane.holding.items():
                self.recorder.internal_error(
                    f"{target.host}: internal error: worker process exited ({code})", index
                )
            lane.holding.clear()

    def wait_for_hosts(self) -> None:
        self.submit_more()
        while self.holding():
            try:
                self.handle(self.inbox.get(timeout=_POLL_S))
            except queue.Empty:
                self.give_up_on_dead_workers()
            self.submit_more()

    def close(self) -> None:
        """Stop every lane: wait for the workers, or terminate them if hosts are still held."""
        self.stopping.set()
        now = self.holding()  # only after a second Ctrl-C: those hosts are scanned on resume
        self.local.shutdown(wait=not now, cancel_futures=True)
        for lane, tasks in zip(self.lanes[1:], self.task_queues, strict=True):
            assert lane.process is not None
            if now:
                lane.process.terminate()
            else:
                tasks.put(None)
        for lane in self.lanes[1:]:
            assert lane.process is not None
            lane.process.join(_EXIT_GRACE_S)
            if lane.process.is_alive():
                lane.process.kill()
                lane.process.join(_EXIT_GRACE_S)
        for tasks in self.task_queues:
            tasks.close()
        self.results.put(None)
        self.forwarder.join(_EXIT_GRACE_S)
        self.results.close()
        self.secrets.restore()


def run_fleet_in_processes(
    scan_one: Any,
    recorder: OutcomeRecorder,
    *,
    concurrency: int,
    processes: int,
    summarize: Any,
) -> None:
    """Scan the recorder's hosts in the parent and ``processes`` - 1 workers, ``concurrency /
    processes`` threads each; every outcome goes to ``recorder``, as in the threads-only runner
    (runner.run_fleet)."""
    check_picklable(scan_one, summarize)
    scan = _ProcessScan(recorder, _Pool(scan_one, summarize, concurrency, processes))
    try:
        scan.wait_for_hosts()
    except KeyboardInterrupt:
        scan.stopping.set()  # first: no lane starts another host
        recorder.interrupted()
        try:
            scan.wait_for_hosts()
        except KeyboardInterrupt:
            pass  # stop waiting: the hosts still held are scanned again on resume
    finally:
        scan.close()
        recorder.finish()
