"""Redact personal data from a diagnosis result before it is shown or shared.

Levels (``--redact``):

- ``none``: nothing changed; the report says so.
- ``standard`` (default): phone numbers masked ("+81 **-****-5678": the country code, a trunk 0 and
  the last four digits stay; msdiag.phone_mask, the masker `msdiag phone` uses too) unless
  ``show_phone``; user names and the local part of e-mail addresses / UPNs replaced by stable placeholders ``user-1``, ``user-2`` ... The same
  person is the same placeholder everywhere: ``CONTOSO\\taro``, ``C:\\Users\\taro`` and
  ``taro@contoso.com`` all become ``user-1`` (the local name, case-insensitive, is the key).
- ``strict``: standard, plus IPv4/IPv6 addresses (``ip-1`` / ``ipv6-1``), computer names and the
  organisation's servers (``host-1``: every data-model field marked ComputerName or ServerSetting)
  and domain names (``domain-1``: the AD/DNS domain, workgroup, Entra tenant, e-mail domains,
  NetBIOS prefixes). Microsoft's own host names, consumer Microsoft mail domains, loopback and
  unspecified addresses and Microsoft's published sign-in IP ranges stay, because they are evidence,
  not personal data.

Every string in the result is visited (findings, evidence values, the capture's documents and raw
text, the phone input), in two passes: the first collects identities (msdiag.formats.identities: from
the marked fields of the typed facts and from patterns found anywhere), the second replaces them, so a name is caught even where no pattern would
recognise it (an adapter called "taro's hotspot"). Placeholders are numbered in discovery order,
which is deterministic for a given capture, so golden files stay stable.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

import phonenumbers

from msdiag.capture.models import Capture
from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import DiagnosisResult, StatusCounts
from msdiag.errors import InputError
from msdiag.formats.host_text import Path, text_kind
from msdiag.formats.identities import (
    CJK,
    DOMAIN_USER,
    EMAIL,
    IPV4,
    IPV6,
    MICROSOFT_NETWORKS,
    MIN_BARE_NAME,
    PROFILE_PATH,
    Placeholders,
    collect_names,
)
from msdiag.formats.identities import redaction_inputs as redaction_inputs
from msdiag.phone_mask import PhoneMasker


class Redaction(str, Enum):
    NONE = "none"
    STANDARD = "standard"
    STRICT = "strict"


def parse_redaction(value: str | Redaction) -> Redaction:
    try:
        return Redaction(value)
    except ValueError:
        raise InputError(
            f"unknown redaction level {value!r}: use one of {', '.join(r.value for r in Redaction)}"
        ) from None


# A password in a URL ("http://user:secret@proxy:8080") is a credential: masked at every level.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)([^/\s@]+)(@)")


# Fields whose values come from a fixed vocabulary (enums, literals, ids): never rewritten, so a user
# who happens to be called "high" or "remote" cannot break the result's structure.
VOCABULARY_KEYS = frozenset(
    {
        "status",
        "severity",
        "verdict",
        "format",
        "mode",
        "state",
        "category",
        "check",
        "a",
        "b",
        "source",
        "transport",
        "redaction",
        "id",
        "rules",
        "findings",
        "checks",
        "cause_id",
        "related_codes",
        "rank",
        "entry_id",
        "confidence",
        "number_type",
        "collected_utc",
        "schema_version",
        "msdiag_version",
    }
)


def _map_strings(
    value: Any, host: Callable[[str], str], product: Callable[[str], str], path: Path = ()
) -> Any:
    """``value`` with each string replaced: host text by ``host``, product text by ``product``
    (msdiag.formats.host_text.text_kind draws the line); vocabulary fields stay as they are."""
    if isinstance(value, str):
        if path and path[-1] in VOCABULARY_KEYS:
            return value
        return host(value) if text_kind(path) != "product" else product(value)
    if isinstance(value, dict):
        fn = host if text_kind(path) != "product" else product
        return {
            (k if k in VOCABULARY_KEYS else fn(str(k))): _map_strings(v, host, product, (*path, str(k)))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_map_strings(v, host, product, (*path, i)) for i, v in enumerate(value)]
    return value


# ---------------------------------------------------------------- phone numbers (msdiag.phone_mask)
def _phone_context(result: DiagnosisResult, facts: Facts) -> tuple[list[str], list[str]]:
    regions: list[str] = []
    known: list[str] = []
    if result.phone is not None:
        if result.phone.region:
            regions.append(result.phone.region.upper())
        digits = re.sub(r"\D", "", result.phone.input)
        if digits:
            known.append(digits)
            known.append(digits.lstrip("0"))
        if result.phone.e164:
            try:
                number = phonenumbers.parse(result.phone.e164, None)
                known.append(phonenumbers.national_significant_number(number))
            except phonenumbers.NumberParseException:
                pass
    locale = facts.locale
    if locale is not None:
        if locale.home_location is not None and locale.home_location.iso2:
            regions.append(locale.home_location.iso2.upper())
        if locale.culture is not None and locale.culture.name and "-" in locale.culture.name:
            regions.append(locale.culture.name.rsplit("-", 1)[-1].upper())
    valid = [r for r in dict.fromkeys(regions) if r in phonenumbers.SUPPORTED_REGIONS][:3]
    return valid, known


def strip_url_credentials(text: str) -> str:
    """Mask the password part of URLs; applied at every redaction level, "none" included."""
    return _URL_PASSWORD.sub(r"\1****\3", text)


class TextRedactor:
    """Replace every known identity (and, strict, every IP address) in one string."""

    def __init__(self, names: Placeholders, strict: bool, phone: PhoneMasker | None) -> None:
        self.names = names
        self.strict = strict
        self.phone = phone
        self.ip_names: dict[str, str] = {}
        contextual: list[str] = []
        bare: list[str] = []
        for mapping in names.maps.values():
            for name in mapping:
                (bare if len(name) >= MIN_BARE_NAME or CJK.search(name) else contextual).append(name)
        self._bare = self._alternation(bare, bounded=True)
        self._contextual = self._alternation(contextual, bounded=True) if contextual else None

    @staticmethod
    def _alternation(names: list[str], *, bounded: bool) -> re.Pattern[str] | None:
        if not names:
            return None
        ordered = sorted(set(names), key=len, reverse=True)  # longest first: "taro.yamada" before "taro"
        # a Japanese name matches with or without spaces between its characters (「鈴木 花子」)
        body = "|".join("[ \u3000]?".join(map(re.escape, n)) if CJK.search(n) else re.escape(n) for n in ordered)
        # ASCII word characters and hyphens bound a name; CJK names match anywhere.
        # "%40" is a URL-encoded "@" (user%40domain in proxy URLs): the domain after it is a name too.
        return re.compile(rf"(?:(?<![A-Za-z0-9_-])|(?<=%40))(?:{body})(?![A-Za-z0-9_-])", re.IGNORECASE)

    def _replace_name(self, match: re.Match[str]) -> str:
        return self.names.lookup(match.group()) or match.group()

    def _replace_contextual(self, text: str) -> str:
        """Short names only where a pattern marks them as a user or domain."""
        if self._contextual is None:
            return text

        def profile(m: re.Match[str]) -> str:
            return m.group(1) + (self.names.get("user", m.group(2)) or m.group(2))

        def domain_user(m: re.Match[str]) -> str:
            domain = self.names.lookup(m.group(1)) if self.strict else None
            return f"{domain or m.group(1)}\\{self.names.get('user', m.group(2)) or m.group(2)}"

        def email(m: re.Match[str]) -> str:
            domain = self.names.get("domain", m.group(2)) if self.strict else None
            return f"{self.names.get('user', m.group(1)) or m.group(1)}@{domain or m.group(2)}"

        text = PROFILE_PATH.sub(profile, text)
        text = DOMAIN_USER.sub(domain_user, text)
        return EMAIL.sub(email, text)

    def _replace_ip(self, match: re.Match[str]) -> str:
        raw = match.group()
        try:
            address = ipaddress.ip_address(raw.split("%", 1)[0])
        except ValueError:
            return raw
        if address.is_loopback or address.is_unspecified:
            return raw
        if any(address in net for net in MICROSOFT_NETWORKS):
            return raw
        key = str(address)
        if key not in self.ip_names:
            kind = "ip" if address.version == 4 else "ipv6"
            count = sum(1 for v in self.ip_names.values() if v.startswith(kind + "-"))
            self.ip_names[key] = f"{kind}-{count + 1}"
        return self.ip_names[key]

    def __call__(self, text: str) -> str:
        text = strip_url_credentials(text)
        if self.phone is not None:
            text = self.phone(text)
        if self.strict:
            text = IPV4.sub(self._replace_ip, text)
            text = IPV6.sub(self._replace_ip, text)
        text = self._replace_contextual(text)
        if self._bare is not None:
            text = self._bare.sub(self._replace_name, text)
        return text


def _redactor(
    result: DiagnosisResult, data: dict[str, Any], strict: bool, show_phone: bool, accounts: Sequence[str]
) -> TextRedactor:
    names = collect_names(result, data, strict, accounts)
    phone: PhoneMasker | None = None
    if not show_phone:
        regions, known = _phone_context(result, Facts(result.capture))
        phone = PhoneMasker(regions, known)
    return TextRedactor(names, strict, phone)


def _unchanged(text: str) -> str:
    return text


def text_redactor(
    result: DiagnosisResult, level: Redaction | str, *, show_phone: bool = False, accounts: Sequence[str] = ()
) -> Callable[[str], str]:
    """The function :func:`redact` applies to each host string of ``result``, for callers that
    show only a few of its strings (the fleet report): redacting just those costs far less than
    the whole. (Product text holds none of the names it replaces, so it is safe on titles too.)

    Not for strict: there IP addresses are numbered in the order :func:`redact` meets them, so
    one string's replacement depends on the strings before it."""
    level = parse_redaction(level)
    if level is Redaction.STRICT:
        raise ValueError("text_redactor does not support strict redaction; use redact()")
    if level is Redaction.NONE:
        return strip_url_credentials
    return _redactor(result, result.model_dump(mode="json", by_alias=True), False, show_phone, accounts)


def redact(
    result: DiagnosisResult, level: Redaction | str, *, show_phone: bool = False, accounts: Sequence[str] = ()
) -> DiagnosisResult:
    """A copy of ``result`` with personal data replaced at ``level``; records the level applied.

    What came from the host is redacted, msdiag's own text is not (msdiag.formats.identities.
    text_kind); ``accounts``: the accounts msdiag scanned with (--username), replaced like the
    host's users wherever host text names them."""
    level = parse_redaction(level)
    data = result.model_dump(mode="json", by_alias=True)
    if level is Redaction.NONE:
        data = _map_strings(data, strip_url_credentials, strip_url_credentials)
        data["redaction"] = Redaction.NONE.value
        data["phone_shown"] = True
        return DiagnosisResult.model_validate(data)
    strict = level is Redaction.STRICT
    redactor = _redactor(result, data, strict, show_phone, accounts)
    # product text (steps, notes) quotes the phone number only: a phone finding's "Enter it as ..."
    redacted = _map_strings(data, redactor, redactor.phone or _unchanged)
    redacted["redaction"] = level.value
    redacted["phone_shown"] = show_phone
    return DiagnosisResult.model_validate(redacted)


def redact_capture(capture: Capture, level: Redaction | str, *, accounts: Sequence[str] = ()) -> Capture:
    """A capture with personal data replaced at ``level``, for saving or sharing it.

    Uses the same names and placeholders as a report of that capture would (the capture is
    wrapped in an empty diagnosis so one mechanism serves both); the rules read no user names,
    so a capture saved at "standard" diagnoses the same. Records the level in ``redaction``."""
    level = parse_redaction(level)
    wrapper = DiagnosisResult(
        msdiag_version=capture.msdiag_version or "",
        verdict="incomplete",
        counts=StatusCounts(),
        findings=[],
        capture=capture,
    )
    redacted = redact(wrapper, level, accounts=accounts).capture
    return redacted.model_copy(update={"redaction": level.value})
