"""The capture: what one scan collected from one host, and how untrusted check output is parsed."""

from diag.capture.models import (
    CHECK_DATA_MODELS,
    Capture,
    CheckDocument,
    CheckResult,
    CheckStatus,
    HostState,
    HostStatus,
)
from diag.capture.parse import Facts, parse_check_output, validate_document

__all__ = [
    "CHECK_DATA_MODELS",
    "Capture",
    "CheckDocument",
    "CheckResult",
    "CheckStatus",
    "Facts",
    "HostState",
    "HostStatus",
    "parse_check_output",
    "validate_document",
]
