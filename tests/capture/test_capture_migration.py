"""A capture of schema version 1 (msdiag 0.1) still loads and diagnoses as it did.

Its per-user facts are of unknown owner ("captured before msdiag recorded it"), which the rules
read as they always did; a check the scan never finished becomes not_run, and a probe the old
endpoints script gave up on is no longer read as a DNS failure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from msdiag.capture.models import NOT_REPORTED, CheckStatus
from msdiag.capture.parse import Facts
from msdiag.collectors.capture_file import capture_from_dict, load_capture
from msdiag.diagnosis.engine import diagnose
from msdiag.diagnosis.models import Status

V1 = Path(__file__).resolve().parents[1] / "data" / "captures-v1"


def v1(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((V1 / f"{name}.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    return data


def test_a_v1_capture_loads_as_v2_with_whose_facts_unknown() -> None:
    capture = load_capture(V1 / "org-joined-tls-interception.json")
    assert capture.schema_version == 2
    assert capture.user_context is not None and capture.user_context.chosen_by == "unknown"
    assert "captured before msdiag recorded" in (capture.user_context.note or "")
    facts = Facts(capture)
    assert facts.whose("identity", "dsregcmd.azure_ad_prt") == "unknown"
    assert facts.whose("identity", "dsregcmd.azure_ad_joined") == "machine"
    assert facts.read_as_another_account("identity", "dsregcmd.azure_ad_prt") is None
    # version 1 check documents (script-parsed dsregcmd, session culture) are read as they are
    assert facts.identity is not None and facts.identity.dsregcmd is not None
    assert facts.identity.dsregcmd.azure_ad_prt is True and facts.identity.dsregcmd_output is None


def test_a_v1_capture_diagnoses_as_before() -> None:
    result = diagnose(load_capture(V1 / "org-joined-tls-interception.json"))
    by_id = {f.id: f for f in result.findings}
    # the PRT rule reads the session-only SSO state as it always did: judged, not "not applicable"
    assert by_id["identity.prt_stale"].status is Status.PASS
    assert by_id["identity.org_managed"].status is Status.WARN
    assert result.verdict == "fail"  # the TLS interception is still found


def test_a_v1_check_cut_short_becomes_not_run_and_the_diagnosis_incomplete() -> None:
    data = v1("healthy-ja-jp")
    data["checks"]["identity"] = {"status": "error", "reason": NOT_REPORTED}
    capture = capture_from_dict(data, "v1")
    assert capture.checks["identity"].status is CheckStatus.NOT_RUN
    assert capture.unfinished_checks == ["identity"]
    assert diagnose(capture).verdict == "incomplete"


def test_a_v1_probe_the_old_script_gave_up_on_is_not_a_dns_failure() -> None:
    data = v1("healthy-ja-jp")
    probe = data["checks"]["endpoints"]["document"]["data"]["probes"][0]
    # what the version 1 script wrote for a probe that ran out of time (a dead PAC server)
    probe.update(dns={"addresses": [], "error": "the probe did not finish within 13000 ms", "ms": None},
                 tcp=None, tls=None, http=None)  # fmt: skip
    capture = capture_from_dict(data, "v1")
    facts = Facts(capture)
    assert facts.endpoints is not None and facts.endpoints.probes[0].dns is None
    finding = next(f for f in diagnose(capture).findings if f.id == "dns.account_hosts")
    assert finding.status is Status.PASS, finding.detail
    # a real v1 DNS failure is still one
    probe["dns"] = {"addresses": [], "error": "そのようなホストは不明です。", "ms": 12}
    finding = next(f for f in diagnose(capture_from_dict(data, "v1")).findings if f.id == "dns.account_hosts")
    assert finding.status is Status.FAIL


def test_any_other_version_is_refused() -> None:
    import pytest

    from msdiag.errors import InputError

    data = v1("healthy-ja-jp")
    data["schema_version"] = 3
    with pytest.raises(InputError, match="schema_version"):
        capture_from_dict(data, "v3")
