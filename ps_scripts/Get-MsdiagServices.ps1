<#
.SYNOPSIS
    msdiag check "services": the Windows services a Microsoft account sign-in depends on.
.DESCRIPTION
    Prints one compressed JSON document (check "services") with the status and start type (as
    strings) of wlidsvc (Microsoft Account Sign-in Assistant), TokenBroker (Web Account Manager),
    W32Time, Dnscache and NlaSvc. A service that does not exist is reported with present = false.
    Manual + Stopped is normal for wlidsvc and TokenBroker (they start on demand).
.NOTES
    Read-only: reads the service list, changes nothing.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

# region msdiag-common: identical in every check script (tests/test_ps_lint.py keeps the copies equal)
$msdiagStopwatch = [System.Diagnostics.Stopwatch]::StartNew()
$msdiagCollectedUtc = [DateTime]::UtcNow.ToString('o')
$msdiagErrors = [System.Collections.Generic.List[object]]::new()
# $IsWindows does not exist on Windows PowerShell 5.1 (and StrictMode forbids reading it there).
$msdiagIsWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT

function Get-MsdiagErrorCategory {
    param([System.Management.Automation.ErrorRecord]$Record)
    $exception = $Record.Exception
    while ($null -ne $exception) {
        if ($exception -is [System.UnauthorizedAccessException] -or $exception -is [System.Security.SecurityException]) {
            return 'access_denied'
        }
        if ($exception -is [System.PlatformNotSupportedException] -or
            $exception -is [System.Management.Automation.CommandNotFoundException]) {
            return 'unavailable'
        }
        if ($exception -is [System.TimeoutException]) {
            return 'timeout'
        }
        $exception = $exception.InnerException
    }
    if ("$($Record.CategoryInfo.Category)" -eq 'PermissionDenied') {
        return 'access_denied'
    }
    return 'failed'
}

function Invoke-MsdiagProbe {
    # Runs one probe; a failure becomes an entry in the document's errors list, never a failed script.
    param([string]$Probe, [scriptblock]$Body)
    try {
        $ErrorActionPreference = 'Stop'
        $null = & $Body
    } catch {
        $message = "$($_.Exception.Message)"
        if ($message.Length -gt 1000) {
            $message = $message.Substring(0, 1000)
        }
        $msdiagErrors.Add([ordered]@{ probe = $Probe; message = $message; category = (Get-MsdiagErrorCategory -Record $_) })
    }
}

function Assert-MsdiagWindows {
    if (-not $msdiagIsWindows) {
        throw [System.PlatformNotSupportedException]::new('this probe needs Windows')
    }
}

function Get-MsdiagRegistryValue {
    # $null when the key or the value is absent (absent is an answer, not an error); throws on access denied.
    # The unary comma returns the value as it is: without it PowerShell unrolls a REG_BINARY byte[]
    # (or a REG_MULTI_SZ string[]) into object[] and `-is [byte[]]` never matches.
    # HKLM is read in the OS's native view: a 32-bit PowerShell (some RMM agents and Intune scripts
    # run one) would otherwise be redirected to WOW6432Node and report the 32-bit copies.
    param([string]$Path, [string]$Name)
    Assert-MsdiagWindows
    if ($Path -match '^HKLM:\\(.+)$') {
        $view = [Microsoft.Win32.RegistryView]::Default
        if ([System.Environment]::Is64BitOperatingSystem) {
            $view = [Microsoft.Win32.RegistryView]::Registry64
        }
        $baseKey = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, $view)
        try {
            $subKey = $baseKey.OpenSubKey($Matches[1], $false)
            if ($null -eq $subKey) {
                return $null
            }
            try {
                return , $subKey.GetValue($Name, $null)
            } finally {
                $subKey.Dispose()
            }
        } finally {
            $baseKey.Dispose()
        }
    }
    if (-not (Test-Path -LiteralPath $Path)) {
        return $null
    }
    $key = Get-Item -LiteralPath $Path
    return , $key.GetValue($Name, $null)
}

function Invoke-MsdiagNativeCommand {
    # Runs a native program with a bounded wait and returns its standard output as lines. Not
    # `& program 2>&1`: with $ErrorActionPreference = 'Stop' Windows PowerShell 5.1 turns any stderr
    # line into a terminating NativeCommandError, and PowerShell decodes native output with
    # [Console]::OutputEncoding, which the runner sets to UTF-8 while netsh and dsregcmd may write
    # the OEM code page (cp932 on ja-JP). So the bytes are decoded here: as UTF-8 when they are valid
    # UTF-8, else in the system's OEM code page. UNVERIFIED: the code page each program writes to a pipe.
    param([string]$FilePath, [string]$Arguments, [int]$TimeoutMs = 10000, [int]$MaxLines = 2000)
    Assert-MsdiagWindows
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($FilePath, $Arguments)
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.CreateNoWindow = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = [System.IO.MemoryStream]::new()
        $copying = $process.StandardOutput.BaseStream.CopyToAsync($stdout)
        # stderr is drained (a full pipe would block the program) and not kept.
        $null = $process.StandardError.BaseStream.CopyToAsync([System.IO.Stream]::Null)
        if (-not $copying.Wait($TimeoutMs)) {
            throw [System.TimeoutException]::new("$([System.IO.Path]::GetFileName($FilePath)) did not finish within $TimeoutMs ms")
        }
        $bytes = $stdout.ToArray()
    } finally {
        if (-not $process.HasExited) {
            # Only the program this function started, left hanging: it must not outlive the check.
            try {
                $process.Kill()
            } catch {
                $null = $_
            }
        }
        $process.Dispose()
    }
    try {
        $text = [System.Text.UTF8Encoding]::new($false, $true).GetString($bytes)
    } catch {
        $oemCodePage = [System.Globalization.CultureInfo]::CurrentCulture.TextInfo.OEMCodePage
        $systemOem = Get-MsdiagRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' -Name 'OEMCP'
        $parsedCodePage = 0
        if ([int]::TryParse([string]$systemOem, [ref]$parsedCodePage) -and $parsedCodePage -gt 0) {
            $oemCodePage = $parsedCodePage
        }
        $text = [System.Text.Encoding]::GetEncoding($oemCodePage).GetString($bytes)
    }
    $lines = @($text.TrimStart([char]0xFEFF) -split "\r?\n" | Select-Object -First $MaxLines)
    return , [string[]]$lines
}

function ConvertTo-MsdiagUInt32 {
    # Registry DWORDs arrive as Int32 (0xffffffff reads as -1): report the unsigned value.
    param($Value)
    if ($null -eq $Value) {
        return $null
    }
    return [int64][System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes([int32]$Value), 0)
}

function Limit-MsdiagText {
    param($Value, [int]$Length = 500)
    if ($null -eq $Value) {
        return $null
    }
    $text = [string]$Value
    if ($text.Length -gt $Length) {
        $text = $text.Substring(0, $Length)
    }
    return $text
}

function Write-MsdiagDocument {
    # The one JSON document this check prints (primitives only: see the check's data model).
    param([string]$Check, $Data)
    $document = [ordered]@{
        check          = $Check
        schema_version = 1
        collected_utc  = $msdiagCollectedUtc
        elapsed_ms     = [int]$msdiagStopwatch.ElapsedMilliseconds
        data           = $Data
        errors         = $msdiagErrors.ToArray()
    }
    ConvertTo-Json -InputObject $document -Depth 10 -Compress
}
# endregion msdiag-common

$serviceNames = @('wlidsvc', 'TokenBroker', 'W32Time', 'Dnscache', 'NlaSvc')
$services = [System.Collections.Generic.List[object]]::new()
$data = [ordered]@{ services = @() }

foreach ($serviceName in $serviceNames) {
    Invoke-MsdiagProbe "service:$serviceName" {
        Assert-MsdiagWindows
        $entry = [ordered]@{ name = $serviceName; display_name = $null; present = $false; status = $null; start_type = $null }
        # SilentlyContinue: a missing service is an answer (present = false), not a probe failure.
        $service = Get-Service -Name $serviceName -ErrorAction SilentlyContinue
        if ($null -ne $service) {
            $entry.present = $true
            $entry.display_name = Limit-MsdiagText $service.DisplayName
            $entry.status = "$($service.Status)"
            if ($null -ne $service.PSObject.Properties['StartType']) {
                $entry.start_type = "$($service.StartType)"
            }
        }
        $services.Add($entry)
    }
}

$data.services = $services.ToArray()
Write-MsdiagDocument -Check 'services' -Data $data
