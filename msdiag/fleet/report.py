"""Aggregate a fleet results file into a fleet report: counts, failure signatures, per-host rows.

The results file is streamed: each record is diagnosed, redacted and reduced to a small HostRow
before the next is read, so a 10,000-host file needs only the rows in memory, not the captures.
Hosts are grouped by failure signature (the sorted set of failing finding ids) so one cause that
affects 300 machines reads as one line.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from msdiag import __version__
from msdiag.capture.models import Capture, HostState
from msdiag.diagnosis.models import SEVERITY_ORDER, DiagnosisResult, Finding, Localized, Status, StatusCounts
from msdiag.fleet.models import FleetRecord, FleetTarget
from msdiag.fleet.report_pool import Share, pooled_rows, workers_for
from msdiag.fleet.results import ReadReport
from msdiag.fleet.sources import MergeNote, Place, is_newer, iter_placed_records, started_at
from msdiag.fleet.stored_diagnosis import Diagnose, default_diagnose
from msdiag.formats.redact import Redaction, parse_redaction, redact, redaction_inputs, text_redactor
from msdiag.gc_tuning import batch_collection

FLEET_REPORT_VERSION = 1
NOT_SCANNED = "not_scanned"


@dataclass(frozen=True)
class HostFinding:
    """A fail or warn finding of one host, as the drill-down shows it (already redacted)."""

    id: str
    status: str
    title_en: str
    title_ja: str
    detail_en: str | None
    detail_ja: str | None


@dataclass
class HostRow:
    name: str  # the host as the report shows it (a placeholder under strict redaction)
    state: str  # HostState value
    verdict: str  # fail / warn / pass / incomplete, or not_scanned when the host state is not ok
    failing: tuple[str, ...]
    warning: tuple[str, ...]
    duration_ms: int
    detail: str | None = None  # why the host could not be scanned (redacted)
    hint: str | None = None
    findings: list[HostFinding] = field(default_factory=list)
    index: int = 0  # 1-based position in the results files (msdiag.fleet.sources numbering)
    report: str | None = None  # relative link to this host's single-host report, when written
    insecure: bool = False  # collected without certificate validation (--insecure)
    #: where its record is (msdiag.fleet.sources.Place): the host reports read only these lines
    place: tuple[int, int] | None = None


@dataclass
class FindingCount:
    id: str
    title_en: str
    title_ja: str
    fail: int = 0
    warn: int = 0


@dataclass
class Signature:
    """Hosts with the same failing findings: one group, one fix."""

    findings: tuple[str, ...]
    hosts: list[str]
    #: (finding id, its title) of each failing finding, most severe first
    titles: list[tuple[str, Localized]] = field(default_factory=list)
    #: do this first: the fixes of its findings (the rules' own steps), most severe first
    fix: list[Localized] = field(default_factory=list)


@dataclass
class FleetReport:
    source: str
    redaction: str
    msdiag_version: str
    hosts: list[HostRow]
    by_state: dict[str, int]
    by_verdict: dict[str, int]
    by_finding: list[FindingCount]  # most hosts failing first
    signatures: list[Signature]  # largest group first
    problems: list[str]  # bad or torn lines of the results file
    host_reports_written: int = 0  # single-host reports linked from the HTML (see host_reports)
    host_reports_total: int = 0  # hosts that would have one without the cap
    sources: list[str] = field(default_factory=list)  # the results files' names
    merged: MergeNote | None = None  # set when several files were read

    @property
    def insecure_hosts(self) -> int:
        """Hosts collected without certificate validation (--insecure)."""
        return sum(1 for row in self.hosts if row.insecure)

    @property
    def unscanned(self) -> int:
        return sum(n for state, n in self.by_state.items() if state != HostState.OK.value)

    @property
    def hosts_failing(self) -> int:
        return self.by_verdict.get("fail", 0)


def _stored_result(record: FleetRecord) -> DiagnosisResult | None:
    """The diagnosis stored with the record, when this msdiag version wrote it."""
    stored = record.diagnosis
    if stored is None or stored.msdiag_version != __version__:
        return None
    return DiagnosisResult(
        msdiag_version=__version__,
        verdict=stored.verdict,
        counts=StatusCounts(),  # not shown by the fleet report
        findings=stored.findings,
        capture=record.capture,
    )


def _unscanned_result(capture: Capture) -> DiagnosisResult:
    """A result with no findings, so redaction treats a failed host's capture like any other."""
    return DiagnosisResult(
        msdiag_version=__version__, verdict="incomplete", counts=StatusCounts(), findings=[], capture=capture
    )


def _shown_part(result: DiagnosisResult) -> DiagnosisResult:
    """Only what the fleet report shows, plus what redaction reads to learn whose names to hide.

    Redacting a whole result (every string of every check document, each through the phone
    number matcher) costs about 0.3 s per host: an hour at 10,000 hosts. The fleet report shows
    the fail/warn findings' titles and details, the host status and the host name; redaction
    still sees what its placeholders come from: ``redaction_inputs`` keeps every check whose data
    holds names (derived from the check spec), so it masks what a single-host report masks."""
    checks = redaction_inputs(result.capture)
    findings = [
        finding.model_copy(update={"evidence": [], "remediation": []})
        for finding in result.findings
        if finding.status in (Status.FAIL, Status.WARN)
    ]
    return result.model_copy(
        update={
            "findings": findings,
            "errors": [],
            "capture": result.capture.model_copy(update={"checks": checks}),
        }
    )


def target_label(target: FleetTarget) -> str:
    """How a report names a host: its inventory name, else its address (with a non-default port,
    so that several hosts behind one address, such as lab hosts, stay apart)."""
    if target.name:
        return target.name
    if target.port is not None and target.port not in (5985, 5986):
        return f"{target.host}:{target.port}"
    return target.host


def host_row(
    record: FleetRecord, index: int, level: Redaction, diagnose: Diagnose, *, use_stored: bool = False,
    accounts: Sequence[str] = (), place: Place | None = None,
) -> HostRow:
    """Diagnose (when the host was scanned) and redact one record down to its report row.

    ``use_stored``: take the diagnosis stored at scan time when it is this version's (same engine,
    same capture), instead of running every rule again."""
    capture = record.capture
    scanned = capture.host_status.state == HostState.OK
    full = (_stored_result(record) if use_stored else None) if scanned else None
    if full is None:
        full = diagnose(capture) if scanned else _unscanned_result(capture)
    # the scanning account (--username, the inventory's) is masked like the host's own users
    used = [*accounts, *([record.target.username] if record.target.username else [])]
    if level is Redaction.STRICT:
        # strict numbers IP addresses in the order it meets them: redact the shown part whole
        redacted = redact(_shown_part(full), level, accounts=used)
        findings = [_host_finding(f, _same) for f in redacted.findings if f.status in _SHOWN]
        status = redacted.capture.host_status
        detail, hint = status.detail, status.hint
    else:
        # the same string function redact() would apply to the shown part, on only the strings the
        # report shows; made when the first one needs it (a healthy host shows none)
        text = _FirstUse(lambda: text_redactor(_shown_part(full), level, accounts=used))
        findings = [_host_finding(f, text) for f in full.findings if f.status in _SHOWN]
        status = full.capture.host_status
        detail = text(status.detail) if status.detail is not None else None
        hint = text(status.hint) if status.hint is not None else None
    name = f"host-{index:05d}" if level == Redaction.STRICT else target_label(record.target)
    return HostRow(
        name=name,
        state=capture.host_status.state.value,
        verdict=full.verdict if scanned else NOT_SCANNED,
        failing=tuple(sorted(f.id for f in findings if f.status == Status.FAIL.value)),
        warning=tuple(sorted(f.id for f in findings if f.status == Status.WARN.value)),
        duration_ms=record.duration_ms,
        detail=detail,
        hint=hint,
        findings=findings,
        index=index,
        insecure=_insecure(capture),
        place=place,
    )


def _insecure(capture: Capture) -> bool:
    """Collected with --insecure, or over HTTPS without validating the host's certificate."""
    connection = capture.connection
    if connection is None:
        return False
    return connection.insecure or (connection.transport == "https" and not connection.cert_validation)


_SHOWN = (Status.FAIL, Status.WARN)


def _same(text: str) -> str:
    return text


class _FirstUse:
    """A string function built by ``make`` when it is first called."""

    def __init__(self, make: Callable[[], Callable[[str], str]]) -> None:
        self._make = make
        self._function: Callable[[str], str] | None = None

    def __call__(self, text: str) -> str:
        if self._function is None:
            self._function = self._make()
        return self._function(text)


def _host_finding(finding: Finding, text: Callable[[str], str]) -> HostFinding:
    return HostFinding(
        id=finding.id,
        status=finding.status.value,
        title_en=text(finding.title.en),
        title_ja=text(finding.title.ja),
        detail_en=text(finding.detail.en) if finding.detail else None,
        detail_ja=text(finding.detail.ja) if finding.detail else None,
    )


def build_fleet_report(
    paths: Path | Sequence[Path],
    redaction: Redaction | str = Redaction.STANDARD,
    diagnose: Diagnose | None = None,
    accounts: Sequence[str] = (),
) -> FleetReport:
    """Read, diagnose and aggregate one or several results files (redaction applied to every host).

    Several files are merged: a host in more than one keeps its newest record (msdiag.fleet.sources).
    With the default engine, a record's diagnosis stored at scan time (same msdiag version) is
    used instead of diagnosing its capture again; a ``diagnose`` given here is always run."""
    files = [paths] if isinstance(paths, Path) else list(paths)
    level = parse_redaction(redaction)
    use_stored = diagnose is None
    read = ReadReport()
    newest: dict[str, tuple[datetime | None, int, HostRow]] = {}
    repeated: set[str] = set()
    titles: dict[str, tuple[str, str]] = {}
    workers = workers_for(files) if use_stored else 1
    with batch_collection():  # a row per host, 100,000 times: see msdiag.gc_tuning
        rows = (pooled_rows(_share_rows, partial(_numbered, level), files, level, tuple(accounts), workers, read)
                if workers > 1 else _rows(files, level, diagnose, accounts, read))
        for index, key, started, make_row in rows:
            kept = newest.get(key)
            if kept is not None:
                repeated.add(key)
                if not is_newer(started, index, kept[0], kept[1]):
                    continue
            row = make_row()
            for finding in row.findings:
                titles.setdefault(finding.id, (finding.title_en, finding.title_ja))
            newest[key] = (started, index, row)  # the row, not the record: memory stays per host
    hosts = sorted((row for _, _, row in newest.values()), key=lambda row: row.index)
    source = files[0].name if len(files) == 1 else f"{len(files)} results files"
    report = _aggregate(source, level.value, hosts, titles, read.problems)
    report.sources = [path.name for path in files]
    if len(files) > 1:
        report.merged = MergeNote(files=len(files), hosts=len(hosts), repeated=len(repeated))
    return report


Rows = Iterator[tuple[int, str, datetime | None, Callable[[], HostRow]]]


def _rows(files: Sequence[Path], level: Redaction, diagnose: Diagnose | None, accounts: Sequence[str],
          read: ReadReport) -> Rows:
    """(index, host key, scan start, its row) of every record in order; the row is made when
    asked for (an older record of a host never is)."""
    make = _row_maker(level, diagnose, accounts)
    for index, (place, record) in enumerate(iter_placed_records(files, read), start=1):
        yield index, record.target.key, started_at(record), partial(make, record, index, place)


def _row_maker(level: Redaction, diagnose: Diagnose | None, accounts: Sequence[str]) -> Callable[[FleetRecord, int, Place], HostRow]:
    use_stored = diagnose is None
    engine = diagnose or default_diagnose()
    shared: dict[tuple[object, ...], HostRow] = {}

    def make(record: FleetRecord, index: int, place: Place) -> HostRow:
        same = _same_output(record, level) if use_stored else None
        if same in shared:
            return _reused(shared[same], record, index, place)
        row = host_row(record, index, level, engine, use_stored=use_stored, accounts=accounts, place=place)
        if same is not None and len(shared) < SHARED_ROWS_MAX:
            shared[same] = row
        return row

    return make


def _share_rows(files: list[Path], redaction: str, accounts: tuple[str, ...], workers: int, share: int) -> Share[HostRow]:
    """The rows of the records on one share's lines (share 0 in this process, the others in worker
    processes: msdiag.fleet.report_pool); numbered when the shares are merged."""
    level = parse_redaction(redaction)
    make = _row_maker(level, None, accounts)
    read = ReadReport()
    placed: list[tuple[Place, str]] = []
    owned = partial(_owns, workers, share)
    records = iter_placed_records(files, read, owned=owned, line_notes=share == 0, placed=placed)
    rows = [(place, record.target.key, started_at(record), make(record, 0, place)) for place, record in records]
    return Share(rows, placed, read.records, read.duplicates)


def _owns(workers: int, share: int, place: Place) -> bool:
    return place[1] % workers == share


def _numbered(level: Redaction, row: HostRow, index: int) -> HostRow:
    name = f"host-{index:05d}" if level is Redaction.STRICT else row.name
    return dataclasses.replace(row, index=index, name=name)


SHARED_ROWS_MAX = 4096
_PLAIN_HOST = re.compile(r"^[A-Za-z0-9._-]{1,255}$")


def _same_output(record: FleetRecord, level: Redaction) -> tuple[object, ...] | None:
    """Which records share this one's report row but for its name, index and duration.

    `msdiag ingest` gives records read from the same engine output the same ``output_sha256``:
    their captures and stored diagnoses are the same but for the capture's host name (a compact
    line names no device), and a fleet repeats a few hundred outputs across 100,000 devices. A
    host name of letters, digits, dots and dashes holds nothing redaction learns a name from
    (standard and none; strict numbers names per host, so it reduces each host itself)."""
    source, stored = record.source, record.diagnosis
    if source is None or source.output_sha256 is None or level is Redaction.STRICT:
        return None
    if stored is None or stored.msdiag_version != __version__:
        return None
    host = record.capture.host
    if not _PLAIN_HOST.match(host) or "S-1-5-21-" in host.upper():
        return None
    return (source.output_sha256, record.target.username, stored.verdict, len(stored.findings))


def _reused(row: HostRow, record: FleetRecord, index: int, place: Place) -> HostRow:
    return dataclasses.replace(row, name=target_label(record.target), index=index, duration_ms=record.duration_ms,
                               report=None, place=place)


def _aggregate(
    source: str, redaction: str, hosts: list[HostRow], titles: dict[str, tuple[str, str]], problems: list[str]
) -> FleetReport:
    by_state = Counter(row.state for row in hosts)
    by_verdict = Counter(row.verdict for row in hosts)
    counts: dict[str, FindingCount] = {}
    groups: dict[tuple[str, ...], list[str]] = {}
    for row in hosts:
        for finding_id in row.failing:
            counts.setdefault(finding_id, FindingCount(finding_id, *titles[finding_id])).fail += 1
        for finding_id in row.warning:
            counts.setdefault(finding_id, FindingCount(finding_id, *titles[finding_id])).warn += 1
        if row.failing:
            groups.setdefault(row.failing, []).append(row.name)
    signatures = [Signature(key, names, *_group_texts(key, titles)) for key, names in groups.items()]
    signatures.sort(key=lambda s: (-len(s.hosts), s.findings))
    by_finding = sorted(counts.values(), key=lambda c: (-c.fail, -c.warn, c.id))
    return FleetReport(
        source=source,
        redaction=redaction,
        msdiag_version=__version__,
        hosts=hosts,
        by_state=dict(sorted(by_state.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_verdict=dict(sorted(by_verdict.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_finding=by_finding,
        signatures=signatures,
        problems=problems,
    )


FIX_MAX_STEPS = 6


def _fix_steps(steps: Sequence[Localized]) -> list[Localized]:
    """A finding's fix: its steps up to its first change of the machine (so the step that records
    the current state comes along, as the safety policy orders them), else its first step."""
    for n, step in enumerate(steps):
        if getattr(step, "kind", "advice") == "change":
            return list(steps[: n + 1])
    return list(steps[:1])


def _group_texts(
    finding_ids: tuple[str, ...], titles: dict[str, tuple[str, str]]
) -> tuple[list[tuple[str, Localized]], list[Localized]]:
    """A failure group's titles and its do-this-first fix, most severe finding first.

    The steps are the rules' own (product text, no host data), from the rule registry: records
    whose stored diagnosis carries no remediation get the same fix as freshly diagnosed ones."""
    from msdiag.diagnosis.rules import RULES  # the registry: imported with the engine

    def severity(finding_id: str) -> int:
        rule = RULES.get(finding_id)
        return SEVERITY_ORDER[rule.severity] if rule is not None else len(SEVERITY_ORDER)

    ordered = sorted(finding_ids, key=lambda i: (severity(i), i))
    fix: list[Localized] = []
    for finding_id in ordered:
        rule = RULES.get(finding_id)
        for step in _fix_steps(rule.remediation) if rule is not None else ():
            if step not in fix:
                fix.append(step)
    names = [(i, Localized(en=titles[i][0], ja=titles[i][1])) for i in ordered]
    return names, fix[:FIX_MAX_STEPS]
