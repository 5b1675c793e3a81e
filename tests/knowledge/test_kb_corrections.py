"""The entries issue 12 found wrong, each checked against its source page: one test per correction.

Every test here failed on the old text (the wrong name, path or wording, the unsafe step).
"""

from __future__ import annotations

import pytest

from msdiag.diagnosis.models import Step
from msdiag.knowledge.kb import KnowledgeBase
from msdiag.knowledge.models import Entry

#: when the corrections were checked against their sources
CHECKED = "2026-12-01"

#: each corrected entry and the page it was checked against
CHECKED_AGAINST: dict[str, str] = {
    "0x80072F8F": "https://learn.microsoft.com/entra/identity/devices/troubleshoot-hybrid-join-windows-current",
    "0xCAA5001C": "https://learn.microsoft.com/troubleshoot/windows-client/user-profiles-and-logon/event-1098-error-0xcaa5001c",
    "msg-something-went-wrong-1001": "https://learn.microsoft.com/microsoft-365/troubleshoot/authentication/cannot-sign-in-microsoft-365-desktop-apps",
    "0x80090016": "https://learn.microsoft.com/entra/identity/devices/faq",
    "0x80048823": "https://learn.microsoft.com/previous-versions/office/developer/lync-online/hh472110(v=office.14)",
    "0x80860007": "https://learn.microsoft.com/windows/win32/api/winerror/",
    "0xC00484B2": "https://learn.microsoft.com/entra/identity/devices/troubleshoot-hybrid-join-windows-current",
    "0x80080005": "https://learn.microsoft.com/microsoft-365/troubleshoot/authentication/cannot-sign-in-microsoft-365-desktop-apps",
    "msg-country-code-not-supported": "https://ittrip.xyz/?p=85232",
    "msg-phone-number-already-used": "https://support.microsoft.com/account-billing/11d069b4-3f7c-4352-a39e-2c8cd2b4f164",
    "0x80860010": "https://learn.microsoft.com/windows/win32/api/winerror/",
    "msg-something-went-wrong": "https://ittrip.xyz/?p=85232",
    "0x800704CF": "https://learn.microsoft.com/troubleshoot/windows-server/networking/troubleshoot-ncsi-guidance",
    # made safe: a record step before each change
    "0x80070426": "https://learn.microsoft.com/windows/win32/debug/system-error-codes--1000-1299-",
    "0x80190001": "https://learn.microsoft.com/windows/win32/api/winerror/",
    "0x8019019A": "https://ittrip.xyz/?p=85232",
    "0xCAA70004": "https://support.microsoft.com/office/a02f683b-61a3-4008-9447-ee60c5593b0f",
    "0xCAA70007": "https://support.microsoft.com/office/a02f683b-61a3-4008-9447-ee60c5593b0f",
    "AADSTS50155": "https://learn.microsoft.com/entra/identity/devices/faq",
    "0xCAA20003": "https://support.microsoft.com/office/a02f683b-61a3-4008-9447-ee60c5593b0f",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.default()


def _entry(kb: KnowledgeBase, entry_id: str) -> Entry:
    entry = kb.get(entry_id)
    assert entry is not None, entry_id
    return entry


def _steps(entry: Entry) -> list[Step]:
    return [*entry.remediation, *(s for c in entry.causes for s in c.remediation)]


def _index(steps: list[Step], word: str) -> int:
    return next(i for i, s in enumerate(steps) if word in s.en)


@pytest.mark.parametrize(("entry_id", "page"), CHECKED_AGAINST.items())
def test_each_corrected_entry_cites_the_page_it_was_checked_against(
    kb: KnowledgeBase, entry_id: str, page: str
) -> None:
    entry = _entry(kb, entry_id)
    assert page in entry.sources
    assert entry.last_verified == CHECKED


def test_0x80072F8F_leads_with_a_proxy_changing_the_response_and_backs_up_before_tls(kb: KnowledgeBase) -> None:
    entry = _entry(kb, "0x80072F8F")
    assert entry.name.startswith("WININET_E_DECODING_FAILED")
    assert "could not be decoded" in entry.meaning.en
    assert entry.causes[0].id == "proxy_modifies_response"
    tls = next(c for c in entry.causes if c.id == "tls12_disabled")
    assert [s.kind for s in tls.remediation] == ["record", "change"]
    assert "reg export" in tls.remediation[0].en and tls.text.en.startswith("Possibly")


def test_0xCAA5001C_names_the_right_key_backs_it_up_and_says_what_microsoft_documents(kb: KnowledgeBase) -> None:
    entry = _entry(kb, "0xCAA5001C")
    key = (
        "HKCU\\Software\\Classes\\Local Settings\\Software\\Microsoft\\Windows\\CurrentVersion\\AppModel"
        "\\SystemAppData\\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\\PSR"
    )
    change = _index(entry.remediation, "take ownership")
    assert key in entry.remediation[change].en and entry.remediation[change].kind == "change"
    record = entry.remediation[change - 1]
    assert record.kind == "record" and "Get-Acl" in record.en and "reg export" in record.en
    # KB3196528 is about Microsoft Store for Business and Enterprise State Roaming
    assert "Microsoft Store for Business" in entry.meaning.en and "Office" not in entry.meaning.en


def test_1001_asks_for_no_security_software_exclusion(kb: KnowledgeBase) -> None:
    entry = _entry(kb, "msg-something-went-wrong-1001")
    assert not any("xclu" in s.en or "除外" in s.ja for s in _steps(entry))
    register = _index(entry.remediation, "Add-AppxPackage -Register")
    assert entry.remediation[register].kind == "change"
    assert "affected user" in entry.remediation[0].en and entry.remediation[0].kind == "record"


def test_0x80090016_secures_a_local_administrator_and_the_files_before_a_rejoin(kb: KnowledgeBase) -> None:
    steps = _entry(kb, "0x80090016").remediation
    rejoin = _index(steps, "rejoin the PC")
    before = " ".join(s.en for s in steps[:rejoin])
    assert "offline local administrator" in before and "back up the user's files" in before
    assert _index(steps, "remove and re-add") < rejoin  # the least invasive documented fix first


def test_0x80048823_is_the_password_lockout_and_0x80048824_the_bad_password_lockout(kb: KnowledgeBase) -> None:
    locked = _entry(kb, "0x80048823")
    assert locked.name == "PPCRL_REQUEST_E_PASSWORD_LOCKED_OUT"
    assert "too many wrong passwords" not in locked.meaning.en and "0x80048824" in locked.meaning.en
    assert _entry(kb, "0x80048824").name == "PPCRL_REQUEST_E_PASSWORD_LOCKED_OUT_BAD_PASSWORD_OR_HIP"


def test_0x80860007_is_locked_after_too_many_sign_in_attempts(kb: KnowledgeBase) -> None:
    entry = _entry(kb, "0x80860007")
    assert "too many attempts to sign in" in entry.meaning.en
    texts = entry.meaning.en + " ".join(c.text.en for c in entry.causes)
    assert "terms" not in texts and "unusual" not in texts


def test_0xC00484B2_says_no_microsoft_page_documents_it(kb: KnowledgeBase) -> None:
    entry = _entry(kb, "0xC00484B2")
    assert entry.confidence == "unconfirmed" and "no Microsoft source for this code" in entry.meaning.en
    assert not any("rejoin the device" in s.en for s in _steps(entry))


def test_0x80080005_registers_the_package_for_the_affected_user_not_an_elevated_one(kb: KnowledgeBase) -> None:
    steps = _entry(kb, "0x80080005").remediation
    register = steps[_index(steps, "Add-AppxPackage -Register")]
    assert "non-elevated session" in register.en and "registers it for that account" in register.en
    assert not register.en.rstrip(".").endswith("as administrator")


def test_country_code_message_has_microsofts_wording_and_no_region_or_wifi_advice(kb: KnowledgeBase) -> None:
    entry = _entry(kb, "msg-country-code-not-supported")
    assert "We don't support that country code" in entry.aliases
    steps = " ".join(s.en for s in _steps(entry))
    assert "Wi-Fi" not in steps and "region settings" not in steps.lower()
    assert kb.lookup("We don't support that country code. Use an email instead.").entry is entry


def test_number_already_used_offers_transfer_before_waiting_30_days(kb: KnowledgeBase) -> None:
    steps = _entry(kb, "msg-phone-number-already-used").remediation
    transfer, wait = _index(steps, "Transfer number"), _index(steps, "30 days")
    assert transfer < wait and "isn't offered" in steps[wait].en
    # the sign-up message "is already a Microsoft account" is its own entry now
    assert kb.lookup("0801234567 is already a Microsoft account").entry is _entry(kb, "msg-phone-already-a-microsoft-account")


def test_0x80860010_is_neutral_and_claims_no_waiting_time(kb: KnowledgeBase) -> None:
    entry = _entry(kb, "0x80860010")
    assert "引っかかり" not in entry.meaning.ja + " ".join(c.text.ja for c in entry.causes)
    steps = " ".join(s.en for s in entry.remediation)
    assert "hours" not in steps and "no fixed waiting time" in steps


def test_no_entry_cites_an_internal_id_or_an_activation_workaround(kb: KnowledgeBase) -> None:
    sources = {s for e in kb.entries for s in e.sources}
    assert "seed-article-ja" not in sources
    assert not any("Microsoft-Activation-Scripts" in s for s in sources)


def test_0x80070426_records_the_services_before_changing_them(kb: KnowledgeBase) -> None:
    steps = _entry(kb, "0x80070426").remediation
    assert [s.kind for s in steps] == ["record", "change"] and "Get-Service" in steps[0].en


def test_0x80190001_exports_the_firewall_rules_before_removing_one(kb: KnowledgeBase) -> None:
    rule = next(c for c in _entry(kb, "0x80190001").causes if c.id == "firewall_rule")
    assert [s.kind for s in rule.remediation] == ["record", "change"]
    assert "netsh advfirewall export" in rule.remediation[0].en


def test_0x8019019A_notes_the_account_before_removing_it(kb: KnowledgeBase) -> None:
    steps = _entry(kb, "0x8019019A").remediation
    assert [s.kind for s in steps] == ["record", "change"]


def test_0xCAA70004_shows_the_proxy_first_and_gives_no_loopback_exemption(kb: KnowledgeBase) -> None:
    steps = _entry(kb, "0xCAA70004").remediation
    assert steps[0].kind == "record" and "netsh winhttp show proxy" in steps[0].en
    importing = steps[_index(steps, "netsh winhttp import proxy")]
    assert importing.kind == "change" and "not a setup script (PAC)" in importing.en
    instructions = [s.en for s in _steps(_entry(kb, "0xCAA70004"))]
    assert not any("loopback exemption)" in s or "reach localhost" in s for s in instructions)


def test_0xCAA70007_asks_for_no_antivirus_exception(kb: KnowledgeBase) -> None:
    steps = " ".join(s.en for s in _steps(_entry(kb, "0xCAA70007")))
    assert "through the firewall and antivirus" not in steps and "administrator" in steps


def test_AADSTS50155_prepares_the_rejoin_and_leaves_it_to_the_administrator(kb: KnowledgeBase) -> None:
    steps = _entry(kb, "AADSTS50155").remediation
    assert steps[0].kind == "record" and "dsregcmd /status" in steps[0].en
    change = next(i for i, s in enumerate(steps) if s.kind == "change")
    assert "offline local administrator" in steps[change - 1].en


def test_0xCAA20003_records_the_time_status_before_changing_the_clock(kb: KnowledgeBase) -> None:
    steps = _entry(kb, "0xCAA20003").remediation
    assert [s.kind for s in steps] == ["record", "change"] and "w32tm /query /status" in steps[0].en


@pytest.mark.parametrize("entry_id", ["AADSTS53003", "msg-verification-code-not-delivered"])
def test_the_phone_country_is_no_cause_of_conditional_access_or_undelivered_codes(
    kb: KnowledgeBase, entry_id: str
) -> None:
    rules = {r for c in _entry(kb, entry_id).causes for r in c.rules}
    assert "region.phone_country_mismatch" not in rules
