<#
.SYNOPSIS
    msdiag check "os": Windows version, build, edition, computer and domain, uptime, elevation.
.DESCRIPTION
    Prints one compressed JSON document (check "os") with the operating system caption, version,
    build and update revision, display version (23H2), edition, architecture, computer name,
    domain or workgroup, last boot time and uptime, whether this session is elevated, and the
    PowerShell edition and version. Uses Get-CimInstance (not the slow Get-ComputerInfo) and the
    registry key HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion.
.NOTES
    Read-only: reads WMI/CIM and the registry, changes nothing. Works on Windows PowerShell 5.1 and
    PowerShell 7; on PowerShell 7 outside Windows the Windows probes are reported as unavailable.
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

$data = [ordered]@{
    caption         = $null
    product_name    = $null
    version         = $null
    build           = $null
    ubr             = $null
    display_version = $null
    edition         = $null
    architecture    = $null
    computer_name   = $null
    domain          = $null
    part_of_domain  = $null
    workgroup       = $null
    last_boot_utc   = $null
    uptime_seconds  = $null
    is_elevated     = $null
    ps_edition      = $null
    ps_version      = $null
    is_windows      = [bool]$msdiagIsWindows
}

Invoke-MsdiagProbe 'powershell' {
    $data.ps_edition = Limit-MsdiagText $PSVersionTable.PSEdition
    $data.ps_version = Limit-MsdiagText $PSVersionTable.PSVersion
}

Invoke-MsdiagProbe 'operating_system' {
    Assert-MsdiagWindows
    $os = Get-CimInstance -ClassName Win32_OperatingSystem -OperationTimeoutSec 10
    $data.caption = Limit-MsdiagText $os.Caption
    $data.version = Limit-MsdiagText $os.Version
    $build = 0
    if ([int]::TryParse([string]$os.BuildNumber, [ref]$build)) {
        $data.build = $build
    }
    $data.architecture = Limit-MsdiagText $os.OSArchitecture
    if ($null -ne $os.LastBootUpTime) {
        $bootUtc = ([DateTime]$os.LastBootUpTime).ToUniversalTime()
        $data.last_boot_utc = $bootUtc.ToString('o')
        $data.uptime_seconds = [int][Math]::Max(0, ([DateTime]::UtcNow - $bootUtc).TotalSeconds)
    }
}

Invoke-MsdiagProbe 'computer_system' {
    Assert-MsdiagWindows
    $computer = Get-CimInstance -ClassName Win32_ComputerSystem -OperationTimeoutSec 10
    $data.computer_name = Limit-MsdiagText $computer.Name
    $data.domain = Limit-MsdiagText $computer.Domain
    $data.part_of_domain = [bool]$computer.PartOfDomain
    # Workgroup is $null on a domain member.
    $data.workgroup = Limit-MsdiagText $computer.Workgroup
}

Invoke-MsdiagProbe 'current_version_registry' {
    $path = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    # ProductName may still say "Windows 10" on Windows 11 (UNVERIFIED): readers decide from the build.
    $data.product_name = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $path -Name 'ProductName')
    $data.edition = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $path -Name 'EditionID')
    $displayVersion = Get-MsdiagRegistryValue -Path $path -Name 'DisplayVersion'
    if ($null -eq $displayVersion) {
        # Before 20H2 the release was only in ReleaseId ("2004").
        $displayVersion = Get-MsdiagRegistryValue -Path $path -Name 'ReleaseId'
    }
    $data.display_version = Limit-MsdiagText $displayVersion
    $ubr = Get-MsdiagRegistryValue -Path $path -Name 'UBR'
    if ($null -ne $ubr) {
        $data.ubr = ConvertTo-MsdiagUInt32 $ubr
    }
    if ($null -eq $data.build) {
        $currentBuild = 0
        if ([int]::TryParse([string](Get-MsdiagRegistryValue -Path $path -Name 'CurrentBuildNumber'), [ref]$currentBuild)) {
            $data.build = $currentBuild
        }
    }
}

Invoke-MsdiagProbe 'elevation' {
    Assert-MsdiagWindows
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = [System.Security.Principal.WindowsPrincipal]::new($identity)
    $data.is_elevated = [bool]$principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

if ($null -eq $data.computer_name) {
    $data.computer_name = Limit-MsdiagText ([System.Environment]::MachineName)
}

Write-MsdiagDocument -Check 'os' -Data $data
