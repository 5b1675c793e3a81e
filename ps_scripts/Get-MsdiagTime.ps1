<#
.SYNOPSIS
    msdiag check "time": time zone, UTC offset, clock and Windows Time service configuration.
.DESCRIPTION
    Prints one compressed JSON document (check "time") with the time zone id and display name,
    base and current UTC offsets in minutes, daylight saving support, the local and UTC time at
    collection, the W32Time service state plus its configured type and NTP server from the
    registry (HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters), and what
    `w32tm /query /status` printed (raw, bounded): the source the service really uses ("Local
    CMOS Clock" when it is not synchronised) and its last successful sync. msdiag reads that
    localized text; the script does not parse it.
.NOTES
    Read-only: reads the clock, the time zone, the service list and the registry, and runs
    w32tm /query /status (which only reports); changes nothing.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

$data = [ordered]@{
    time_zone    = $null
    local_time   = $null
    utc_time     = $null
    w32time      = $null
    w32tm_output = $null
    w32tm        = $null
}

Invoke-MsdiagProbe 'clock' {
    # One instant, written twice, so readers can compare the host's local and UTC views.
    $now = [DateTimeOffset]::Now
    $data.local_time = $now.ToString('o')
    $data.utc_time = $now.UtcDateTime.ToString('o')
}

Invoke-MsdiagProbe 'time_zone' {
    $zone = $null
    try {
        $zone = Get-TimeZone
    } catch {
        $zone = [System.TimeZoneInfo]::Local
    }
    $data.time_zone = [ordered]@{
        id                         = Limit-MsdiagText $zone.Id
        display_name               = Limit-MsdiagText $zone.DisplayName
        base_utc_offset_minutes    = [int]$zone.BaseUtcOffset.TotalMinutes
        current_utc_offset_minutes = [int]$zone.GetUtcOffset([DateTime]::UtcNow).TotalMinutes
        supports_dst               = [bool]$zone.SupportsDaylightSavingTime
    }
}

$w32time = [ordered]@{ service_status = $null; start_type = $null; type = $null; ntp_server = $null }
$data.w32time = $w32time

Invoke-MsdiagProbe 'w32time_service' {
    Assert-MsdiagWindows
    $service = Get-Service -Name 'W32Time' -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        $w32time.service_status = 'NotFound'
    } else {
        $w32time.service_status = "$($service.Status)"
        if ($null -ne $service.PSObject.Properties['StartType']) {
            $w32time.start_type = "$($service.StartType)"
        }
    }
}

Invoke-MsdiagProbe 'w32time_parameters' {
    $path = 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters'
    $w32time.type = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $path -Name 'Type')
    $w32time.ntp_server = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $path -Name 'NtpServer')
}

Invoke-MsdiagProbe 'w32tm_status' {
    Assert-MsdiagWindows
    $w32tm = Get-Command -Name 'w32tm.exe' -CommandType Application -ErrorAction Stop | Select-Object -First 1
    # When the service is stopped w32tm prints an error ending in (0x80070426): kept as printed.
    $data.w32tm_output = Invoke-MsdiagNativeCommand -FilePath $w32tm.Source -Arguments '/query /status' -Command 'w32tm /query /status' -TimeoutMs 10000
}

Write-MsdiagDocument -Check 'time' -Data $data
