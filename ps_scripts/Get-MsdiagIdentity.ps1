<#
.SYNOPSIS
    msdiag check "identity": device join and PRT state, Microsoft account policy and sign-in type.
.DESCRIPTION
    Prints one compressed JSON document (check "identity") with the key fields of
    `dsregcmd.exe /status` (AzureAdJoined, EnterpriseJoined, DomainJoined, DomainName,
    WorkplaceJoined, TenantName, AzureAdPrt, AzureAdPrtUpdateTime), the NoConnectedUser policy that
    blocks Microsoft accounts (HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System), the
    signed-in user's name and whether that user signs in to Windows with a Microsoft account.
.NOTES
    Read-only: runs dsregcmd /status (which only reports) and reads the registry and the local user
    list; changes nothing.
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

function ConvertFrom-MsdiagYesNo {
    param([string]$Value)
    switch ($Value.Trim().ToUpperInvariant()) {
        'YES' {
            return $true
        }
        'NO' {
            return $false
        }
    }
    return $null
}

function ConvertFrom-MsdiagDsregTime {
    # dsregcmd prints "2026-11-25 01:02:03.000 UTC"; anything else is kept as printed.
    param([string]$Value)
    $text = $Value.Trim()
    if ($text -match '^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d+)? UTC$') {
        $parsed = [DateTime]::MinValue
        $styles = [System.Globalization.DateTimeStyles]::AssumeUniversal -bor [System.Globalization.DateTimeStyles]::AdjustToUniversal
        if ([DateTime]::TryParseExact($Matches[1], 'yyyy-MM-dd HH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$parsed)) {
            return $parsed.ToString('o')
        }
    }
    return (Limit-MsdiagText $text)
}

function ConvertFrom-MsdiagDsregOutput {
    # "Key : Value" lines; labels are matched without spaces and case-insensitively. Unknown or
    # missing labels are tolerated (their fields stay $null). Localized labels: UNVERIFIED.
    param([string[]]$Lines)
    $fields = @{}
    foreach ($line in $Lines) {
        if ([string]$line -match '^\s*([A-Za-z][A-Za-z0-9 ]{0,63}?)\s*:\s*(.*)$') {
            $key = ($Matches[1] -replace '\s', '').ToLowerInvariant()
            if (-not $fields.ContainsKey($key)) {
                $fields[$key] = [string]$Matches[2]
            }
        }
    }
    $dsreg = [ordered]@{
        available = $true; azure_ad_joined = $null; enterprise_joined = $null; domain_joined = $null
        domain_name = $null; workplace_joined = $null; tenant_name = $null; azure_ad_prt = $null
        azure_ad_prt_update_time = $null
    }
    $booleans = @{
        azureadjoined = 'azure_ad_joined'; enterprisejoined = 'enterprise_joined'; domainjoined = 'domain_joined'
        workplacejoined = 'workplace_joined'; azureadprt = 'azure_ad_prt'
    }
    foreach ($label in $booleans.Keys) {
        if ($fields.ContainsKey($label)) {
            $dsreg[$booleans[$label]] = ConvertFrom-MsdiagYesNo $fields[$label]
        }
    }
    if ($fields.ContainsKey('domainname')) {
        $dsreg.domain_name = Limit-MsdiagText $fields['domainname'].Trim()
    }
    if ($fields.ContainsKey('tenantname')) {
        $dsreg.tenant_name = Limit-MsdiagText $fields['tenantname'].Trim()
    }
    if ($fields.ContainsKey('azureadprtupdatetime')) {
        $dsreg.azure_ad_prt_update_time = ConvertFrom-MsdiagDsregTime $fields['azureadprtupdatetime']
    }
    return $dsreg
}

$data = [ordered]@{
    dsregcmd           = [ordered]@{ available = $false }
    no_connected_user  = $null
    signed_in_with_msa = $null
    user_name          = $null
}

Invoke-MsdiagProbe 'dsregcmd' {
    Assert-MsdiagWindows
    $command = Get-Command -Name 'dsregcmd.exe' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $command) {
        throw [System.PlatformNotSupportedException]::new('dsregcmd.exe is not on this system')
    }
    # Bounded (dsregcmd can hang on network calls), stderr drained, output decoded whatever code
    # page it arrives in: see Invoke-MsdiagNativeCommand.
    $lines = Invoke-MsdiagNativeCommand -FilePath $command.Source -Arguments '/status' -TimeoutMs 10000 -MaxLines 400
    $data.dsregcmd = ConvertFrom-MsdiagDsregOutput -Lines $lines
}

Invoke-MsdiagProbe 'no_connected_user' {
    $value = Get-MsdiagRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System' -Name 'NoConnectedUser'
    $data.no_connected_user = ConvertTo-MsdiagUInt32 $value
}

Invoke-MsdiagProbe 'user_account' {
    Assert-MsdiagWindows
    # Over remoting the session is the connecting admin: prefer the console user when there is one.
    $computer = Get-CimInstance -ClassName Win32_ComputerSystem -OperationTimeoutSec 10
    $userName = [string]$computer.UserName
    if (-not $userName) {
        $userName = [System.Security.Principal.WindowsIdentity]::GetCurrent().Name
    }
    $data.user_name = Limit-MsdiagText $userName
    $parts = $userName.Split('\')
    $authority = $parts[0]
    if ($authority -eq 'MicrosoftAccount') {
        $data.signed_in_with_msa = $true
    } elseif ($parts.Count -eq 2 -and $authority -eq [System.Environment]::MachineName) {
        # A local account linked to a Microsoft account reports PrincipalSource MicrosoftAccount.
        # UNVERIFIED: Get-LocalUser is missing from 32-bit PowerShell; then this stays $null.
        $localUser = Get-LocalUser -Name $parts[1]
        $data.signed_in_with_msa = ("$($localUser.PrincipalSource)" -eq 'MicrosoftAccount')
    } else {
        # Domain (DOMAIN\user) and Entra ID (AzureAD\user) accounts are not Microsoft accounts.
        $data.signed_in_with_msa = $false
    }
}

Write-MsdiagDocument -Check 'identity' -Data $data
