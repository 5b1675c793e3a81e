"""``w32tm /query /status``: where the Windows Time service really gets its time, and when it last did.

Field meanings: MS-W32T W32TimeQueryStatus (leap indicator, stratum, reference id, last sync,
source), https://learn.microsoft.com/openspecs/windows_protocols/ms-w32t/7e80a465-f5f4-4c3c-87ef-12f76e45f8d1 .
English labels from real outputs (tests/data/native/w32tm-query-status/en-*); Japanese labels from
one real partial capture (ja-1: 閏インジケーター, 階層) and the @IT article's field table (参照 ID,
最終正常同期時刻, ソース, ポーリング間隔). The numbers (leap indicator 3 = not synchronised, stratum 0 =
unspecified) read the same in every language; "Local CMOS Clock" ("clock is unsynchronized",
https://learn.microsoft.com/azure/virtual-machines/windows/time-sync) is recognised in English
only: its Japanese form was not found. When the service is stopped w32tm prints a localized
sentence ending in ``(0x80070426)``: matched on the code.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from msdiag.capture.bounds import Model, ShortText, Text
from msdiag.capture.names import ServerSetting
from msdiag.capture.native import label_lines, squash

SourceKind = Literal["local_cmos_clock", "free_running", "vm_ic", "peer"]
#: HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE): "The service has not been started."
SERVICE_NOT_STARTED = "0x80070426"


class W32tmStatusData(Model):
    """What ``w32tm /query /status`` says about the time service's synchronisation."""

    # not "source": that key holds a fixed vocabulary elsewhere in a capture (proxy scope, WinHTTP)
    #: `Source` as printed, peer flags kept (`time.windows.com,0x8`, `Local CMOS Clock`)
    time_source: Annotated[ShortText | None, ServerSetting] = None
    #: `local_cmos_clock` (not synchronised: the PC's own clock), `free_running` (unverified: seen in no real
    #: output), `vm_ic` (Hyper-V/Azure host), `peer` (an NTP server or domain controller)
    source_kind: SourceKind | None = None
    leap_indicator: int | None = None  #: `Leap Indicator`: 0 no warning, 3 not synchronised
    stratum: int | None = None  #: `Stratum`: 0 unspecified (not synchronised), 1 primary, 2+ secondary
    #: `ReferenceId` as printed (`0xC0A803E3 (source IP: 192.168.3.227)`)
    reference_id: Annotated[ShortText | None, ServerSetting] = None
    #: `Last Successful Sync Time` as printed, in the host's local time and date format; null when it says
    #: unspecified
    last_successful_sync: ShortText | None = None
    #: `Last Successful Sync Time` is `unspecified`: no sync since the service started
    never_synced: bool | None = None
    poll_interval: int | None = None  #: `Poll Interval` exponent (6 = 64 s)
    #: false when the leap indicator is 3 or the stratum 0 (language-independent)
    synchronized: bool | None = None
    #: the HRESULT w32tm printed instead of a status (`0x80070426`: the service is not running)
    error_code: ShortText | None = None
    error: Text | None = None  #: the error line as printed (localized)


_LABELS: dict[str, str] = {
    "leapindicator": "leap_indicator",
    "閏インジケーター": "leap_indicator",
    "stratum": "stratum",
    "階層": "stratum",
    "referenceid": "reference_id",
    "参照id": "reference_id",
    "lastsuccessfulsynctime": "last_successful_sync",
    "最終正常同期時刻": "last_successful_sync",
    "source": "source",
    "ソース": "source",
    "pollinterval": "poll_interval",
    "ポーリング間隔": "poll_interval",
}
_UNSPECIFIED = ("unspecified", "未指定")
_LEADING_INT = re.compile(r"^\s*(-?\d+)")
_HRESULT = re.compile(r"\((0x[0-9A-Fa-f]{8})\)\s*$")


def _leading_int(value: str) -> int | None:
    match = _LEADING_INT.match(value)
    return int(match.group(1)) if match else None


def source_kind(source: str | None) -> SourceKind | None:
    if not source:
        return None
    lower = source.lower()
    if lower.startswith("local cmos clock"):
        return "local_cmos_clock"
    if lower.startswith("free-running system clock"):
        return "free_running"
    if lower.startswith("vm ic time synchronization provider"):
        return "vm_ic"
    return "peer"


def parse_w32tm_status(text: str) -> W32tmStatusData | None:
    """The status fields, or the error w32tm printed; None when the text is neither."""
    found: dict[str, str] = {}
    for label, value in label_lines(text):
        name = _LABELS.get(squash(label))
        if name is not None:
            found.setdefault(name, value)
    error_line = next((line.strip() for line in text.splitlines() if _HRESULT.search(line)), None)
    if not found and error_line is None:
        return None
    data: dict[str, object] = {}
    if error_line is not None:
        data["error"] = error_line[:4096]
        match = _HRESULT.search(error_line)
        data["error_code"] = match.group(1).lower() if match else None
    for name in ("leap_indicator", "stratum", "poll_interval"):
        if name in found:
            data[name] = _leading_int(found[name])
    source = found.get("source", "").strip() or None
    data["time_source"] = source[:512] if source else None
    data["source_kind"] = source_kind(source)
    if found.get("reference_id"):
        data["reference_id"] = found["reference_id"][:512]
    if "last_successful_sync" in found:
        last = found["last_successful_sync"]
        never = last.strip().lower() in _UNSPECIFIED
        data["never_synced"] = never
        data["last_successful_sync"] = None if never or not last else last[:512]
    leap, stratum = data.get("leap_indicator"), data.get("stratum")
    if leap is not None or stratum is not None:
        data["synchronized"] = not (leap == 3 or stratum == 0)
    return W32tmStatusData.model_validate(data)
