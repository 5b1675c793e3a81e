"""The error-code knowledge base: loads entries/*.toml, validates them, and answers lookups."""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from msdiag.diagnosis.models import DecodedHresult
from msdiag.errors import InputError
from msdiag.knowledge.hresult import (
    MAX_INPUT_CHARS,
    ParsedCode,
    decode_hresult,
    find_embedded_code,
    message_key,
    normalize_input,
    parse_code,
)
from msdiag.knowledge.models import Cause, Entry

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable

    import tomllib
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

    import tomli as tomllib

SUPPORTED_FORMAT_VERSIONS = frozenset({1})
_CANONICAL_CODE = re.compile(r"0x[0-9A-F]{8}|AADSTS\d{4,7}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Shortest alias key we index: shorter ones would match unrelated sentences.
_MIN_ALIAS_KEY = 4
#: A query that is only part of a message must be this long to count (non-ASCII carries more per char).
_MIN_PARTIAL_ASCII = 10
_MIN_PARTIAL_OTHER = 4


class KnowledgeBaseError(InputError):
    """A knowledge-base file is malformed: names the file and the problem."""


@dataclass(frozen=True)
class Lookup:
    """What `KnowledgeBase.lookup` found for one user-reported code or message."""

    query: str  # as given
    normalized: str  # canonical code ("0x800704CF", "AADSTS50079") or the NFKC-normalised text
    entry: Entry | None  # None = msdiag has no entry (decoded may still explain the code)
    decoded: DecodedHresult | None  # set for HRESULT/NTSTATUS codes
    matched_by: str = "code"  # "code", "message" or "embedded_code"


class KnowledgeBase:
    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries: list[Entry] = []  # sorted by id
        self._by_id: dict[str, Entry] = {}
        self._by_code: dict[str, Entry] = {}
        self._by_alias: dict[str, Entry] = {}
        # rule id -> the (entry, cause) pairs and the entries that name it, in entry id order: built
        # as entries are added, since the engine asks once per finding of every host
        self._by_rule: dict[str, list[tuple[Entry, Cause]]] = {}
        self._entries_by_rule: dict[str, list[Entry]] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> None:
        """Index one entry; KnowledgeBaseError when its id, a code or an alias is already taken."""
        self._index(entry)
        self.entries.append(entry)
        self.entries.sort(key=lambda e: e.id)
        for cause in entry.causes:
            for rule_id in dict.fromkeys(cause.rules):
                links = self._by_rule.setdefault(rule_id, [])
                links.append((entry, cause))
                links.sort(key=lambda link: link[0].id)  # stable: an entry's causes keep their order
                linked = self._entries_by_rule.setdefault(rule_id, [])
                if not any(e is entry for e in linked):
                    linked.append(entry)
                    linked.sort(key=lambda e: e.id)

    # -- loading -----------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path | None = None) -> KnowledgeBase:
        """Load and validate every *.toml in `directory` (default: the packaged entries)."""
        root: Traversable = directory if directory is not None else _packaged_entries()
        if directory is not None and not directory.is_dir():
            raise KnowledgeBaseError(f"knowledge base directory not found: {directory}")
        files = sorted((f for f in root.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
        if not files:
            raise KnowledgeBaseError(f"no knowledge base files (*.toml) in {root}")
        kb = cls()
        for file in files:
            for entry in _load_file(file):
                try:
                    kb.add(entry)
                except KnowledgeBaseError as exc:
                    raise KnowledgeBaseError(f"knowledge base file {file.name}: {exc.message}") from exc
        return kb

    @staticmethod
    @cache
    def default() -> KnowledgeBase:
        """The packaged knowledge base, loaded once per process."""
        return KnowledgeBase.load()

    def _index(self, entry: Entry) -> None:
        if entry.id in self._by_id:
            raise KnowledgeBaseError(f"duplicate knowledge base entry id {entry.id!r}")
        self._by_id[entry.id] = entry
        for code in entry.codes:
            if not _CANONICAL_CODE.fullmatch(code):
                raise KnowledgeBaseError(
                    f"entry {entry.id}: code {code!r} is not canonical (0x + 8 upper-case hex digits, "
                    "or AADSTS + digits)"
                )
            if code in self._by_code:
                raise KnowledgeBaseError(
                    f"code {code} is in two entries: {self._by_code[code].id} and {entry.id}"
                )
            self._by_code[code] = entry
        for alias in entry.aliases:
            key = message_key(alias)
            if len(key) < _MIN_ALIAS_KEY:
                raise KnowledgeBaseError(f"entry {entry.id}: alias {alias!r} is too short to match safely")
            owner = self._by_alias.get(key)
            if owner is not None:
                raise KnowledgeBaseError(f"alias {alias!r} is in two entries: {owner.id} and {entry.id}")
            self._by_alias[key] = entry
        if not _ISO_DATE.fullmatch(entry.last_verified):
            raise KnowledgeBaseError(
                f"entry {entry.id}: last_verified {entry.last_verified!r} is not YYYY-MM-DD"
            )

    # -- queries -----------------------------------------------------------------------------

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or the entry owning this canonical code."""
        return self._by_id.get(entry_id) or self._by_code.get(entry_id)

    def entries_for_rule(self, rule_id: str) -> list[Entry]:
        """Entries with a cause that `rule_id` confirms: the codes a failing rule typically produces."""
        return list(self._entries_by_rule.get(rule_id, ()))

    def causes_for_rule(self, rule_id: str) -> list[tuple[Entry, Cause]]:
        """Every (entry, cause) whose cause `rule_id` confirms (fail/warn) or rules out (pass)."""
        return list(self._by_rule.get(rule_id, ()))

    def linked_rules(self) -> set[str]:
        """Every rule id some cause links to."""
        return set(self._by_rule)

    def unknown_rule_links(self, known: Collection[str]) -> list[tuple[str, str, str]]:
        """(entry id, cause id, rule id) for every cause that names a rule id not in ``known``."""
        return [
            (entry.id, cause.id, rule_id)
            for rule_id in sorted(set(self._by_rule) - set(known))
            for entry, cause in self._by_rule[rule_id]
        ]

    def lookup(self, text: str) -> Lookup:
        """Resolve a code or message as a user reports it; InputError when it is neither."""
        if len(text) > MAX_INPUT_CHARS:
            raise InputError(
                f"the error text is {len(text)} characters long; give the code or the message itself "
                f"(at most {MAX_INPUT_CHARS} characters), e.g. 0x800704CF"
            )
        normalized = normalize_input(text)
        if not normalized:
            raise InputError("no error code given: pass a code like 0x800704CF or the message text")
        parsed = parse_code(normalized)
        if parsed is not None:
            return self._code_lookup(text, parsed, "code")
        exact = self._by_alias.get(message_key(normalized))
        if exact is not None:
            return Lookup(text, normalized, exact, None, "message")
        embedded = find_embedded_code(normalized)
        if embedded is not None:
            return self._code_lookup(text, embedded, "embedded_code")
        partial = self._partial_message_match(message_key(normalized))
        if partial is not None:
            return Lookup(text, normalized, partial, None, "message")
        shown = normalized if len(normalized) <= 60 else normalized[:57] + "..."
        raise InputError(
            f"{shown!r} is neither an error code (like 0x800704CF, 800704cf, -2147023665, CAA70007, "
            "AADSTS50079) nor a message msdiag knows; run `msdiag codes` to list the knowledge base"
        )

    def search(self, text: str) -> list[Entry]:
        """Entries whose code, name, aliases or meaning (en or ja) contain the text."""
        key = message_key(text)
        if not key:
            return []
        return [e for e in self.entries if key in message_key(_searchable(e))]

    def _code_lookup(self, query: str, parsed: ParsedCode, matched_by: str) -> Lookup:
        decoded = decode_hresult(parsed.value) if parsed.value is not None else None
        return Lookup(query, parsed.canonical, self._by_code.get(parsed.canonical), decoded, matched_by)

    def _partial_message_match(self, key: str) -> Entry | None:
        # Prefer the longest alias found inside the query ("Something went wrong [1001] ..." -> the
        # [1001] entry, not the generic one); else a long-enough query inside one alias.
        best: tuple[int, Entry] | None = None
        for alias_key, entry in self._by_alias.items():
            if _contains_words(key, alias_key) and (best is None or len(alias_key) > best[0]):
                best = (len(alias_key), entry)
        if best is not None:
            return best[1]
        minimum = _MIN_PARTIAL_ASCII if key.isascii() else _MIN_PARTIAL_OTHER
        if len(key) < minimum:
            return None
        for alias_key, entry in sorted(self._by_alias.items(), key=lambda item: len(item[0])):
            # the query may leave words out of the message, never its code ("[1001]"): a generic
            # "エラーが発生しました" is not the [1001] entry
            if _contains_words(alias_key, key) and _numbers(alias_key) <= _numbers(key):
                return entry
        return None


def _contains_words(haystack: str, needle: str) -> bool:
    """Substring test that does not cut ASCII words ("code" is not in "codes"); CJK has no words."""
    start = r"(?<![a-z0-9])" if needle[0].isascii() and needle[0].isalnum() else ""
    end = r"(?![a-z0-9])" if needle[-1].isascii() and needle[-1].isalnum() else ""
    return re.search(start + re.escape(needle) + end, haystack) is not None


def _numbers(key: str) -> set[str]:
    return set(re.findall(r"\d+", key))


def _searchable(entry: Entry) -> str:
    parts = [entry.id, entry.name, *entry.codes, *entry.aliases, entry.meaning.en, entry.meaning.ja]
    return " | ".join(parts)


def _packaged_entries() -> Traversable:
    return resources.files("msdiag.knowledge").joinpath("entries")


def _load_file(file: Traversable) -> list[Entry]:
    try:
        data: dict[str, Any] = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeBaseError(f"knowledge base file {file.name} cannot be read: {exc}") from exc
    version = data.get("format_version")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        raise KnowledgeBaseError(
            f"knowledge base file {file.name}: format_version {version!r} is not supported "
            f"(supported: {sorted(SUPPORTED_FORMAT_VERSIONS)})"
        )
    unknown = set(data) - {"format_version", "entries"}
    if unknown:
        raise KnowledgeBaseError(f"knowledge base file {file.name}: unknown keys {sorted(unknown)}")
    raw_entries = data.get("entries", [])
    if not isinstance(raw_entries, list):
        raise KnowledgeBaseError(f"knowledge base file {file.name}: 'entries' must be an array of tables")
    entries: list[Entry] = []
    for index, raw in enumerate(raw_entries):
        try:
            entries.append(Entry.model_validate(raw))
        except ValidationError as exc:
            label = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
            raise KnowledgeBaseError(f"knowledge base file {file.name}, entry {label}: {exc}") from exc
    return entries
