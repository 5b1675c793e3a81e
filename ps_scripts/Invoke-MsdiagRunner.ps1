<#
.SYNOPSIS
    msdiag runner: runs the selected msdiag checks in one PowerShell session.
.DESCRIPTION
    Template composed by msdiag (msdiag/collectors/runner_script.py). The check scripts and the
    shared helper files (MsdiagCommon.ps1, MsdiagWinInet.ps1) reach it in one of two forms:

    - Scans (msdiag scan, local and remote): as text, in the -Sources parameter (remote) or the
      UTF-8 JSON file named by -SourcePath (local), and nothing of them is in this script. Each
      helper and each check is made a script block of its own ([ScriptBlock]::Create) and run in
      its own try/catch. PowerShell hands every script block to AMSI (the Antimalware Scan
      Interface) when it compiles it, and an antivirus that objects stops that one block with the
      parse error ScriptContainedMaliciousContent; the whole script would fail before any of it
      ran if the checks were part of its own text. So a blocked check is reported as blocked
      (check_blocked) and the others still run, in the same pipeline, with no extra round trip: on a
      healthy host this costs only compiling each check separately. Nothing is hidden from AMSI:
      every block is scanned as plain text before it runs. Execution policy is not bypassed either:
      the texts are msdiag's own scripts, passed by the same caller that started this runner.
    - msdiag export-script: embedded in this file as script blocks at the markers below (one
      self-contained file that an organisation can sign). AMSI then scans them with the script.

    Constrained Language Mode (WDAC / AppLocker) is detected first, using only what that mode
    allows; the checks need FullLanguage, so the runner then reports the language mode and runs
    nothing.

    "lines" mode (msdiag scan, remote scans): every output line is one compressed JSON object:
      {"msdiag_runner":"start","protocol":2,"host":...,"ps_edition":...,"ps_version":...,"utc":...,
       "language_mode":"FullLanguage"}
      per check: {"msdiag_runner":"check_start","check":...}, then the check's own document, or
      {"msdiag_runner":"check_failed","check":...,"message":...,"elapsed_ms":...}, or
      {"msdiag_runner":"check_blocked","check":...,"by":"antimalware","message":...,"elapsed_ms":...}
      {"msdiag_runner":"end","elapsed_ms":...}   (with "stopped":"language_mode" outside FullLanguage)
    A check whose check_start line is not followed by its outcome was cut short.
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
.PARAMETER Sources
    The check and helper scripts as JSON text, {"units":[{"name","kind","needs","text"}]}
    (helpers first). Given by msdiag; not needed when the checks are embedded.
.PARAMETER SourcePath
    A UTF-8 file holding the same JSON as -Sources (local scans: a command line is too short).
@@MSDIAG_USAGE@@
.NOTES
    Read-only: every check only reads; nothing on the machine is changed.
#>
[CmdletBinding()]
param(
    [string[]]$Checks = @(),
    [string[]]$EndpointHosts = @(),
    [int]$EndpointTimeoutMs = 3000,
    [string]$PacUrl = '',
    [string]$Sources = '',
    [string]$SourcePath = ''
)

Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'
$msdiagRunnerMode = 'lines'  # @@MSDIAG_MODE@@
$msdiagVersion = ''  # @@MSDIAG_VERSION@@
$msdiagProtocol = 2

$msdiagChecks = [ordered]@{}
# @@MSDIAG_CHECKS@@

function Split-MsdiagList {
    # `pwsh -File runner.ps1 -Checks os,locale` passes one string: split every element on commas.
    # Only core types: this also runs in Constrained Language Mode.
    param([string[]]$Values)
    $items = @()
    foreach ($value in @($Values)) {
        foreach ($part in ([string]$value).Split(',')) {
            $trimmed = $part.Trim()
            if ($trimmed.Length -gt 0) {
                $items += $trimmed
            }
        }
    }
    return , $items
}

# ---------------------------------------------------------------- language mode, before anything else
# Under a WDAC or AppLocker policy PowerShell runs scripts it does not trust in ConstrainedLanguage
# mode, where only core types may be used (about_Language_Modes); every check uses others
# (Stopwatch, List, registry and socket classes). Up to the FullLanguage test below this script
# uses only core types, $ExecutionContext and cmdlets, so the report is one clear status instead of
# every check failing with "Cannot create type" / "Method invocation is supported only on core types".
$msdiagLanguageMode = [string]$ExecutionContext.SessionState.LanguageMode
$requested = Split-MsdiagList -Values $Checks
if ($requested.Count -eq 0) {
    $requested = @($msdiagChecks.Keys)
}
$msdiagStart = [ordered]@{
    msdiag_runner = 'start'; protocol = $msdiagProtocol; host = [string]$env:COMPUTERNAME
    ps_edition = [string]$PSVersionTable.PSEdition; ps_version = [string]$PSVersionTable.PSVersion
    utc = [DateTime]::UtcNow.ToString('o'); language_mode = $msdiagLanguageMode
}
if ($msdiagLanguageMode -ne 'FullLanguage') {
    if ($msdiagRunnerMode -eq 'lines') {
        ConvertTo-Json -Compress -InputObject $msdiagStart
        ConvertTo-Json -Compress -InputObject ([ordered]@{ msdiag_runner = 'end'; elapsed_ms = 0; stopped = 'language_mode' })
    } else {
        $notRun = [ordered]@{}
        foreach ($checkName in $requested) {
            $notRun[$checkName] = [ordered]@{
                status = 'not_run'
                reason = "not run: PowerShell ran this script in $msdiagLanguageMode mode"
            }
        }
        ConvertTo-Json -Compress -Depth 4 -InputObject ([ordered]@{
                format = 'msdiag-capture'; schema_version = 1; msdiag_version = $msdiagVersion
                host = $msdiagStart.host; mode = 'exported-script'; collected_utc = $msdiagStart.utc
                powershell = [ordered]@{ edition = $msdiagStart.ps_edition; version = $msdiagStart.ps_version }
                host_status = [ordered]@{
                    state  = 'constrained_language'
                    detail = "PowerShell ran this script in $msdiagLanguageMode mode (an application control policy such as WDAC or AppLocker); the checks need FullLanguage and none was run."
                    hint   = 'Ask whoever manages the WDAC or AppLocker policy to sign or allow this script, then run it again.'
                }
                checks = $notRun
            })
    }
    return
}

# ---------------------------------------------------------------- FullLanguage from here on
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

function ConvertTo-MsdiagJsonString {
    param([string]$Value)
    return (ConvertTo-Json -InputObject $Value -Compress)
}

function Test-MsdiagAntimalwareBlock {
    # AMSI refuses a script block when PowerShell compiles it: a ParseException whose error id is
    # ScriptContainedMaliciousContent (the id is not localised; the message is).
    param($Record)
    if ([string]$Record.FullyQualifiedErrorId -like 'ScriptContainedMaliciousContent*') {
        return $true
    }
    $exception = $Record.Exception
    while ($null -ne $exception) {
        if ($exception -is [System.Management.Automation.ParseException]) {
            foreach ($parseError in @($exception.Errors)) {
                if ([string]$parseError.ErrorId -eq 'ScriptContainedMaliciousContent') {
                    return $true
                }
            }
        }
        if ($exception -is [System.Management.Automation.IContainsErrorRecord] -and $null -ne $exception.ErrorRecord) {
            if ([string]$exception.ErrorRecord.FullyQualifiedErrorId -like 'ScriptContainedMaliciousContent*') {
                return $true
            }
        }
        $exception = $exception.InnerException
    }
    return $false
}

function Limit-MsdiagMessage {
    param([string]$Text)
    $oneLine = ([string]$Text -replace "[`r`n]+", ' ').Trim()
    if ($oneLine.Length -gt 2000) {
        return $oneLine.Substring(0, 2000)
    }
    return $oneLine
}

# ---------------------------------------------------------------- the checks as separate script blocks
$msdiagUnits = [ordered]@{}
$msdiagUnitProblems = @{}
$msdiagSourceFailure = $null
try {
    if (-not [string]::IsNullOrEmpty($SourcePath)) {
        $Sources = [System.IO.File]::ReadAllText($SourcePath, [System.Text.Encoding]::UTF8)
    }
    if (-not [string]::IsNullOrEmpty($Sources)) {
        # an object, not a bare array: Windows PowerShell 5.1's ConvertFrom-Json does not unroll arrays
        foreach ($unit in @((ConvertFrom-Json -InputObject $Sources).units)) {
            $msdiagUnits[[string]$unit.name] = $unit
        }
    }
} catch {
    $msdiagSourceFailure = "the runner could not read the check scripts: $(Limit-MsdiagMessage $_.Exception.Message)"
}
if ($requested.Count -eq 0) {
    $requested = @($msdiagUnits.Keys | Where-Object { [string]$msdiagUnits[$_].kind -eq 'check' })
}
# Helpers are dot-sourced here, at the script's top level, so that the functions they define are
# this script's (a function or a child scope would keep them to itself).
foreach ($msdiagUnit in @($msdiagUnits.Values)) {
    if ([string]$msdiagUnit.kind -ne 'helper') {
        continue
    }
    try {
        . ([ScriptBlock]::Create([string]$msdiagUnit.text))
    } catch {
        $msdiagUnitProblems[[string]$msdiagUnit.name] = [pscustomobject]@{
            Blocked = (Test-MsdiagAntimalwareBlock -Record $_)
            Message = (Limit-MsdiagMessage $_.Exception.Message)
        }
    }
}

try {
    $runnerStopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $hostList = Split-MsdiagList -Values $EndpointHosts
    $hostName = [System.Environment]::MachineName
    $msdiagStart.host = $hostName

    if ($msdiagRunnerMode -eq 'lines') {
        ConvertTo-Json -Compress -InputObject $msdiagStart
    }

    $captureParts = [System.Collections.Generic.List[string]]::new()
    foreach ($checkName in $requested) {
        if ($msdiagRunnerMode -eq 'lines') {
            ConvertTo-Json -Compress -InputObject ([ordered]@{ msdiag_runner = 'check_start'; check = $checkName })
        }
        $checkStopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $text = $null
        $failure = $null
        $blocked = $null
        $block = $null
        if ($msdiagChecks.Contains($checkName)) {
            $block = $msdiagChecks[$checkName]
        } elseif ($null -ne $msdiagSourceFailure) {
            $failure = $msdiagSourceFailure
        } elseif ($msdiagUnits.Contains($checkName) -and [string]$msdiagUnits[$checkName].kind -eq 'check') {
            $unit = $msdiagUnits[$checkName]
            foreach ($need in @($unit.needs)) {
                if ([string]::IsNullOrEmpty([string]$need)) {
                    continue
                }
                $problem = $null
                if ($msdiagUnitProblems.ContainsKey([string]$need)) {
                    $problem = $msdiagUnitProblems[[string]$need]
                } elseif (-not $msdiagUnits.Contains([string]$need)) {
                    $failure = "the helper file $need it needs was not given to the runner"
                    break
                }
                if ($null -ne $problem) {
                    # Never run a check without its helpers: its own loader would then look for them
                    # in the current directory.
                    if ($problem.Blocked) {
                        $blocked = "the helper file $need it needs was blocked: $($problem.Message)"
                    } else {
                        $failure = "the helper file $need it needs failed to load: $($problem.Message)"
                    }
                    break
                }
            }
            if ($null -eq $failure -and $null -eq $blocked) {
                try {
                    $block = [ScriptBlock]::Create([string]$unit.text)
                } catch {
                    $failure = "$($_.Exception.Message)"
                }
            }
        } else {
            $failure = "this runner does not contain a check named '$checkName'"
        }
        if ($null -ne $block) {
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
                $output = @(& $block @arguments 3>$null 4>$null 5>$null 6>$null)
                # One line per document: a stray newline would break the line protocol.
                $text = ((@($output | ForEach-Object { [string]$_ }) -join ' ') -replace "[`r`n]", ' ').Trim()
                if ($text.Length -eq 0) {
                    $failure = 'the check printed nothing'
                }
            } catch {
                if (Test-MsdiagAntimalwareBlock -Record $_) {
                    $blocked = "$($_.Exception.Message)"
                } else {
                    $failure = "$($_.Exception.Message)"
                }
            }
        }
        $elapsed = [int]$checkStopwatch.ElapsedMilliseconds
        if ($null -ne $blocked) {
            $blocked = Limit-MsdiagMessage $blocked
            if ($msdiagRunnerMode -eq 'lines') {
                ConvertTo-Json -Compress -InputObject ([ordered]@{
                        msdiag_runner = 'check_blocked'; check = $checkName; by = 'antimalware'
                        message = $blocked; elapsed_ms = $elapsed
                    })
            } else {
                $captureParts.Add((ConvertTo-MsdiagJsonString $checkName) + ':{"status":"blocked","reason":' +
                    (ConvertTo-MsdiagJsonString "blocked by antivirus software (AMSI) before it ran: $blocked") + '}')
            }
            continue
        }
        if ($null -ne $failure) {
            $failure = Limit-MsdiagMessage $failure
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
            collected_utc   = $msdiagStart.utc
            duration_ms     = $totalMs
            powershell      = [ordered]@{ edition = $msdiagStart.ps_edition; version = $msdiagStart.ps_version }
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
