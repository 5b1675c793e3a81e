<#
.SYNOPSIS
    msdiag runner: runs the selected msdiag checks in one PowerShell session.
.DESCRIPTION
    Template composed by msdiag (msdiag/collectors/bundle.py): the shared helper files
    (MsdiagCommon.ps1, MsdiagWinInet.ps1) are embedded once at the helpers marker below, and the
    check scripts as script blocks at the checks marker; a check finds the helpers defined and
    loads nothing. Each check runs in its own try/catch and is timed; one that throws is
    reported, the others still run.

    "lines" mode (msdiag scan, remote scans): every output line is one compressed JSON object:
      {"msdiag_runner":"start","protocol":1,"host":...,"ps_edition":...,"ps_version":...,"utc":...}
      then each check's own document, or {"msdiag_runner":"check_failed","check":...,"message":...,"elapsed_ms":...}
      {"msdiag_runner":"end","elapsed_ms":...}
    "capture" mode (msdiag export-script): prints ONE JSON document, an msdiag capture
    (format "msdiag-capture", schema_version 1) holding every check's document.
.PARAMETER Checks
    Check names to run; elements may be comma-separated ("os,locale"). Default: every embedded check.
.PARAMETER EndpointHosts
    Host names for the endpoints check (comma-separated elements allowed). Default: its own list.
.PARAMETER EndpointTimeoutMs
    Per-step timeout of the endpoints check in milliseconds.
.PARAMETER PacUrl
    PAC URL for the endpoints check to probe instead of the user's WinINET AutoConfigURL.
@@MSDIAG_USAGE@@
.NOTES
    Read-only: every check only reads; nothing on the machine is changed.
#>
[CmdletBinding()]
param(
    [string[]]$Checks = @(),
    [string[]]$EndpointHosts = @(),
    [int]$EndpointTimeoutMs = 3000,
    [string]$PacUrl = ''
)

Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'
$msdiagRunnerMode = 'lines'  # @@MSDIAG_MODE@@
$msdiagVersion = ''  # @@MSDIAG_VERSION@@

# UTF-8 output for msdiag to read. The setter changes the code page of the whole console (the
# cmd.exe window a capture was started from too), so the original is put back at the end.
$msdiagOriginalOutputEncoding = $null
try {
    $msdiagOriginalOutputEncoding = [Console]::OutputEncoding
    [Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
} catch {
    # No console over remoting: then there is nothing to set and strings travel as Unicode anyway.
    $msdiagOriginalOutputEncoding = $null
}

# @@MSDIAG_HELPERS@@

$msdiagChecks = [ordered]@{}
# @@MSDIAG_CHECKS@@

function Split-MsdiagList {
    # `pwsh -File runner.ps1 -Checks os,locale` passes one string: split every element on commas.
    param([string[]]$Values)
    $items = [System.Collections.Generic.List[string]]::new()
    foreach ($value in @($Values)) {
        foreach ($part in ([string]$value).Split(',')) {
            $trimmed = $part.Trim()
            if ($trimmed.Length -gt 0) {
                $items.Add($trimmed)
            }
        }
    }
    return , $items.ToArray()
}

function ConvertTo-MsdiagJsonString {
    param([string]$Value)
    return (ConvertTo-Json -InputObject $Value -Compress)
}

try {
    $runnerStopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $requested = Split-MsdiagList -Values $Checks
    if ($requested.Count -eq 0) {
        $requested = @($msdiagChecks.Keys)
    }
    $hostList = Split-MsdiagList -Values $EndpointHosts
    $hostName = [System.Environment]::MachineName
    $psEdition = [string]$PSVersionTable.PSEdition
    $psVersion = [string]$PSVersionTable.PSVersion
    $startUtc = [DateTime]::UtcNow.ToString('o')

    if ($msdiagRunnerMode -eq 'lines') {
        ConvertTo-Json -Compress -InputObject ([ordered]@{
                msdiag_runner = 'start'; protocol = 1; host = $hostName; ps_edition = $psEdition
                ps_version = $psVersion; utc = $startUtc
            })
    }

    $captureParts = [System.Collections.Generic.List[string]]::new()
    foreach ($checkName in $requested) {
        $checkStopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $text = $null
        $failure = $null
        if (-not $msdiagChecks.Contains($checkName)) {
            $failure = "this runner does not contain a check named '$checkName'"
        } else {
            $arguments = @{}
            if ($checkName -eq 'endpoints') {
                if ($hostList.Count -gt 0) {
                    $arguments['Hosts'] = $hostList
                }
                $arguments['TimeoutMs'] = $EndpointTimeoutMs
                if (-not [string]::IsNullOrWhiteSpace($PacUrl)) {
                    $arguments['PacUrl'] = $PacUrl
                }
            }
            try {
                # Other streams are dropped so that only the check's document reaches the output.
                $output = @(& $msdiagChecks[$checkName] @arguments 3>$null 4>$null 5>$null 6>$null)
                # One line per document: a stray newline would break the line protocol.
                $text = ((@($output | ForEach-Object { [string]$_ }) -join ' ') -replace "[`r`n]", ' ').Trim()
            } catch {
                $failure = "$($_.Exception.Message)"
            }
        }
        $elapsed = [int]$checkStopwatch.ElapsedMilliseconds
        if ($null -ne $failure) {
            if ($failure.Length -gt 2000) {
                $failure = $failure.Substring(0, 2000)
            }
            if ($msdiagRunnerMode -eq 'lines') {
                ConvertTo-Json -Compress -InputObject ([ordered]@{
                        msdiag_runner = 'check_failed'; check = $checkName; message = $failure; elapsed_ms = $elapsed
                    })
            } else {
                $captureParts.Add((ConvertTo-MsdiagJsonString $checkName) + ':{"status":"error","reason":' +
                    (ConvertTo-MsdiagJsonString "the check failed: $failure") + '}')
            }
            continue
        }
        if ($msdiagRunnerMode -eq 'lines') {
            $text
            continue
        }
        # Capture mode splices the check's JSON in as it is (msdiag re-validates every document), so
        # first make sure it is one JSON object: anything else would break the whole capture.
        $isObject = $false
        try {
            $isObject = ($text.StartsWith('{') -and $null -ne (ConvertFrom-Json -InputObject $text))
        } catch {
            $isObject = $false
        }
        if ($isObject) {
            $captureParts.Add((ConvertTo-MsdiagJsonString $checkName) + ':{"status":"ok","document":' + $text + '}')
        } else {
            $captureParts.Add((ConvertTo-MsdiagJsonString $checkName) + ':{"status":"error","reason":' +
                (ConvertTo-MsdiagJsonString 'the check did not print one JSON document') + '}')
        }
    }

    $totalMs = [int]$runnerStopwatch.ElapsedMilliseconds
    if ($msdiagRunnerMode -eq 'lines') {
        ConvertTo-Json -Compress -InputObject ([ordered]@{ msdiag_runner = 'end'; elapsed_ms = $totalMs })
    } else {
        $header = [ordered]@{
            format          = 'msdiag-capture'
            schema_version  = 1
            msdiag_version  = $msdiagVersion
            host            = $hostName
            mode            = 'exported-script'
            collected_utc   = $startUtc
            duration_ms     = $totalMs
            powershell      = [ordered]@{ edition = $psEdition; version = $psVersion }
            host_status     = [ordered]@{ state = 'ok' }
        }
        $headerJson = ConvertTo-Json -InputObject $header -Depth 4 -Compress
        # Append "checks" inside the header object: drop its closing brace, add the spliced documents.
        $headerJson.Substring(0, $headerJson.Length - 1) + ',"checks":{' + ($captureParts -join ',') + '}}'
    }
} finally {
    # UNVERIFIED: output reaches the host as it is written (the pipeline streams), so every line
    # above has been encoded before this runs.
    if ($null -ne $msdiagOriginalOutputEncoding) {
        try {
            [Console]::OutputEncoding = $msdiagOriginalOutputEncoding
        } catch {
            $null = $_
        }
    }
}
