"""A discrete-event model of a fleet scan, to tell a scanner limit from a lab limit.

The model runs ``hosts`` scans with ``concurrency`` in flight (a new one starts when one ends, as
msdiag.fleet.runner does). A scan is ``round_trips`` requests; before each request and after the
last the scanner spends an equal share of its CPU per host, on ONE server shared by every scan
(the interpreter lock of one scanner process on its core); each request then costs the lab an
equal share of its CPU per host on ONE lab server (the lab's event-loop thread on its own core)
and ``latency_s`` of waiting that costs nobody anything. Servers take work in the order it
arrives. Nothing else is modelled (no scheduler noise, no thread switches, no kernel time beyond
what the CPU figures already hold), so a measured efficiency well below the model's points at
something the model does not know.

``scanner_only`` gives the lab no cost at all (a free lab, as real Windows hosts are to the
scanner): the efficiency the scanner alone allows.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass


@dataclass(frozen=True)
class HostCost:
    """What one host's scan costs (inputs measured by bench/fleet.py)."""

    scanner_cpu_s: float
    lab_cpu_s: float
    round_trips: int
    latency_s: float

    def alone_s(self, scanner_only: bool = False) -> float:
        """One host scanned with nothing else running."""
        lab = 0.0 if scanner_only else self.lab_cpu_s
        return self.scanner_cpu_s + lab + self.round_trips * self.latency_s


def simulate(hosts: int, concurrency: int, cost: HostCost, *, scanner_only: bool = False) -> float:
    """The modelled wall time of the whole fleet scan, in seconds."""
    if hosts <= 0:
        return 0.0
    trips = max(1, cost.round_trips)
    cpu_share = cost.scanner_cpu_s / (trips + 1)
    lab_share = 0.0 if scanner_only else cost.lab_cpu_s / trips
    scanner_free = lab_free = 0.0
    # events: (time, order, host, step); step 2k = scanner CPU before request k (k = trips: the
    # last CPU), step 2k + 1 = request k (lab CPU, then the latency)
    events: list[tuple[float, int, int, int]] = []
    order = 0
    started = min(concurrency, hosts)
    for host in range(started):
        heapq.heappush(events, (0.0, order, host, 0))
        order += 1
    finished_at = 0.0
    while events:
        now, _order, host, step = heapq.heappop(events)
        if step % 2 == 0:
            begin = max(now, scanner_free)
            scanner_free = begin + cpu_share
            done = scanner_free
            if step // 2 == trips:  # the host's scan is over: the next one starts
                finished_at = max(finished_at, done)
                if started < hosts:
                    heapq.heappush(events, (done, order, started, 0))
                    order += 1
                    started += 1
                continue
        else:
            begin = max(now, lab_free)
            lab_free = begin + lab_share
            done = lab_free + cost.latency_s
        heapq.heappush(events, (done, order, host, step + 1))
        order += 1
    return finished_at


def efficiency(hosts: int, concurrency: int, cost: HostCost, *, scanner_only: bool = False) -> float:
    """ideal / modelled elapsed, the ideal being hosts x (one host alone) / concurrency, as measured."""
    elapsed = simulate(hosts, concurrency, cost, scanner_only=scanner_only)
    ideal = hosts * cost.alone_s(scanner_only) / concurrency
    return ideal / elapsed if elapsed > 0 else 0.0
