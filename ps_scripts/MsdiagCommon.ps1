<#
.SYNOPSIS
    msdiag shared helpers: the functions every msdiag check script uses. Not a check itself.
.DESCRIPTION
    Defines the helpers of the msdiag checks (ps_scripts/Get-Msdiag*.ps1): the probe wrapper that
    turns a failure into an entry of the document's errors list, error categories, registry and
    native-program readers, value bounding, and the one JSON document a check prints.

    One copy, loaded two ways:
    - A check script run on its own (powershell.exe -File Get-MsdiagOs.ps1) dot-sources this file
      from its own folder, so this file must be shipped beside the check scripts.
    - The msdiag runner (composed by msdiag from Invoke-MsdiagRunner.ps1) and the standalone
      one-check scripts msdiag builds define these functions once, before the checks; a check
      then finds them already defined and loads nothing.

    A check starts with  $msdiagCheck = Initialize-MsdiagCheck . The helpers read $msdiagCheck
    from the calling check's scope (PowerShell resolves variables through the caller's scopes),
    so every check run keeps its own stopwatch, collection time and errors even though the
    functions are defined once for all of them.
.EXAMPLE
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
    $msdiagCheck = Initialize-MsdiagCheck
    Invoke-MsdiagProbe 'example' { $data.value = Limit-MsdiagText (Get-Date) }
    Write-MsdiagDocument -Check 'os' -Data $data
.NOTES
    Read-only: only defines functions; loading it runs nothing and none of the helpers changes
    anything on the machine. Windows PowerShell 5.1 and PowerShell 7, StrictMode-safe.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

function Initialize-MsdiagCheck {
    # The state of one check run: when it started, its stopwatch and the errors of its probes.
    # The check keeps it as $msdiagCheck, where Invoke-MsdiagProbe and Write-MsdiagDocument find it.
    return [pscustomobject]@{
        Stopwatch    = [System.Diagnostics.Stopwatch]::StartNew()
        CollectedUtc = [DateTime]::UtcNow.ToString('o')
        Errors       = [System.Collections.Generic.List[object]]::new()
    }
}

function Test-MsdiagWindows {
    # $IsWindows does not exist on Windows PowerShell 5.1 (and StrictMode forbids reading it there).
    return [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
}

function Add-MsdiagProbeError {
    # One entry of the document's errors list (of the calling check's $msdiagCheck).
    param([string]$Probe, [string]$Message, [string]$Category = 'failed')
    $msdiagCheck.Errors.Add([ordered]@{ probe = $Probe; message = (Limit-MsdiagText $Message 1000); category = $Category })
}

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
        Add-MsdiagProbeError -Probe $Probe -Message "$($_.Exception.Message)" -Category (Get-MsdiagErrorCategory -Record $_)
    }
}

function Assert-MsdiagWindows {
    if (-not (Test-MsdiagWindows)) {
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
        collected_utc  = $msdiagCheck.CollectedUtc
        elapsed_ms     = [int]$msdiagCheck.Stopwatch.ElapsedMilliseconds
        data           = $Data
        errors         = $msdiagCheck.Errors.ToArray()
    }
    ConvertTo-Json -InputObject $document -Depth 10 -Compress
}
