"""Turn untrusted check output into validated documents and typed facts.

A check's output is untrusted: non-JSON, truncated, the wrong shape or hostile. Each failure makes
that one check ``error`` with the reason and the raw text kept (bounded), never a crash and never a
silently dropped value.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, overload

from pydantic import ValidationError

from msdiag.capture.models import (
    Capture,
    CheckDocument,
    CheckResult,
    CheckStatus,
    EndpointsData,
    IdentityData,
    LocaleData,
    Model,
    NetworkData,
    OsData,
    ProbeError,
    ProxyData,
    ServicesData,
    TimeData,
    TlsData,
)
from msdiag.checks import CHECK_NAMES, CHECKS_BY_NAME, check_for_model
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
    return CheckResult(status=CheckStatus.OK, document=doc.model_dump(mode="json"))


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


class Facts:
    """Typed, read-only view of a capture's validated check data, for rules and reports.

    ``facts.data(OsData)`` is any check's data, typed by its model (the check spec says which
    check a model belongs to); None when the check has no data. The properties (``facts.os`` ...)
    are shorthands for the first nine checks; a new check needs none.
    """

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

    def probe_errors(self, check: str) -> list[ProbeError]:
        result = self.capture.checks.get(check)
        if result is None or result.document is None:
            return []
        out = []
        for item in result.document.get("errors", []):
            try:
                out.append(ProbeError.model_validate(item))
            except ValidationError:
                continue
        return out

    def collected_utc(self, check: str) -> str | None:
        result = self.capture.checks.get(check)
        if result is None or result.document is None:
            return None
        value = result.document.get("collected_utc")
        return value if isinstance(value, str) else None

    # Shorthands for the bundled checks (tests/capture/test_check_spec.py keeps each one's name equal
    # to its model's check). New code may use facts.data(Model) instead.
    @property
    def os(self) -> OsData | None:
        return self.data(OsData)

    @property
    def locale(self) -> LocaleData | None:
        return self.data(LocaleData)

    @property
    def time(self) -> TimeData | None:
        return self.data(TimeData)

    @property
    def proxy(self) -> ProxyData | None:
        return self.data(ProxyData)

    @property
    def network(self) -> NetworkData | None:
        return self.data(NetworkData)

    @property
    def endpoints(self) -> EndpointsData | None:
        return self.data(EndpointsData)

    @property
    def services(self) -> ServicesData | None:
        return self.data(ServicesData)

    @property
    def tls(self) -> TlsData | None:
        return self.data(TlsData)

    @property
    def identity(self) -> IdentityData | None:
        return self.data(IdentityData)
