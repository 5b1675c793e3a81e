"""windows.too_old from the dated lifecycle table: by build, edition group and the capture's date."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from support.rule_captures import assert_status, capture, run, with_changes

from msdiag.capture.models import Capture
from msdiag.diagnosis.lifecycle import edition_group, lifecycle_table
from msdiag.diagnosis.models import Severity, Status

WIN10_PRO = {
    "caption": "Microsoft Windows 10 Pro",
    "product_name": "Windows 10 Pro",
    "edition": "Professional",
}
WIN11_PRO = {"caption": "Microsoft Windows 11 Pro", "edition": "Professional"}
WIN11_ENT = {"caption": "Microsoft Windows 11 Enterprise", "edition": "Enterprise"}
LTSC = {"caption": "Microsoft Windows 10 Enterprise LTSC", "edition": "EnterpriseS"}


def os_(build: int, display: str, **edition: Any) -> dict[str, Any]:
    return with_changes("os", version=f"10.0.{build}", build=build, display_version=display, **edition)


def scanned_on(cap: Capture, day: str) -> Capture:
    """The same capture, taken on another day (every timestamp the scan wrote moves with it)."""
    text = cap.model_dump_json().replace("2026-11-25T", f"{day}T")
    return Capture.model_validate(json.loads(text))


# (os data, status, severity, text the detail must hold), all scanned on 2026-11-25
CASES = [
    # the reference machine: Windows 11 25H2 Home, in servicing
    ({}, Status.PASS, None, "until 2027-10-12"),
    # 23H2 Pro ended 2025-11-11: not "supported" (the case), Enterprise ended 2026-11-10
    (os_(22631, "23H2", **WIN11_PRO), Status.WARN, Severity.MEDIUM, "2025-11-11"),
    (os_(22631, "23H2", **WIN11_ENT), Status.WARN, Severity.MEDIUM, "2026-11-10"),
    # 24H2: Home/Pro ended 2026-10-13, Enterprise until 2027-10-12, LTSC 2024 until 2029
    (
        os_(26100, "24H2", caption="Microsoft Windows 11 Home", edition="Core"),
        Status.WARN,
        Severity.MEDIUM,
        "2026-10-13",
    ),
    (os_(26100, "24H2", **WIN11_ENT), Status.PASS, None, "2027-10-12"),
    (
        os_(26100, "24H2", caption="Microsoft Windows 11 Enterprise LTSC", edition="EnterpriseS"),
        Status.PASS,
        None,
        "2029-10-09",
    ),
    # Windows 10: each release's own date, not 2025-10-14 for all
    (os_(19044, "21H2", **WIN10_PRO), Status.WARN, Severity.MEDIUM, "2023-06-13"),
    (os_(17763, "1809", **WIN10_PRO), Status.WARN, Severity.MEDIUM, "2020-11-10"),
    (os_(19045, "22H2", **WIN10_PRO), Status.WARN, Severity.MEDIUM, "Extended Security Updates"),
    # LTSC 2019 and LTSC 2021 are still supported: no false warning; 2021 has 48 days left
    (os_(17763, "1809", **LTSC), Status.PASS, None, "2029-01-09"),
    (os_(19044, "21H2", **LTSC), Status.PASS, None, "48 days left"),
    # older than 1809: out of support, whatever the edition (LTSB 2016 ended 2026-10-13)
    (os_(17134, "1803", **WIN10_PRO), Status.FAIL, Severity.HIGH, "2019-11-12"),
    (os_(14393, "1607", **LTSC), Status.FAIL, Severity.HIGH, "2026-10-13"),
    (
        with_changes("os", caption="Microsoft Windows 8.1 Pro", version="6.3.9600", build=9600),
        Status.FAIL,
        Severity.HIGH,
        "6.3",
    ),
    # no edition: 23H2 ended for every edition group, so the status is known without it
    (os_(22631, "23H2", caption=None, edition=None), Status.WARN, Severity.MEDIUM, "2026-11-10"),
]


@pytest.mark.parametrize(("os", "status", "severity", "text"), CASES)
def test_support_status_by_build_and_edition(
    os: dict[str, Any], status: Status, severity: Severity | None, text: str
) -> None:
    f = run("windows.too_old", capture(os=os) if os else capture())
    assert_status(f, status)
    if severity is not None:
        assert f.severity is severity
    assert f.detail is not None and text in f.detail.en, f.detail


def test_the_report_says_the_table_date_and_the_source_of_the_row() -> None:
    f = run("windows.too_old", capture(os=os_(22631, "23H2", **WIN11_PRO)))
    facts = {e.fact: e.value for e in f.evidence}
    assert facts["lifecycle.checked"] == str(lifecycle_table().checked)
    assert (
        facts["lifecycle.source"] == "https://learn.microsoft.com/lifecycle/products/windows-11-home-and-pro"
    )
    assert f.detail is not None and f"checked {lifecycle_table().checked}" in f.detail.en


def test_a_table_more_than_a_year_older_than_the_capture_warns() -> None:
    # 25H2 Enterprise is in servicing until 2028-10-10, but in 2028 the 2026 table may be out of date
    cap = scanned_on(capture(os=os_(26200, "25H2", **WIN11_ENT)), "2028-01-11")
    f = run("windows.too_old", cap)
    assert_status(f, Status.WARN)
    assert f.severity is Severity.LOW and f.detail is not None and "more than a year" in f.detail.en
    # within a year of the table the same machine passes
    assert_status(
        run("windows.too_old", scanned_on(capture(os=os_(26200, "25H2", **WIN11_ENT)), "2027-06-01")),
        Status.PASS,
    )


def test_the_status_comes_from_the_capture_date_so_a_saved_capture_keeps_its_diagnosis() -> None:
    # 25H2 Home on its last day of servicing, and the day after
    assert_status(run("windows.too_old", scanned_on(capture(), "2027-10-12")), Status.PASS)
    assert_status(run("windows.too_old", scanned_on(capture(), "2027-10-13")), Status.WARN)


def test_an_edition_that_decides_the_date_and_a_build_not_in_the_table_are_not_collected() -> None:
    # 24H2 without an edition: Home/Pro ended, Enterprise did not
    f = run("windows.too_old", capture(os=os_(26100, "24H2", caption=None, edition=None)))
    assert_status(f, Status.NOT_COLLECTED)
    assert f.detail is not None and "2026-10-13" in f.detail.en and "2027-10-12" in f.detail.en
    # a build the table does not list (an Insider build) is not called supported
    assert_status(run("windows.too_old", capture(os=os_(27802, "", **WIN11_PRO))), Status.NOT_COLLECTED)
    assert_status(
        run("windows.too_old", capture(os=with_changes("os", build=None, version=None))), Status.NOT_COLLECTED
    )
    assert_status(run("windows.too_old", capture(os=None)), Status.NOT_COLLECTED)


@pytest.mark.parametrize(
    ("edition", "caption", "group"),
    [
        ("Core", None, "home_pro"),
        ("CoreSingleLanguage", None, "home_pro"),
        ("ProfessionalEducation", None, "home_pro"),
        ("Enterprise", None, "ent_edu"),
        ("Education", None, "ent_edu"),
        ("EnterpriseS", None, "ltsc"),
        ("IoTEnterpriseS", None, "iot_ltsc"),
        ("IoTEnterprise", None, "ent_edu"),
        (None, "Microsoft Windows 10 Enterprise LTSC", "ltsc"),
        (None, "Microsoft Windows 11 Pro", "home_pro"),
        (None, "Microsoft Windows Server 2022 Standard", None),
    ],
)
def test_edition_groups(edition: str | None, caption: str | None, group: str | None) -> None:
    assert edition_group(edition, caption) == group


def test_the_table_is_dated_sourced_and_every_end_is_a_patch_tuesday() -> None:
    table = lifecycle_table()
    assert table.checked >= date(2026, 12, 1)
    seen = set()
    for row in table.release:
        assert (row.build, row.group) not in seen, row
        seen.add((row.build, row.group))
        assert row.url.startswith(("https://learn.microsoft.com/", "https://techcommunity.microsoft.com/")), (
            row
        )
        assert row.end.weekday() == 1 and 8 <= row.end.day <= 14, row  # the second Tuesday


def test_the_fix_backs_up_before_it_updates() -> None:
    f = run("windows.too_old", capture(os=os_(22631, "23H2", **WIN11_PRO)))
    assert [s.kind for s in f.remediation][:2] == ["record", "change"]
    assert any("learn.microsoft.com/lifecycle" in step.en for step in f.remediation)
