"""The fleet report masks the same names as the single-host report (strict): nothing only one check knows
slips through because the fleet report keeps only some checks' documents for redaction."""

from __future__ import annotations

from pathlib import Path

from msdiag.capture.models import Capture
from msdiag.collectors.capture_file import load_capture
from msdiag.diagnosis.engine import diagnose
from msdiag.fleet.models import FleetRecord, FleetTarget
from msdiag.fleet.report import build_fleet_report
from msdiag.formats.catalog import render_fleet as render
from msdiag.formats.json_format import render_json
from msdiag.formats.redact import Redaction, redact

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
#: A branch office's PAC server, given to the runner with -PacUrl: the user has no AutoConfigURL of
#: their own, so only the endpoints check (its PAC probe) knows this name.
BRANCH_PAC_HOST = "wpad.osaka-branch.contoso.example"
BRANCH_PAC_URL = f"http://{BRANCH_PAC_HOST}/proxy.pac"


def pac_only_endpoints_knows() -> Capture:
    capture = load_capture(FIXTURES / "pac-unreachable.json")
    data = capture.model_dump(mode="json")
    data["checks"]["proxy"]["document"]["data"]["wininet"]["auto_config_url"] = None
    pac = data["checks"]["endpoints"]["document"]["data"]["pac"]
    pac["url"] = BRANCH_PAC_URL
    pac["tcp"]["target"] = f"{BRANCH_PAC_HOST}:80"
    return Capture.model_validate(data)


def test_the_pac_finding_names_the_branch_server_before_redaction() -> None:
    # the premise: the finding the fleet report shows does name the server
    result = diagnose(pac_only_endpoints_knows())
    pac = next(f for f in result.findings if f.id == "proxy.pac_unreachable")
    assert pac.status.value == "fail" and BRANCH_PAC_HOST in (pac.detail.en if pac.detail else "")


def test_single_host_report_hides_a_pac_server_only_the_endpoints_check_knows() -> None:
    text = render_json(redact(diagnose(pac_only_endpoints_knows()), Redaction.STRICT))
    assert BRANCH_PAC_HOST not in text


def test_fleet_report_hides_it_too(tmp_path: Path) -> None:
    record = FleetRecord(
        target=FleetTarget(host="cnt-lt-05190.corp.contoso.example"),
        started_utc="2026-11-25T01:00:00.000Z",
        duration_ms=1500,
        capture=pac_only_endpoints_knows(),
    )
    path = tmp_path / "fleet.jsonl"
    path.write_text(record.model_dump_json() + "\n", encoding="utf-8")
    report = build_fleet_report(path, "strict")
    assert report.hosts[0].failing, "the host's PAC failure is in the report"
    for fmt in ("json", "csv", "html", "table"):
        assert BRANCH_PAC_HOST not in render(report, fmt, "en"), f"fleet {fmt} report names the PAC server"
