"""Turn untrusted check output into validated documents and typed facts.

A check's output is untrusted: non-JSON, truncated, the wrong shape or hostile. Each failure makes
that one check ``error`` with the reason and the raw text kept (bounded), never a crash and never a
silently dropped value.
"""

from __future__ import annotations

import json
from typing import Any, Generic, Literal, TypeVar, overload

from pydantic import ValidationError

from msdiag.capture import models as m
from msdiag.capture.models import Capture, CheckDocument, CheckResult, CheckStatus, Model, ProbeError
from msdiag.capture.user_context import AccountRef, UserContext
from msdiag.checks import CHECK_NAMES, CHECKS_BY_NAME, Check, check_for_model
from msdiag.json_bounds import JsonBoundsError, load_bounded, replace_surrogates

RAW_LIMIT = 262144  # characters of raw output kept for a check that failed validation
MAX_DOCUMENT_CHARS = 4 * 1024 * 1024  # a check document larger than this is refused unparsed

M = TypeVar("M", bound=Model)


def _brief(exc: ValidationError, limit: int = 5) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"... and {more} more")
    return "; ".join(parts)


def _error(reason: str, raw: str | None) -> CheckResult:
    return CheckResult(
        status=CheckStatus.ERROR, reason=reason[:4096], raw=None if raw is None else raw[:RAW_LIMIT]
    )


def validate_document(
    document: Any, expected_check: str | None = None, raw: str | None = None
) -> CheckResult:
    """Validate one check document (already decoded from JSON) and its data against the models."""
    if raw is None:
        try:
            raw = json.dumps(document, ensure_ascii=False)
        except (TypeError, ValueError):
            raw = repr(document)
    if not isinstance(document, dict):
        return _error(f"not a JSON object (got {type(document).__name__})", raw)
    try:
        doc = CheckDocument.model_validate(document)
    except ValidationError as exc:
        return _error(f"invalid check document: {_brief(exc)}", raw)
    spec = CHECKS_BY_NAME.get(doc.check)
    if spec is None:
        return _error(
            f"invalid check document: check: {doc.check[:64]!r} is not a known check "
            f"({', '.join(CHECK_NAMES)})",
            raw,
        )
    if expected_check is not None and doc.check != expected_check:
        return _error(f"document is for check {doc.check!r}, expected {expected_check!r}", raw)
    model = spec.model
    try:
        model.model_validate(doc.data)
    except ValidationError as exc:
        return _error(f"invalid data for check {doc.check!r}: {_brief(exc)}", raw)
    dumped = doc.model_dump(mode="json")
    if dumped.get("user_context") is None:
        dumped.pop("user_context", None)
    try:
        read_native_text(spec, dumped)
    except ValidationError as exc:  # a parser's result that does not fit the model: a bug, kept visible
        return _error(f"invalid data read from {doc.check!r}'s program output: {_brief(exc)}", raw)
    return CheckResult(status=CheckStatus.OK, document=dumped)


def check_built_document(document: dict[str, Any], check: str) -> str | None:
    """Why a check document msdiag built itself is invalid, None when it is valid: the checks of
    :func:`validate_document` (the envelope, then the check's data model) without its normalising
    copy, for a document of plain JSON values with no native text to read (the compact format's
    expansion, 100,000 times in an ingest; a test holds both to the same documents)."""
    try:
        doc = CheckDocument.model_validate(document)
        if doc.check != check:
            return f"document is for check {doc.check!r}, expected {check!r}"
        CHECKS_BY_NAME[check].model.model_validate(doc.data)
    except ValidationError as exc:
        return _brief(exc)
    return None


def read_native_text(spec: Check, document: dict[str, Any]) -> None:
    """Fill the facts msdiag reads from a native program's raw text (the spec's ``native``), in place.

    The raw text wins over whatever the producer put in the parsed field: it is what the program
    printed. A layout the parser does not know leaves the field null and adds a probe error.
    """
    data = document["data"]
    for native in spec.native:
        raw = data.get(native.raw)
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            continue
        output = m.NativeOutput.model_validate(raw)
        parsed = native.parse(output.text) if output.text.strip() else None
        if parsed is None:
            data[native.into] = None
            what = "printed nothing" if not output.text.strip() else "printed text msdiag does not recognise"
            document.setdefault("errors", []).append(
                {"probe": native.raw, "message": f"{output.command} {what} (kept in {native.raw})", "category": "failed"}
            )
        else:
            data[native.into] = parsed.model_dump(mode="json")
    if spec.native:
        spec.model.model_validate(data)


def parse_check_output(text: str, expected_check: str | None = None) -> tuple[str | None, CheckResult]:
    """Parse one check's printed output. Returns (check name if known, result)."""
    if len(text) > MAX_DOCUMENT_CHARS:
        return expected_check, _error(f"output too large ({len(text)} characters)", text)
    text = replace_surrogates(text)
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        return expected_check, _error("the check printed nothing", text)
    try:
        document = load_bounded(stripped, max_chars=MAX_DOCUMENT_CHARS)
    except json.JSONDecodeError as exc:
        return expected_check, _error(f"not valid JSON ({exc.msg} at character {exc.pos})", text)
    except JsonBoundsError as exc:  # the documented bounds (docs/capture-format.md, Bounds)
        return expected_check, _error(f"refused: {exc}", text)
    name = document.get("check") if isinstance(document, dict) else None
    check = expected_check or (name if isinstance(name, str) and name in CHECKS_BY_NAME else None)
    return check, validate_document(document, expected_check, raw=text)


Whose = Literal["machine", "interactive_user", "session_account", "unknown"]


def _covers(paths: tuple[str, ...], path: str) -> bool:
    return any(path == p or path.startswith(p + ".") for p in paths)


class CheckData(Generic[M]):
    """``facts.os``: the data of the check ``model`` describes (a shorthand for ``facts.data(model)``)."""

    def __init__(self, model: type[M]) -> None:
        self.model = model

    @overload
    def __get__(self, facts: None, owner: type[Facts]) -> CheckData[M]: ...

    @overload
    def __get__(self, facts: Facts, owner: type[Facts] | None = None) -> M | None: ...

    def __get__(self, facts: Facts | None, owner: type[Facts] | None = None) -> CheckData[M] | M | None:
        return self if facts is None else facts.data(self.model)


class Facts:
    """Typed, read-only view of a capture's validated check data, for rules and reports.

    ``facts.data(OsData)`` is any check's data, typed by its model (the check spec says which
    check a model belongs to); None when the check has no data. ``facts.os`` ... are shorthands
    for the first nine checks; a new check needs none. ``facts.whose(check, path)`` says whose a
    per-user fact is (msdiag.capture.user_context).
    """

    os = CheckData(m.OsData)
    locale = CheckData(m.LocaleData)
    time = CheckData(m.TimeData)
    proxy = CheckData(m.ProxyData)
    network = CheckData(m.NetworkData)
    endpoints = CheckData(m.EndpointsData)
    services = CheckData(m.ServicesData)
    tls = CheckData(m.TlsData)
    identity = CheckData(m.IdentityData)

    def __init__(self, capture: Capture) -> None:
        self.capture = capture
        self._cache: dict[str, Model | None] = {}

    def status(self, check: str) -> CheckStatus:
        result = self.capture.checks.get(check)
        return result.status if result is not None else CheckStatus.NOT_RUN

    def reason(self, check: str) -> str:
        """Why a check has no data, for not_collected findings."""
        result = self.capture.checks.get(check)
        if result is None:
            return f"the {check} check is not in this capture"
        if result.status is CheckStatus.OK:
            return ""
        return (
            f"the {check} check {result.status.value.replace('_', ' ')}: {result.reason or 'no reason given'}"
        )

    @overload
    def data(self, model: type[M], /) -> M | None: ...

    @overload
    def data(self, check: str, model: type[M], /) -> M | None: ...

    def data(self, check: str | type[M], model: type[M] | None = None, /) -> M | None:
        """The data of the check ``model`` describes (or of ``check``, read as ``model``)."""
        if not isinstance(check, str):
            model, check = check, check_for_model(check).name
        if model is None:
            raise TypeError(f"Facts.data({check!r}) needs the data model to read it as")
        if check not in self._cache:
            result = self.capture.checks.get(check)
            value: Model | None = None
            if result is not None and result.status is CheckStatus.OK and result.document is not None:
                try:
                    value = model.model_validate(result.document.get("data", {}))
                except ValidationError:
                    value = None
            self._cache[check] = value
        cached = self._cache[check]
        return cached if isinstance(cached, model) else None

    def _document(self, check: str) -> dict[str, Any] | None:
        result = self.capture.checks.get(check)
        return None if result is None else result.document

    def probe_errors(self, check: str) -> list[ProbeError]:
        document = self._document(check)
        out = []
        for item in (document or {}).get("errors", []):
            try:
                out.append(ProbeError.model_validate(item))
            except ValidationError:
                continue
        return out

    def collected_utc(self, check: str) -> str | None:
        value = (self._document(check) or {}).get("collected_utc")
        return value if isinstance(value, str) else None

    # ------------------------------------------------------------ whose per-user facts these are
    @property
    def user_context(self) -> UserContext | None:
        return self.capture.user_context

    def whose(self, check: str, path: str) -> Whose:
        """Whose fact ``path`` (dotted, no indices: ``dsregcmd.azure_ad_prt``) of ``check`` is.

        ``machine``: not a per-user fact; ``unknown``: the capture does not say (made before msdiag
        recorded it: rules treat it as they always did); else the signed-in user's, or the account
        the scan ran as (a session-only fact read by another account, or nobody signed in).
        """
        spec = CHECKS_BY_NAME[check]
        if not _covers(spec.per_user, path):
            return "machine"
        context = self.capture.user_context
        if context is None or context.chosen_by == "unknown":
            return "unknown"
        if _covers(spec.session_only, path):
            return "interactive_user" if context.session_is_interactive_user else "session_account"
        return "interactive_user" if context.interactive_user is not None else "session_account"

    def read_as_another_account(self, check: str, path: str) -> AccountRef | None:
        """The scan's account when ``path`` of ``check`` is its fact and not the signed-in user's."""
        context = self.capture.user_context
        if context is None or self.whose(check, path) != "session_account":
            return None
        return context.session_account or AccountRef()
