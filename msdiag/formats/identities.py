"""Which names of people and infrastructure a diagnosis result holds, and their placeholders.

Redaction (msdiag.formats.redact) replaces names in two passes; this is the first: collect every
identity, from the typed facts (every data-model field marked in msdiag.capture.names, so no field
is named here) and from patterns found anywhere (e-mail addresses, ``DOMAIN\\user``, profile
paths, user SIDs), and number each kind in discovery order (user-1, host-1, domain-1 ...).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Any

from msdiag.capture.models import Capture, CheckResult
from msdiag.capture.names import (
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
from msdiag.capture.parse import Facts
from msdiag.checks import CHECKS, CHECKS_BY_NAME, DEFAULT_ENDPOINT_HOSTS, NAME_SOURCES
from msdiag.diagnosis.models import DiagnosisResult

# host text and product text live in msdiag.formats.host_text; callers import them from here
from msdiag.formats.host_text import Path as Path
from msdiag.formats.host_text import host_strings as host_strings
from msdiag.formats.host_text import text_kind as text_kind
from msdiag.formats.host_text import walk_strings as walk_strings

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

EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
PROFILE_PATH = re.compile(r"(?i)([A-Z]:\\Users\\)([^\\/:*?\"<>|\r\n]{1,64}?)(?=\\|$|[\s\"',;)])")
# DOMAIN\user, not preceded by a path separator or drive colon (so C:\Windows\System32 is no user).
DOMAIN_USER = re.compile(r"(?<![\\\w:.$-])([A-Za-z][\w.-]{0,62}|NT AUTHORITY|NT SERVICE)\\([\w.$-]{1,64})")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%[\w.]+)?(?![\w:])")
USER_SID = re.compile(r"\bS-1-5-21-\d+-\d+-\d+-\d+\b")
# Japanese characters (kana, kanji, the iteration mark); a Japanese name is matched anywhere
CJK = re.compile("[\u3005\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A device named after its owner: 「鈴木花子のiPhone」, 「鈴木 花子のPC」, "Taro's iPhone",
# "Hanako Suzuki’s MacBook" (the way iOS, Android and Windows name devices and hotspots).
_DEVICES = (
    "iPhone|iPad|iPod|Android|Galaxy|Pixel|Xperia|AQUOS|arrows|Surface|MacBook|iMac|Mac|PC|Laptop|"
    "Desktop|Notebook|Computer|Phone|Tablet|Hotspot|Watch|AirPods"
)
# a Japanese name: kanji, katakana, the iteration mark (not hiragana: 「お使いのPC」 is "your PC")
_JA_NAME = "[\u3005\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff]{2,10}"
OWNED_DEVICE = re.compile(
    rf"({_JA_NAME}(?:[ \u3000]{_JA_NAME})?|[A-Za-z][A-Za-z.-]{{1,30}})"
    rf"の(?i:{_DEVICES}|パソコン|ノート|スマホ|携帯|タブレット)"
    rf"|\b([A-Z][a-z]{{1,20}}(?: [A-Z][a-z]{{1,20}})?)['\u2019]s (?i:{_DEVICES})\b"
)
# Companies and words that own devices in product names, not people ("Microsoft's PC Manager")
NOT_OWNERS = frozenset(
    {"microsoft", "windows", "apple", "google", "samsung", "my", "your", "the", "this", "user", "guest"}
    | {"利用", "使用", "会社", "自分", "個人", "家族", "共有", "管理者", "組織", "学校", "職場", "社内", "自宅"}
    | {"業務", "仕事", "社用", "私用", "新規", "既存", "対象", "現在", "ゲスト", "ユーザー", "メイン", "サブ"}
)


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
def is_microsoft_name(name: str) -> bool:
    lowered = name.lower().rstrip(".")
    if lowered in DEFAULT_ENDPOINT_HOSTS:
        return True
    return any(lowered == s or lowered.endswith("." + s) for s in MICROSOFT_SUFFIXES)


def name_key(name: str) -> str:
    """How a name is looked up: case-insensitive; a Japanese name without its spaces (「鈴木 花子」
    and 「鈴木花子」 are one person)."""
    key = name.strip().lower()
    return re.sub(r"[\s\u3000]+", "", key) if CJK.search(key) else key


class Placeholders:
    """Stable name -> placeholder maps, numbered in the order names are found."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[str, str]] = {"user": {}, "sid": {}, "domain": {}, "host": {}}

    def add(self, kind: str, name: str | None) -> None:
        if not name:
            return
        key = name_key(name)
        if not key or key in self.maps[kind]:
            return
        if kind == "user" and key in NOT_PERSONAL_USERS:
            return
        if kind in ("domain", "host") and (key in NOT_DOMAINS or is_microsoft_name(key) or len(key) < 2):
            return
        if any(key in other for k, other in self.maps.items() if k != kind):
            return  # already known as something else: first meaning wins
        self.maps[kind][key] = f"{kind}-{len(self.maps[kind]) + 1}"

    def get(self, kind: str, name: str) -> str | None:
        return self.maps[kind].get(name_key(name))

    def lookup(self, name: str) -> str | None:
        key = name_key(name)
        for mapping in self.maps.values():
            if key in mapping:
                return mapping[key]
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
    email = EMAIL.fullmatch(value)
    if email:
        names.add("user", email.group(1))
        if strict:
            names.add("domain", email.group(2))
    else:
        names.add("user", value)


def _collect_emails(names: Placeholders, text: str, strict: bool) -> None:
    for m in EMAIL.finditer(text):
        if not is_microsoft_name(m.group(1) + "@" + m.group(2)) or "@" in m.group():
            names.add("user", m.group(1))
        if strict:
            names.add("domain", m.group(2))


def _collect_owners(names: Placeholders, text: str) -> None:
    """People whose name a device carries (「鈴木花子のiPhone」, "Taro's iPhone")."""
    for m in OWNED_DEVICE.finditer(text):
        owner = m.group(1) or m.group(2)
        if owner and owner.lower() not in NOT_OWNERS:
            names.add("user", owner)


def _collect_backslashed(names: Placeholders, text: str, strict: bool) -> None:
    for m in PROFILE_PATH.finditer(text):
        names.add("user", m.group(2))
    for m in DOMAIN_USER.finditer(text):
        domain, user = m.group(1), m.group(2)
        if domain.lower() in NOT_DOMAINS and domain.lower() not in ("microsoftaccount", "azuread"):
            continue
        if EMAIL.fullmatch(user) is None:
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
        if "." in name and not _DOTTED_NUMBER.fullmatch(name) and not is_microsoft_name(name):
            found.append(name)
    return found


def _typed_names(facts: Facts) -> dict[NameMarker, list[str]]:
    """Every marked value of every check that holds names (msdiag.capture.names), by marker.

    Generic on purpose: a field marked in msdiag/capture/models.py is collected here without naming
    it, so a new check (or field) that holds a name cannot be forgotten by redaction."""
    found: dict[NameMarker, list[str]] = {marker: [] for marker in NAME_MARKERS}
    for check in CHECKS:
        if not check.holds_names:
            continue
        data = facts.data(check.model)
        if data is not None:
            for marker, value in named_values(data):
                found[marker].append(value)
    if facts.user_context is not None:  # the capture's record of whose facts they are (accounts, SIDs)
        for marker, value in named_values(facts.user_context):
            found[marker].append(value)
    return found


def collect_names(
    result: DiagnosisResult, data: dict[str, Any], strict: bool, accounts: Sequence[str] = ()
) -> Placeholders:
    """Every identity in the host text of ``data`` (a dumped ``result``), numbered; ``accounts``:
    the accounts msdiag itself used to scan (--username), masked wherever they appear."""
    names = Placeholders()
    typed = _typed_names(Facts(result.capture))
    # Typed facts first, people before machines: the signed-in user is user-1, this machine
    # host-1, its domain domain-1; then the organisation's own servers (proxy, PAC, VPN, NTP ...).
    for value in typed[SignedInUser] + typed[PersonName]:
        _add_user_identity(names, value, strict)
    for value in accounts:
        _add_user_identity(names, value, strict)
    for value in typed[AccountSid]:
        names.add("sid", value)
    if strict:
        for value in typed[ComputerName]:
            names.add("host", value)
        if not IPV4.fullmatch(result.capture.host.strip()):
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
    texts = host_strings(data)
    for text in texts:
        # Each pattern needs a literal ("@", a backslash, "S-1-5-21-"): checking for it first skips
        # the regex scans on most strings (same names found, in the same order).
        if "@" in text:
            _collect_emails(names, text, strict)
        if "\\" in text:
            _collect_backslashed(names, text, strict)
        if "の" in text or "s " in text:
            _collect_owners(names, text)
        if "S-1-5-21-" in text:
            for m in USER_SID.finditer(text):
                names.add("sid", m.group())
    if strict and names.maps["domain"]:
        # A name under a known domain ("HD-WS-0042.corp.contoso.co.jp") is a computer: replaced whole.
        domains = "|".join(re.escape(d) for d in sorted(names.maps["domain"], key=len, reverse=True))
        fqdn = re.compile(rf"(?<![\w.-])((?:[A-Za-z0-9-]+\.)+(?:{domains}))(?![\w-])", re.IGNORECASE)
        for text in texts:
            for m in fqdn.finditer(text):
                names.add("host", m.group(1))
    return names
