"""`msdiag demo`: a real fleet scan of the built-in lab hosts, in-process, in a few seconds.

Everything is real except Windows: the lab speaks WinRM/PSRP on 127.0.0.1 with NTLM and message
encryption, the scan is msdiag's own fleet scan through pypsrp, and the reports are the ones a
helpdesk gets. The lab's password is generated for this run and never printed.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from pathlib import Path

from msdiag.checks import CHECK_NAMES
from msdiag.collectors.credentials import Credentials
from msdiag.collectors.remote import RemoteTarget
from msdiag.fleet.models import FleetTarget
from msdiag.fleet.report import FleetReport
from msdiag.fleet.scan import FleetScanOutcome, scan_fleet
from msdiag.formats.labels import label, value_label
from msdiag.lab import Faults, LabHost, LabServer, load_lab_hosts

DEMO_USER = "msdiag-demo"
DEMO_TIMEOUT_S = 15.0


def demo_hosts() -> list[LabHost]:
    """The built-in hosts, plus two that cannot be scanned, so the report shows both kinds."""
    hosts = load_lab_hosts()
    healthy = next((h for h in hosts if "healthy" in h.name), hosts[0])
    hosts.append(LabHost("offline-pc", healthy.capture, Faults(refuse_connection=True)))
    hosts.append(LabHost("wrong-password-pc", healthy.capture, Faults(wrong_credentials=True)))
    return hosts


def demo_results_path(reports_dir: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return reports_dir / f"msdiag-demo-{stamp}.jsonl"


def run_demo_scan(results: Path) -> FleetScanOutcome:
    """Start the lab hosts, scan them all into ``results`` (its folder must exist), stop the lab.

    Writes no report and prints nothing: `msdiag demo` (msdiag/cli/fleet_cmd.py) does both."""
    password = secrets.token_urlsafe(24)
    hosts = demo_hosts()
    with LabServer(hosts, transport="http", username=DEMO_USER, password=password) as lab:
        targets = [FleetTarget(host="127.0.0.1", port=lab.port_of(h.name), name=h.name) for h in hosts]
        return scan_fleet(
            targets,
            defaults=RemoteTarget(host="127.0.0.1", transport="http", auth="ntlm", timeout=DEMO_TIMEOUT_S),
            credentials=Credentials(DEMO_USER, password),
            checks=CHECK_NAMES,
            endpoint_hosts=None,
            concurrency=len(targets),
            results=results,
            resume=None,
            reports_dir=results.parent,
            progress=False,
        )


def first_host_report(report: FleetReport) -> str | None:
    """The host report to look at first (relative to the fleet report): the first host of the
    largest failure group, whose report the fleet HTML links."""
    wanted = report.signatures[0].hosts[0] if report.signatures else None
    return next((row.report for row in report.hosts if row.report and row.name == wanted), None)


def summarize(report: FleetReport, lang: str = "en") -> str:
    """The console lines `msdiag demo` prints about the scan, in ``lang``."""
    lines = [label("demo.scanned", lang, total=len(report.hosts))]
    for sig in report.signatures:
        lines.append(
            label("demo.failing", lang, n=len(sig.hosts), findings=", ".join(sig.findings), hosts=", ".join(sig.hosts))
        )
    clean = [row.name for row in report.hosts if row.verdict in ("pass", "warn")]
    if clean:
        lines.append(label("demo.clean", lang, hosts=", ".join(clean)))
    for row in report.hosts:
        if row.verdict == "not_scanned":
            state = value_label("host_state", row.state, lang)
            lines.append(label("demo.unscanned", lang, host=row.name, state=state))
    return "\n".join(lines)
