"""The collector stage: one interface for every way msdiag gets a capture, one way to assemble it.

A :class:`Collector` turns a selection of checks into a :class:`~msdiag.capture.models.Capture`:
the local runner (``msdiag.collectors.local.LocalCollector``), the remote collector
(``msdiag.collectors.remote.RemoteCollector``) and saved files (``msdiag.collectors.capture_file.
CaptureFile``). Each of them builds its capture with :func:`assemble_capture` (or, for a saved
file's own envelope, :func:`check_results`), so what a check that did not run or did not report
looks like is decided here, once: every known check appears, none that did not run or did not
finish is ever ``ok`` (an unfinished one is ``not_run``, and the diagnosis is then incomplete), and
whose per-user facts the capture holds is recorded once (``user_context``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Literal, Protocol, runtime_checkable

from msdiag import __version__

# NOT_REPORTED: the collectors' reason for a check cut short, defined with the envelope
from msdiag.capture.envelope import NOT_REPORTED as NOT_REPORTED
from msdiag.capture.envelope import Capture, CheckResult, CheckStatus
from msdiag.capture.models import ConnectionInfo, HostState, HostStatus, PowerShellInfo
from msdiag.capture.user_context import context_of_documents
from msdiag.checks import CHECK_NAMES

CaptureMode = Literal["local", "remote", "exported-script", "lab", "other"]

#: Reasons a check is missing from a scan, as they appear in captures and reports.
NOT_SELECTED = "not selected"
NOT_IN_CAPTURE = "not in this capture"
#: A capture holds at most this many warnings (the model's bound).
MAX_WARNINGS = 64


@runtime_checkable
class Collector(Protocol):
    """Collects one capture of the given checks.

    Raises :class:`~msdiag.errors.InputError` for bad arguments and
    :class:`~msdiag.errors.CollectionError` only when there is nothing to capture at all (no
    PowerShell); a host that is down, slow or hostile is a capture whose ``host_status`` says so.
    """

    @property
    def description(self) -> str:
        """What is being collected from, for progress lines and logs (never a secret)."""
        ...

    def collect(self, checks: Sequence[str]) -> Capture:
        """Run (or read) ``checks``; every known check is in the capture, the others not_run."""
        ...


def utc_now() -> str:
    """The capture's ``collected_utc``: now, to the second, with a Z."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def not_selected() -> CheckResult:
    return CheckResult(status=CheckStatus.NOT_RUN, reason=NOT_SELECTED)


def not_reported() -> CheckResult:
    """A selected check the runner never reported on: the scan ended before it finished (not run)."""
    return CheckResult(status=CheckStatus.NOT_RUN, reason=NOT_REPORTED)


def did_not_run(state: HostState) -> CheckResult:
    """A selected check the scan never got to, because the host failed first."""
    return CheckResult(status=CheckStatus.NOT_RUN, reason=f"the scan did not run ({state.value})")


def check_results(
    reported: Mapping[str, CheckResult],
    *,
    selected: Collection[str] | None,
    missing: CheckResult,
) -> dict[str, CheckResult]:
    """Every known check in the spec's order: not selected, what it reported, else ``missing``.

    ``selected`` None means every check was asked for (a saved capture or runner transcript).
    """
    out: dict[str, CheckResult] = {}
    for name in CHECK_NAMES:
        if selected is not None and name not in selected:
            out[name] = not_selected()
        elif name in reported:
            out[name] = reported[name]
        else:
            out[name] = missing.model_copy()
    return out


def assemble_capture(
    *,
    host: str,
    mode: CaptureMode,
    collected_utc: str,
    host_status: HostStatus,
    reported: Mapping[str, CheckResult],
    selected: Collection[str] | None,
    missing: CheckResult,
    duration_ms: int | None = None,
    powershell: PowerShellInfo | None = None,
    connection: ConnectionInfo | None = None,
    warnings: Iterable[str] = (),
    msdiag_version: str | None = __version__,
) -> Capture:
    """The capture envelope around :func:`check_results` (warnings bounded to the model's limit)."""
    checks = check_results(reported, selected=selected, missing=missing)
    documents = [(name, r.document) for name, r in checks.items() if r.document is not None]
    user_context, disagreements = context_of_documents(documents)
    return Capture(
        msdiag_version=msdiag_version,
        host=host,
        mode=mode,
        collected_utc=collected_utc,
        duration_ms=duration_ms,
        powershell=powershell,
        connection=connection,
        host_status=host_status,
        checks=checks,
        warnings=[*disagreements, *warnings][:MAX_WARNINGS],
        user_context=user_context,
    )
