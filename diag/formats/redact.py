"""Redact personal data from a diagnosis result before it is shown or shared.

Levels (``--redact``):

- ``none``: nothing changed; the report says so.
- ``standard`` (default): phone numbers masked ("+81 **-****-5678": the country code, a trunk 0 and
  the last four digits stay; diag.phone_mask, the same masker as `msdiag phone`) unless ``show_phone``; user names and the local
  part of e-mail addresses / UPNs replaced by stable placeholders ``user-1``, ``user-2`` ... The same
  person is the same placeholder everywhere: ``CONTOSO\\taro``, ``C:\\Users\\taro`` and
  ``taro@contoso.com`` all become ``user-1`` (the local name, case-insensitive, is the key).
- ``strict``: standard, plus IPv4/IPv6 addresses (``ip-1`` / ``ipv6-1``), computer names (``host-1``)
  and domain names (``domain-1``: the AD/DNS domain, workgroup, Entra tenant, e-mail domains,
  NetBIOS prefixes). Microsoft's own host names, consumer Microsoft mail domains, loopback and
  unspecified addresses and Microsoft's published sign-in IP ranges stay, because they are evidence,
  not personal data.

Every string in the result is visited (findings, evidence values, the capture's documents and raw
text, the phone input), in two passes: the first collects identities (from the typed facts and from
patterns found anywhere), the second replaces them, so a name is caught even where no pattern would
recognise it (an adapter called "taro's hotspot"). Placeholders are numbered in discovery order,
which is deterministic for a given capture, so golden files stay stable.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

import phonenumbers

from diag.capture.models import Capture, CheckResult
from diag.capture.names import (
    NAME_MARKERS,
    AccountSid,
    ComputerName,
    DomainName,
    NameMarker,
    PersonName,
    ServerSetting,
    SignedInUser,
    named_values,
    names_only,
)
from diag.capture.parse import Facts
from diag.checks import CHECKS, CHECKS_BY_NAME, DEFAULT_ENDPOINT_HOSTS, NAME_SOURCES
from diag.diagnosis.models import DiagnosisResult, StatusCounts
from diag.errors import InputError
from diag.phone_mask import PhoneMasker


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


# Names that are evidence, not personal data: never replaced.
MICROSOFT_SUFFIXES: tuple[str, ...] = (
    "microsoft.com",
    "live.com",
    "live.net",
    "microsoftonline.com",
    "msftauth.net",
    "msauth.net",
    "msftconnecttest.com",
    "windows.net",
    "windows.com",
    "windowsupdate.com",
    "outlook.com",
    "hotmail.com",
    "msn.com",
    "office.com",
    "office365.com",
    "office.net",
    "gfx.ms",
    "msidentity.com",
    "phonefactor.net",
    "digicert.com",
    "azure.com",
    "azureedge.net",
    "akamaiedge.net",
    "bing.com",
)
MICROSOFT_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("20.190.128.0/18", "40.126.0.0/18", "20.20.32.0/19", "20.231.128.0/19")
)
NOT_PERSONAL_USERS = frozenset(
    {
        "public",
        "default",
        "default user",
        "all users",
        "system",
        "local service",
        "network service",
        "administrator",
        "defaultaccount",
        "guest",
        "wdagutilityaccount",
    }
)
NOT_DOMAINS = frozenset(
    {
        "workgroup",
        "hkcu",
        "hklm",
        "hku",
        "hkcr",
        "hkcc",
        "software",
        "system",
        "hardware",
        "sam",
        "security",
        "nt authority",
        "nt service",
        "builtin",
        "microsoftaccount",
        "azuread",
        "window manager",
        "font driver host",
    }
)
MIN_BARE_NAME = 3  # shorter names are only replaced where a pattern (path, DOMAIN\, @) marks them

_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_PROFILE = re.compile(r"(?i)([A-Z]:\\Users\\)([^\\/:*?\"<>|\r\n]{1,64}?)(?=\\|$|[\s\"',;)])")
# DOMAIN\user, not preceded by a path separator or drive colon (so C:\Windows\System32 is no user).
_DOMAIN_USER = re.compile(r"(?<![\\\w:.$-])([A-Za-z][\w.-]{0,62}|NT AUTHORITY|NT SERVICE)\\([\w.$-]{1,64})")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%[\w.]+)?(?![\w:])")
# A password in a URL ("http://user:secret@proxy:8080") is a credential: masked at every level.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)([^/\s@]+)(@)")
_USER_SID = re.compile(r"\bS-1-5-21-\d+-\d+-\d+-\d+\b")


# ---------------------------------------------------------------- walking every string
def _walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


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


def _map_strings(value: Any, fn: Callable[[str], str], key: str | None = None) -> Any:
    if isinstance(value, str):
        return value if key in VOCABULARY_KEYS else fn(value)
    if isinstance(value, dict):
        return {
            (k if k in VOCABULARY_KEYS else fn(str(k))): _map_strings(v, fn, str(k)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_map_strings(v, fn, key) for v in value]
    return value


# ---------------------------------------------------------------- phone numbers (diag.phone_mask)
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


def redaction_inputs(capture: Capture) -> dict[str, CheckResult]:
    """The check results of ``capture`` that redaction learns names from: every check whose data
    holds names (from the check spec), reduced to its marked fields and probe errors. For callers
    that redact only a few strings of a result (the fleet report): redaction then finds the same
    typed names as in the whole result, walking far fewer strings.

    Not kept: the locale document, from which the whole result's redaction takes the regions the
    phone matcher reads national numbers with; international numbers and the national forms the
    fallback patterns know are masked without it."""
    kept: dict[str, CheckResult] = {}
    for name in NAME_SOURCES:
        outcome = capture.checks.get(name)
        if outcome is None:
            continue
        document = outcome.document
        if document is not None:
            data = names_only(CHECKS_BY_NAME[name].model, document.get("data"))
            document = {**document, "data": data}
        kept[name] = outcome.model_copy(update={"raw": None, "document": document})
    return kept


# ---------------------------------------------------------------- identities
def _is_microsoft_name(name: str) -> bool:
    lowered = name.lower().rstrip(".")
    if lowered in DEFAULT_ENDPOINT_HOSTS:
        return True
    return any(lowered == s or lowered.endswith("." + s) for s in MICROSOFT_SUFFIXES)


class Placeholders:
    """Stable name -> placeholder maps, numbered in the order names are found."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[str, str]] = {"user": {}, "sid": {}, "domain": {}, "host": {}}

    def add(self, kind: str, name: str | None) -> None:
        if not name:
            return
        name = name.strip()
        key = name.lower()
        if not key or key in self.maps[kind]:
            return
        if kind == "user" and key in NOT_PERSONAL_USERS:
            return
        if kind in ("domain", "host") and (key in NOT_DOMAINS or _is_microsoft_name(key) or len(key) < 2):
            return
        if any(key in other for k, other in self.maps.items() if k != kind):
            return  # already known as something else: first meaning wins
        self.maps[kind][key] = f"{kind}-{len(self.maps[kind]) + 1}"

    def get(self, kind: str, name: str) -> str | None:
        return self.maps[kind].get(name.lower())

    def lookup(self, name: str) -> str | None:
        for mapping in self.maps.values():
            if name.lower() in mapping:
                return mapping[name.lower()]
        return None


def _add_user_identity(names: Placeholders, value: str | None, strict: bool) -> None:
    """A DOMAIN\\user, MicrosoftAccount\\mail or UPN value from the typed facts."""
    if not value:
        return
    if "\\" in value:
        domain, _, user = value.partition("\\")
        if strict:
            names.add("domain", domain)
        value = user
    email = _EMAIL.fullmatch(value)
    if email:
        names.add("user", email.group(1))
        if strict:
            names.add("domain", email.group(2))
    else:
        names.add("user", value)


def _collect_emails(names: Placeholders, text: str, strict: bool) -> None:
    for m in _EMAIL.finditer(text):
        if not _is_microsoft_name(m.group(1) + "@" + m.group(2)) or "@" in m.group():
            names.add("user", m.group(1))
        if strict:
            names.add("domain", m.group(2))


def _collect_backslashed(names: Placeholders, text: str, strict: bool) -> None:
    for m in _PROFILE.finditer(text):
        names.add("user", m.group(2))
    for m in _DOMAIN_USER.finditer(text):
        domain, user = m.group(1), m.group(2)
        if domain.lower() in NOT_DOMAINS and domain.lower() not in ("microsoftaccount", "azuread"):
            continue
        if _EMAIL.fullmatch(user) is None:
            names.add("user", user)
        if strict:
            names.add("domain", domain)


_SERVER_IN_TEXT = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s;=]*@)?\[?([A-Za-z0-9.-]+|[0-9a-fA-F:]+)\]?(?::\d+)?"
)


_DOTTED_NUMBER = re.compile(r"[\d.]+")


def _server_names(value: str | None) -> list[str]:
    """Host names in a value that names servers (a ServerSetting): "h:8080", "http=h:p;https=h2:p",
    "http://u@h:p/x", "<local>;*.corp;intranet.corp.example", "time.corp.example,0x9"."""
    if not value:
        return []
    found = []
    for part in re.split(r"[;,\s]+", value):
        part = part.split("=", 1)[1] if re.match(r"^[a-z]+=", part) else part
        m = _SERVER_IN_TEXT.match(part)
        if m is None:
            continue
        if part.startswith("."):
            continue  # a domain suffix in a bypass list (".corp.example"): domain redaction's job
        name = m.group(1).strip(".")
        # IP addresses (and bypass wildcards such as "192.168.*") are strict's IP redaction's job;
        # bare words ("<local>", "localhost") are no host names.
        if "." in name and not _DOTTED_NUMBER.fullmatch(name) and not _is_microsoft_name(name):
            found.append(name)
    return found


def _typed_names(facts: Facts) -> dict[NameMarker, list[str]]:
    """Every marked value of every check that holds names (diag.capture.names), by marker.

    Generic on purpose: a field marked in diag/capture/models.py is collected here without naming
    it, so a new check (or field) that holds a name cannot be forgotten by redaction."""
    found: dict[NameMarker, list[str]] = {marker: [] for marker in NAME_MARKERS}
    for check in CHECKS:
        if not check.holds_names:
            continue
        data = facts.data(check.model)
        if data is not None:
            for marker, value in named_values(data):
                found[marker].append(value)
    return found


def _collect(result: DiagnosisResult, data: dict[str, Any], strict: bool) -> Placeholders:
    names = Placeholders()
    typed = _typed_names(Facts(result.capture))
    # Typed facts first, people before machines: the signed-in user is user-1, this machine
    # host-1, its domain domain-1; then the organisation's own servers (proxy, PAC, VPN, NTP ...).
    for value in typed[SignedInUser] + typed[PersonName]:
        _add_user_identity(names, value, strict)
    for value in typed[AccountSid]:
        names.add("sid", value)
    if strict:
        for value in typed[ComputerName]:
            names.add("host", value)
        if not _IPV4.fullmatch(result.capture.host.strip()):
            first_label = result.capture.host.split(".")[0]
            names.add("host", result.capture.host if "." not in result.capture.host else first_label)
            if "." in result.capture.host:
                names.add("domain", result.capture.host.split(".", 1)[1])
        for value in typed[DomainName]:
            names.add("domain", value)
        for value in typed[ServerSetting]:
            for server in _server_names(value):
                names.add("host", server)
    # Then patterns anywhere in the result.
    texts = list(_walk_strings(data))
    for text in texts:
        # Each pattern needs a literal ("@", a backslash, "S-1-5-21-"): checking for it first skips
        # the regex scans on most strings (same names found, in the same order).
        if "@" in text:
            _collect_emails(names, text, strict)
        if "\\" in text:
            _collect_backslashed(names, text, strict)
        if "S-1-5-21-" in text:
            for m in _USER_SID.finditer(text):
                names.add("sid", m.group())
    if strict and names.maps["domain"]:
        # A name under a known domain ("HD-WS-0042.corp.contoso.co.jp") is a computer: replaced whole.
        domains = "|".join(re.escape(d) for d in sorted(names.maps["domain"], key=len, reverse=True))
        fqdn = re.compile(rf"(?<![\w.-])((?:[A-Za-z0-9-]+\.)+(?:{domains}))(?![\w-])", re.IGNORECASE)
        for text in texts:
            for m in fqdn.finditer(text):
                names.add("host", m.group(1))
    return names


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
                (bare if len(name) >= MIN_BARE_NAME else contextual).append(name)
        self._bare = self._alternation(bare, bounded=True)
        self._contextual = self._alternation(contextual, bounded=True) if contextual else None

    @staticmethod
    def _alternation(names: list[str], *, bounded: bool) -> re.Pattern[str] | None:
        if not names:
            return None
        ordered = sorted(set(names), key=len, reverse=True)  # longest first: "taro.yamada" before "taro"
        body = "|".join(re.escape(n) for n in ordered)
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

        text = _PROFILE.sub(profile, text)
        text = _DOMAIN_USER.sub(domain_user, text)
        return _EMAIL.sub(email, text)

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
            text = _IPV4.sub(self._replace_ip, text)
            text = _IPV6.sub(self._replace_ip, text)
        text = self._replace_contextual(text)
        if self._bare is not None:
            text = self._bare.sub(self._replace_name, text)
        return text


def _redactor(result: DiagnosisResult, data: dict[str, Any], strict: bool, show_phone: bool) -> TextRedactor:
    names = _collect(result, data, strict)
    phone: PhoneMasker | None = None
    if not show_phone:
        regions, known = _phone_context(result, Facts(result.capture))
        phone = PhoneMasker(regions, known)
    return TextRedactor(names, strict, phone)


def text_redactor(
    result: DiagnosisResult, level: Redaction | str, *, show_phone: bool = False
) -> Callable[[str], str]:
    """The function :func:`redact` applies to each string of ``result``, for callers that show only
    a few of its strings (the fleet report): redacting just those costs far less than the whole.

    Not for strict: there IP addresses are numbered in the order :func:`redact` meets them, so
    one string's replacement depends on the strings before it."""
    level = parse_redaction(level)
    if level is Redaction.STRICT:
        raise ValueError("text_redactor does not support strict redaction; use redact()")
    if level is Redaction.NONE:
        return strip_url_credentials
    return _redactor(result, result.model_dump(mode="json", by_alias=True), False, show_phone)


def redact(result: DiagnosisResult, level: Redaction | str, *, show_phone: bool = False) -> DiagnosisResult:
    """A copy of ``result`` with personal data replaced at ``level``; records the level applied."""
    level = parse_redaction(level)
    if level is Redaction.NONE:
        data = _map_strings(result.model_dump(mode="json", by_alias=True), strip_url_credentials)
        data["redaction"] = Redaction.NONE.value
        data["phone_shown"] = True
        return DiagnosisResult.model_validate(data)
    strict = level is Redaction.STRICT
    data = result.model_dump(mode="json", by_alias=True)
    redactor = _redactor(result, data, strict, show_phone)
    redacted = _map_strings(data, redactor)
    redacted["redaction"] = level.value
    redacted["phone_shown"] = show_phone
    return DiagnosisResult.model_validate(redacted)


def redact_capture(capture: Capture, level: Redaction | str) -> Capture:
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
    redacted = redact(wrapper, level).capture
    return redacted.model_copy(update={"redaction": level.value})
