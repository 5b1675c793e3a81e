"""Fault matrix: for each way a host can fail, the status msdiag gives, its wall time, shells left open.

    python bench/faults.py [--timeout S] [--trickle-s S]

Each fault is one lab host on 127.0.0.1 (the real pypsrp client, real NTLM with message encryption
over HTTP, or TLS): the lab's own faults (refused, hang, WinRM quota, wrong password, TLS error,
a connection dropped mid-Receive) and misbehaving hosts (replies trickled one byte every
``--trickle-s`` in the head or the body, a pipeline whose Receive is never answered, a host that
never answers Signal or Delete, the wrong transport both ways). All are scanned at once, each with
``--timeout``; a host's wall time must stay under ``--timeout`` plus the cleanup budget
(``CLEANUP_MAX_S``, docs/remote.md). Shells left open are the lab's count after the scan.
Prints a table and, as the LAST line, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tabulate import tabulate

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget, collect_remote
from msdiag.collectors.remote.cleanup import CLEANUP_MAX_S
from msdiag.lab import Faults, LabHost, LabServer, WsmanFaultSpec, load_lab_hosts
from msdiag.lab.misbehaviour import HANDSHAKE, Misbehaviour

USER = "bench"


@dataclass(frozen=True)
class Case:
    """One fault: which lab host, and how msdiag is told to reach it."""

    name: str
    lab: str  # "http" or "https": the lab serving the host
    transport: str = "http"
    faults: Faults = field(default_factory=Faults)
    misbehaviour: Misbehaviour | None = None
    wrong_password: bool = False
    trust_ca: bool = True


def cases(trickle_s: float) -> list[Case]:
    quota = WsmanFaultSpec(
        code=0x803381A5,
        message="The WS-Management service cannot process the request. This user is allowed a maximum number "
        "of 5 concurrent shells, which has been exceeded.",
    )
    return [
        Case("healthy", "http"),
        Case(
            "trickle headers",
            "http",
            misbehaviour=Misbehaviour(trickle_head=frozenset({HANDSHAKE}), trickle_s=trickle_s),
        ),
        Case(
            "trickle body",
            "http",
            misbehaviour=Misbehaviour(trickle_body=frozenset({"Receive"}), trickle_s=trickle_s),
        ),
        Case("hang", "http", faults=Faults(hang=True)),
        Case("hung pipeline", "http", misbehaviour=Misbehaviour(stall=frozenset({"Receive"}))),
        Case("ignores Signal", "http", misbehaviour=Misbehaviour(stall=frozenset({"Receive", "Signal"}))),
        Case("hangs on Delete", "http", misbehaviour=Misbehaviour(stall=frozenset({"Receive", "Delete"}))),
        Case("refused", "http", faults=Faults(refuse_connection=True)),
        Case("wrong password", "http", wrong_password=True),
        Case("HTTPS to HTTP listener", "http", transport="https"),
        Case("HTTP to HTTPS listener", "https", transport="http"),
        Case("quota fault", "http", faults=Faults(wsman_fault=quota)),
        Case("dropped mid-Receive", "http", faults=Faults(drop_mid_receive=True)),
        Case("TLS error (untrusted)", "https", transport="https", trust_ca=False),
    ]


def _host(case: Case) -> str:
    return case.name.lower().replace(" ", "-").replace("(", "").replace(")", "")


def _scan(case: Case, lab: LabServer, password: str, timeout: float) -> dict[str, Any]:
    name = _host(case)
    target = RemoteTarget(
        host="127.0.0.1",
        port=lab.port_of(name),
        transport=case.transport,  # type: ignore[arg-type]
        auth="ntlm",
        timeout=timeout,
        ca_bundle=lab.ca_file if case.trust_ca and case.transport == "https" else None,
    )
    creds = Credentials(USER, "not-the-password" if case.wrong_password else password)
    started = time.monotonic()
    capture = collect_remote(target, creds, CHECK_NAMES)
    wall = time.monotonic() - started
    return {
        "state": capture.host_status.state.value,
        "detail": capture.host_status.detail or "",
        "wall_s": round(wall, 2),
        "shells_left": lab.host_stats(name).open_shells,
        "warned_left_open": any("may still be open" in w for w in capture.warnings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="--timeout of every scan (default 10)")
    parser.add_argument(
        "--trickle-s", type=float, default=2.0, help="seconds between trickled bytes (default 2)"
    )
    parser.add_argument(
        "--give-up-s",
        type=float,
        default=600.0,
        help="stop waiting for scans still running after this long (they count as out of bound)",
    )
    args = parser.parse_args()
    password = secrets.token_urlsafe(18)
    capture = next(h for h in load_lab_hosts() if h.name == "healthy-ja-jp").capture
    matrix = cases(args.trickle_s)
    labs: dict[str, LabServer] = {}
    for transport in ("http", "https"):
        mine = [c for c in matrix if c.lab == transport]
        labs[transport] = LabServer(
            [LabHost(_host(c), capture, c.faults) for c in mine],
            transport=transport,  # type: ignore[arg-type]
            username=USER,
            password=password,
            misbehaviour={_host(c): c.misbehaviour for c in mine if c.misbehaviour},
        )
        labs[transport].start()
    results: dict[str, dict[str, Any]] = {}

    def scan(case: Case) -> None:
        results[case.name] = _scan(case, labs[case.lab], password, args.timeout)

    try:
        threads = [threading.Thread(target=scan, args=(case,), daemon=True) for case in matrix]
        for thread in threads:
            thread.start()
        give_up = time.monotonic() + args.give_up_s
        for thread in threads:
            thread.join(max(0.0, give_up - time.monotonic()))
        for case in matrix:
            if case.name not in results:  # a scan that never ended: what the lab holds at this point
                results[case.name] = {
                    "state": "still running",
                    "detail": f"still running after {args.give_up_s:g} s",
                    "wall_s": args.give_up_s,
                    "shells_left": labs[case.lab].host_stats(_host(case)).open_shells,
                    "warned_left_open": False,
                }
    finally:
        for lab in labs.values():
            lab.stop()
    bound = args.timeout + CLEANUP_MAX_S
    rows = []
    for case in matrix:
        r = results[case.name]
        rows.append(
            [
                case.name,
                r["state"],
                f"{r['wall_s']:.1f}",
                "yes" if r["wall_s"] <= bound else "NO",
                r["shells_left"],
                "yes" if r["warned_left_open"] else "",
                r["detail"][:70],
            ]
        )
    print(
        f"--timeout {args.timeout:g} s, cleanup budget at most {CLEANUP_MAX_S:g} s: bound {bound:g} s per host"
    )
    print(
        tabulate(rows, headers=["fault", "status", "wall s", "in bound", "shells left", "warned", "detail"])
    )
    summary = {
        "timeout_s": args.timeout,
        "cleanup_max_s": CLEANUP_MAX_S,
        "trickle_s": args.trickle_s,
        "all_within_bound": all(r["wall_s"] <= bound for r in results.values()),
        "max_wall_s": max(r["wall_s"] for r in results.values()),
        "shells_left_total": sum(r["shells_left"] for r in results.values()),
        "faults": {
            case.name: {
                k: results[case.name][k] for k in ("state", "wall_s", "shells_left", "warned_left_open")
            }
            for case in matrix
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
