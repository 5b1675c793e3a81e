"""`msdiag demo`: a real fleet scan of the built-in lab hosts, in-process, in a few seconds.

Everything is real except Windows: the lab speaks WinRM/PSRP on 127.0.0.1 with NTLM and message
encryption, the scan is msdiag's own fleet scan through pypsrp, and the reports are the ones a
helpdesk gets. The lab's password is generated for this run and never printed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from diag.checks import CHECK_NAMES
from diag.collectors.credentials import Credentials
from diag.collectors.remote import RemoteTarget
from diag.fleet.models import FleetTarget
from diag.fleet.report import FleetReport, build_fleet_report
from diag.fleet.scan import scan_fleet
from diag.formats.fleet import write_fleet_outputs
from diag.lab import Faults, LabHost, LabServer, load_lab_hosts

DEMO_USER = "msdiag-demo"
DEMO_TIMEOUT_S = 15.0


@dataclass
class DemoOutcome:
    results: Path
    fleet_html: Path
    host_html: Path | None
    summary_text: str


def demo_hosts() -> list[LabHost]:
    """The built-in hosts, plus two that cannot be scanned, so the report shows both kinds."""
    hosts = load_lab_hosts()
    healthy = next((h for h in hosts if "healthy" in h.name), hosts[0])
    hosts.append(LabHost("offline-pc", healthy.capture, Faults(refuse_connection=True)))
    hosts.append(LabHost("wrong-password-pc", healthy.capture, Faults(wrong_credentials=True)))
    return hosts


def run_demo(*, reports_dir: Path, lang: str = "en") -> DemoOutcome:
    password = secrets.token_urlsafe(24)
    hosts = demo_hosts()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    reports_dir.mkdir(parents=True, exist_ok=True)
    results = reports_dir / f"msdiag-demo-{stamp}.jsonl"
    with LabServer(hosts, transport="http", username=DEMO_USER, password=password) as lab:
        targets = [FleetTarget(host="127.0.0.1", port=lab.port_of(h.name), name=h.name) for h in hosts]
        scan_fleet(
            targets,
            defaults=RemoteTarget(host="127.0.0.1", transport="http", auth="ntlm", timeout=DEMO_TIMEOUT_S),
            credentials=Credentials(DEMO_USER, password),
            checks=CHECK_NAMES,
            endpoint_hosts=None,
            concurrency=len(targets),
            results=results,
            resume=None,
            reports_dir=reports_dir,
            progress=False,
        )
    report = build_fleet_report(results)
    _, written = write_fleet_outputs(
        report, ("html",), lang=lang, reports_dir=reports_dir, stem=results.stem + "-report", results=results
    )
    # The host to look at first: the one in the largest failure group, whose report the fleet links.
    wanted = report.signatures[0].hosts[0] if report.signatures else None
    host_html = next(
        (reports_dir / row.report for row in report.hosts if row.report and row.name == wanted), None
    )
    return DemoOutcome(results, written[0], host_html, summarize(report, lang))


def summarize(report: FleetReport, lang: str = "en") -> str:
    ja = lang == "ja"
    total = len(report.hosts)
    lines = [
        f"ラボのホスト {total} 台をスキャンしました (WinRM, NTLM + 暗号化, 127.0.0.1)。"
        if ja
        else f"Scanned {total} lab hosts over WinRM (NTLM with message encryption, 127.0.0.1)."
    ]
    for sig in report.signatures:
        lines.append(f"  {len(sig.hosts)} host(s) failing {', '.join(sig.findings)}: {', '.join(sig.hosts)}")
    clean = [row.name for row in report.hosts if row.verdict in ("pass", "warn")]
    if clean:
        lines.append(f"  no failing finding: {', '.join(clean)}")
    for row in report.hosts:
        if row.verdict == "not_scanned":
            lines.append(f"  could not scan {row.name}: {row.state}")
    return "\n".join(lines)
