"""The ``time`` check: time zone, the clock, and what the Windows Time service is set to and really does."""

from __future__ import annotations

from typing import Annotated

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.names import ServerSetting
from msdiag.capture.native import NativeOutput
from msdiag.capture.native.w32tm import W32tmStatusData


class TimeZoneData(Model):
    id: ShortText | None = None  #: `Tokyo Standard Time`
    display_name: ShortText | None = None  #: localized: `(UTC+09:00) 大阪、札幌、東京`
    base_utc_offset_minutes: int | None = None  #: the zone's standard offset
    current_utc_offset_minutes: int | None = None  #: the offset now, daylight saving time included
    supports_dst: bool | None = None  #: the zone has daylight saving time


class W32TimeData(Model):
    service_status: ShortText | None = None  #: `Running`, `Stopped`, `NotFound`
    start_type: ShortText | None = None  #: `Automatic`, `Manual`, `Disabled`
    #: registry `W32Time\Parameters\Type`: `NTP`, `NT5DS` (domain), `NoSync`, `AllSync`
    type: ShortText | None = None
    #: registry `W32Time\Parameters\NtpServer` (`time.windows.com,0x9`): what is configured
    ntp_server: Annotated[ShortText | None, ServerSetting] = None


class TimeData(Model):
    time_zone: TimeZoneData | None = None  #: Get-TimeZone
    local_time: ShortText | None = None  #: the host's local time, ISO 8601 with offset
    #: the host's clock in UTC; compared with the endpoints' HTTP Date headers to measure clock skew
    utc_time: ShortText | None = None
    w32time: W32TimeData | None = None  #: the service and its configured source (registry)
    #: what `w32tm /query /status` printed (raw, bounded); msdiag reads `w32tm` from it
    w32tm_output: NativeOutput | None = None
    #: the service's actual source and last successful sync, read by msdiag from `w32tm_output` (a producer
    #: need not fill it)
    w32tm: W32tmStatusData | None = None
