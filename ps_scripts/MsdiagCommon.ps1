<#
.SYNOPSIS
    msdiag shared helpers: the functions every msdiag check script uses. Not a check itself.
.DESCRIPTION
    Defines the helpers of the msdiag checks (ps_scripts/Get-Msdiag*.ps1): the probe wrapper that
    turns a failure into an entry of the document's errors list, error categories, registry and
    native-program readers, who is signed in (the user whose hive the per-user checks read), value
    bounding, and the one JSON document a check prints.

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
    anything on the machine (the user context is kept in a global variable of the session only).
    Windows PowerShell 5.1 and PowerShell 7, StrictMode-safe.
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

function ConvertFrom-MsdiagNativeBytes {
    # A native program's output bytes as text, and how they were decoded. UTF-16 LE with its byte
    # order mark (some programs write Unicode to a pipe), else UTF-8 when the bytes are valid UTF-8,
    # else the system's OEM code page (cp932 on ja-JP), which console programs write to a pipe.
    # Decoded here, not by PowerShell: PowerShell would use [Console]::OutputEncoding (set to UTF-8
    # by the runner), the same on 5.1 and 7. UNVERIFIED: the code page each program writes.
    param([byte[]]$Bytes)
    if ($Bytes.Length -ge 2 -and $Bytes[0] -eq 0xFF -and $Bytes[1] -eq 0xFE) {
        return @{ text = [System.Text.Encoding]::Unicode.GetString($Bytes, 2, $Bytes.Length - 2); encoding = 'utf-16le' }
    }
    try {
        return @{ text = [System.Text.UTF8Encoding]::new($false, $true).GetString($Bytes).TrimStart([char]0xFEFF); encoding = 'utf-8' }
    } catch {
        $oemCodePage = [System.Globalization.CultureInfo]::CurrentCulture.TextInfo.OEMCodePage
        $systemOem = Get-MsdiagRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' -Name 'OEMCP'
        $parsedCodePage = 0
        if ([int]::TryParse([string]$systemOem, [ref]$parsedCodePage) -and $parsedCodePage -gt 0) {
            $oemCodePage = $parsedCodePage
        }
        return @{ text = [System.Text.Encoding]::GetEncoding($oemCodePage).GetString($Bytes); encoding = "oem-$oemCodePage" }
    }
}

function Invoke-MsdiagNativeCommand {
    # Runs a native program with a bounded wait and returns what it printed, raw, for msdiag to read
    # (msdiag/capture/native/): command, text, exit_code, timed_out, truncated, encoding (a
    # NativeOutput). Not `& program 2>&1`: with $ErrorActionPreference = 'Stop' Windows PowerShell
    # 5.1 turns any stderr line into a terminating error. A program that runs past its bound is
    # stopped and what it printed so far is kept; one that closed its output is given a moment to
    # exit on its own before it is stopped, so a normal exit is never cut short.
    param([string]$FilePath, [string]$Arguments, [string]$Command, [int]$TimeoutMs = 10000, [int]$MaxChars = 65536)
    Assert-MsdiagWindows
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($FilePath, $Arguments)
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.CreateNoWindow = $true
    $result = [ordered]@{ command = $Command; text = ''; exit_code = $null; timed_out = $false; truncated = $false; encoding = $null }
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $stdout = [System.IO.MemoryStream]::new()
    $stderr = [System.IO.MemoryStream]::new()
    $copying = $null
    $copyingErrors = $null
    try {
        $copying = $process.StandardOutput.BaseStream.CopyToAsync($stdout)
        # stderr is drained too (a full pipe would block the program); w32tm prints errors there
        $copyingErrors = $process.StandardError.BaseStream.CopyToAsync($stderr)
        if ($copying.Wait($TimeoutMs)) {
            $remaining = [int][Math]::Max(1000, $TimeoutMs - $stopwatch.ElapsedMilliseconds)
            if ($process.WaitForExit($remaining)) {
                $null = $copyingErrors.Wait(1000)
                $result.exit_code = [int]$process.ExitCode
            } else {
                $result.timed_out = $true
            }
        } else {
            $result.timed_out = $true
        }
    } finally {
        if (-not $process.HasExited) {
            # Only the program this function started, still running past its bound.
            try {
                $process.Kill()
                $null = $process.WaitForExit(2000)
            } catch {
                $null = $_
            }
        }
        # its pipes are closed now: let the copies finish before the buffers are read
        foreach ($copy in @($copying, $copyingErrors)) {
            if ($null -ne $copy) {
                try {
                    $null = $copy.Wait(1000)
                } catch {
                    $null = $_
                }
            }
        }
        $process.Dispose()
    }
    if ($stderr.Length -gt 0) {
        $stdout.Write([byte[]]@(13, 10), 0, 2)
        $stderr.WriteTo($stdout)
    }
    $bytes = $stdout.ToArray()
    $decoded = ConvertFrom-MsdiagNativeBytes -Bytes $bytes
    $result.encoding = $decoded.encoding
    $text = [string]$decoded.text
    if ($text.Length -gt $MaxChars) {
        $text = $text.Substring(0, $MaxChars)
        $result.truncated = $true
    }
    $result.text = $text
    if ($result.timed_out) {
        Add-MsdiagProbeError -Probe ([System.IO.Path]::GetFileNameWithoutExtension($FilePath)) -Message "$([System.IO.Path]::GetFileName($FilePath)) did not finish within $TimeoutMs ms; what it printed before is kept" -Category 'timeout'
    }
    return $result
}

function Get-MsdiagSidAccount {
    # The account name of a SID, or $null: a lookup that may fail (a domain account off the company
    # network), never required.
    param([string]$Sid)
    try {
        return Limit-MsdiagText ([System.Security.Principal.SecurityIdentifier]::new($Sid).Translate([System.Security.Principal.NTAccount]).Value)
    } catch {
        return $null
    }
}

function ConvertTo-MsdiagUserCandidate {
    # One sign-in seen (a UserCandidate): the account name only when the SID resolves.
    param([string]$Sid, [string]$Source, $SessionId, $LogonType, $Started)
    $bounded = Limit-MsdiagText $Sid
    return [ordered]@{
        sid = $bounded; account = (Get-MsdiagSidAccount -Sid $bounded); source = $Source
        session_id = $SessionId; logon_type = $LogonType; started_utc = $Started
    }
}

function Get-MsdiagUserCandidates {
    # Who is signed in, seen without a name lookup: the owner SID of each explorer.exe with the type
    # of its logon session, and the loaded, non-special user profiles. Raw facts: msdiag chooses
    # (msdiag/capture/user_context.py); Select-MsdiagInteractiveUser applies the same rule here.
    $candidates = [System.Collections.Generic.List[object]]::new()
    foreach ($process in @(Get-CimInstance -ClassName Win32_Process -Filter "Name = 'explorer.exe'" -OperationTimeoutSec 10 | Select-Object -First 32)) {
        $owner = Invoke-CimMethod -InputObject $process -MethodName GetOwnerSid -OperationTimeoutSec 5
        # 2/3 (access denied): another user's process, not readable without elevation
        if ($null -eq $owner -or [int]$owner.ReturnValue -ne 0 -or [string]::IsNullOrEmpty([string]$owner.Sid)) {
            continue
        }
        $logonType = $null
        try {
            $logon = @(Get-CimAssociatedInstance -InputObject $process -ResultClassName Win32_LogonSession -OperationTimeoutSec 5 | Select-Object -First 1)
            if ($logon.Count -gt 0) {
                $logonType = [int]$logon[0].LogonType
            }
        } catch {
            $logonType = $null
        }
        $started = $null
        if ($null -ne $process.CreationDate) {
            $started = ([DateTime]$process.CreationDate).ToUniversalTime().ToString('o')
        }
        $candidates.Add((ConvertTo-MsdiagUserCandidate -Sid $owner.Sid -Source 'explorer' -SessionId ([int]$process.SessionId) -LogonType $logonType -Started $started))
    }
    foreach ($profile in @(Get-CimInstance -ClassName Win32_UserProfile -Filter 'Loaded = TRUE AND Special = FALSE' -OperationTimeoutSec 10 | Select-Object -First 32)) {
        $lastUse = $null
        if ($null -ne $profile.LastUseTime) {
            $lastUse = ([DateTime]$profile.LastUseTime).ToUniversalTime().ToString('o')
        }
        $candidates.Add((ConvertTo-MsdiagUserCandidate -Sid $profile.SID -Source 'profile' -SessionId $null -LogonType $null -Started $lastUse))
    }
    return , $candidates.ToArray()
}

function Select-MsdiagInteractiveUser {
    # The rule of msdiag/capture/user_context.py choose_interactive_user (keep the two the same):
    # explorer.exe owners, at the PC (logon type 2/11) before Remote Desktop (10/12) before unknown,
    # the most recently started first; else the most recently used loaded profile other than the
    # session's; else the session account unless it is a service account. Returns the chosen
    # candidate (sid, account) or $null.
    param($Context)
    $service = @('S-1-5-18', 'S-1-5-19', 'S-1-5-20')
    $sessionSid = [string]$Context.session.sid
    $rank = {
        if (@(2, 11) -contains $_.logon_type) {
            0
        } elseif (@(10, 12) -contains $_.logon_type) {
            1
        } else {
            2
        }
    }
    $explorers = @($Context.candidates | Where-Object { $_.source -eq 'explorer' -and $_.sid -and $service -notcontains $_.sid } |
            Sort-Object -Property @{ Expression = $rank; Ascending = $true }, @{ Expression = { [string]$_.started_utc }; Descending = $true })
    if ($explorers.Count -gt 0) {
        return $explorers[0]
    }
    $profiles = @($Context.candidates | Where-Object { $_.source -eq 'profile' -and $_.sid -and $_.sid -ne $sessionSid -and $service -notcontains $_.sid } |
            Sort-Object -Property @{ Expression = { [string]$_.started_utc }; Descending = $true })
    if ($profiles.Count -gt 0) {
        return $profiles[0]
    }
    if ($sessionSid -and $service -notcontains $sessionSid) {
        return $Context.session
    }
    return $null
}

function Get-MsdiagUserContext {
    # Who the scan runs as, who is signed in, and whose hive the per-user probes read (hive_sid):
    # the user_context of the check's document. Seen once per session for 120 s (a global: every
    # check of one runner then reads the same user's hive).
    $cached = Get-Variable -Name 'MsdiagUserContextCache' -Scope Global -ValueOnly -ErrorAction SilentlyContinue
    if ($null -ne $cached -and ([DateTime]::UtcNow - $cached.At).TotalSeconds -lt 120) {
        return $cached.Context
    }
    Assert-MsdiagWindows
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $context = [ordered]@{
        session    = [ordered]@{ sid = Limit-MsdiagText $identity.User.Value; account = Limit-MsdiagText $identity.Name }
        candidates = @()
        hive_sid   = $null
    }
    $context.candidates = Get-MsdiagUserCandidates
    $chosen = Select-MsdiagInteractiveUser -Context $context
    if ($null -ne $chosen) {
        $context.hive_sid = $chosen.sid
    }
    $global:MsdiagUserContextCache = @{ At = [DateTime]::UtcNow; Context = $context }
    return $context
}

function Get-MsdiagUserHive {
    # The registry path of the signed-in user's hive (HKEY_USERS\<SID>; HKU: is not a drive by
    # default), or $null when nobody is signed in. Throws when that hive is not loaded.
    param($Context)
    if ($null -eq $Context -or [string]::IsNullOrEmpty([string]$Context.hive_sid)) {
        return $null
    }
    $path = "Registry::HKEY_USERS\$($Context.hive_sid)"
    if (-not (Test-Path -LiteralPath $path)) {
        throw "the hive of the signed-in user ($($Context.hive_sid)) is not loaded"
    }
    return $path
}

function Test-MsdiagSessionIsUser {
    # The scan runs as the signed-in user: then the facts only a session can read are theirs too.
    param($Context)
    return ($null -ne $Context -and $Context.hive_sid -and $Context.hive_sid -eq $Context.session.sid)
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
    # The one JSON document this check prints (primitives only: see the check's data model). A
    # per-user check passes -UserContext: who was signed in and whose hive it read.
    param([string]$Check, $Data, $UserContext = $null)
    $document = [ordered]@{
        check          = $Check
        schema_version = 2
        collected_utc  = $msdiagCheck.CollectedUtc
        elapsed_ms     = [int]$msdiagCheck.Stopwatch.ElapsedMilliseconds
        data           = $Data
        errors         = $msdiagCheck.Errors.ToArray()
    }
    if ($null -ne $UserContext) {
        $document.user_context = $UserContext
    }
    ConvertTo-Json -InputObject $document -Depth 10 -Compress
}
