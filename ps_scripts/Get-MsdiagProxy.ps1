<#
.SYNOPSIS
    msdiag check "proxy": WinINET (per user), WinHTTP (machine) and environment proxy settings.
.DESCRIPTION
    Prints one compressed JSON document (check "proxy") with:
    - WinINET settings of the interactive user (ProxyEnable, ProxyServer, ProxyOverride,
      AutoConfigURL, auto-detect). Over PowerShell remoting the session runs as the connecting
      account, so when that is not the signed-in user the signed-in user's hive is read from
      HKEY_USERS\<SID>, and "scope" says whose settings these are.
    - the WinHTTP proxy (used by services, the token broker and device join), from the registry
      value WinHttpSettings, or from `netsh winhttp show proxy` when that value is absent.
    - HTTP_PROXY / HTTPS_PROXY / NO_PROXY / ALL_PROXY at user, machine and process scope.
.NOTES
    Read-only: reads the registry, environment variables and netsh output; changes nothing.
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

function ConvertFrom-MsdiagConnectionBlob {
    # Parses the binary connection settings shared by WinHttpSettings and WinINET's
    # DefaultConnectionSettings. UNVERIFIED layout (public write-ups, not Microsoft documentation):
    #   bytes 0-3 structure version, 4-7 change counter, 8-11 flags
    #   (1 = direct, 2 = proxy, 4 = auto-config URL, 8 = auto-detect), 12-15 proxy string length N,
    #   N bytes ASCII proxy server, 4 bytes bypass length M, M bytes ASCII bypass list, ...
    # Every length is checked against the bytes that remain; anything out of bounds throws.
    param([byte[]]$Bytes)
    if ($null -eq $Bytes -or $Bytes.Length -lt 16) {
        throw 'connection settings blob is shorter than its 16-byte header'
    }
    $flags = [System.BitConverter]::ToUInt32($Bytes, 8)
    $offset = 12
    $proxyLength = [System.BitConverter]::ToUInt32($Bytes, $offset)
    $offset += 4
    if ($proxyLength -gt ($Bytes.Length - $offset) -or $proxyLength -gt 4096) {
        throw "connection settings blob: proxy length $proxyLength is out of bounds"
    }
    $proxyServer = [System.Text.Encoding]::ASCII.GetString($Bytes, $offset, [int]$proxyLength)
    $offset += [int]$proxyLength
    $bypass = ''
    if ($Bytes.Length - $offset -ge 4) {
        $bypassLength = [System.BitConverter]::ToUInt32($Bytes, $offset)
        $offset += 4
        if ($bypassLength -gt ($Bytes.Length - $offset) -or $bypassLength -gt 4096) {
            throw "connection settings blob: bypass length $bypassLength is out of bounds"
        }
        $bypass = [System.Text.Encoding]::ASCII.GetString($Bytes, $offset, [int]$bypassLength)
    }
    return [ordered]@{ flags = $flags; proxy_server = $proxyServer; bypass = $bypass }
}

function ConvertFrom-MsdiagCodePoints {
    # The scripts stay ASCII (Windows PowerShell 5.1 reads a .ps1 without a BOM in the ANSI code
    # page), so Japanese text is spelled as code points.
    param([int[]]$CodePoints)
    return (-join ($CodePoints | ForEach-Object { [char]$_ }))
}

function Get-MsdiagNetshWinHttp {
    # Only used when the registry value is absent. netsh output is localized:
    # en "Direct access (no proxy server)." / ja "Chokusetsu akusesu (purokishi saabaa nashi)."
    # (windows-facts.md). The Japanese labels are UNVERIFIED; Invoke-MsdiagNativeCommand decodes
    # the output whether netsh writes UTF-8 or the OEM code page.
    $netsh = Get-Command -Name 'netsh.exe' -CommandType Application -ErrorAction Stop | Select-Object -First 1
    $directJa = (ConvertFrom-MsdiagCodePoints 0x76F4,0x63A5,0x30A2,0x30AF,0x30BB,0x30B9)
    $proxyLabelJa = (ConvertFrom-MsdiagCodePoints 0x30D7,0x30ED,0x30AD,0x30B7,0x0020,0x30B5,0x30FC,0x30D0,0x30FC)
    $bypassLabelJa = (ConvertFrom-MsdiagCodePoints 0x30D0,0x30A4,0x30D1,0x30B9,0x4E00,0x89A7)
    $lines = Invoke-MsdiagNativeCommand -FilePath $netsh.Source -Arguments 'winhttp show proxy' -TimeoutMs 10000
    $text = ($lines | ForEach-Object { [string]$_ }) -join "`n"
    $result = [ordered]@{ source = 'netsh'; direct = $null; proxy_server = $null; bypass_list = $null }
    if ($text -match 'Direct access \(no proxy server\)' -or $text.Contains($directJa)) {
        $result.direct = $true
        return $result
    }
    foreach ($line in $lines) {
        $lineText = [string]$line
        $label = $null
        if ($lineText -match '^\s*([^:]{1,40}?)\s*:\s*(\S.*)$') {
            $label = $Matches[1].Trim()
        }
        if ($label -eq 'Proxy Server(s)' -or $label -eq $proxyLabelJa) {
            $result.proxy_server = Limit-MsdiagText $Matches[2].Trim() 4096
            $result.direct = $false
        } elseif ($label -eq 'Bypass List' -or $label -eq $bypassLabelJa) {
            $result.bypass_list = Limit-MsdiagText $Matches[2].Trim() 4096
        }
    }
    if ($null -eq $result.direct) {
        throw 'netsh winhttp show proxy printed text this check does not recognise'
    }
    return $result
}

# region msdiag-wininet: identical in Get-MsdiagProxy.ps1 and Get-MsdiagEndpoints.ps1 (tests/test_ps_syntax.py)
function Resolve-MsdiagInternetSettingsScope {
    # Whose WinINET settings apply. Over PowerShell remoting (or as SYSTEM from an agent) the session
    # is not the signed-in user, so the console user's hive HKEY_USERS\<SID> is read instead of HKCU
    # (HKU:\ is not a drive by default). Fills $Scope step by step (source, user, sid, path), so a
    # failure half-way still leaves what was learnt; source 'unavailable' = that hive is not loaded.
    param([System.Collections.IDictionary]$Scope)
    Assert-MsdiagWindows
    $subKey = 'Software\Microsoft\Windows\CurrentVersion\Internet Settings'
    $current = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $Scope['source'] = 'current_user'
    $Scope['user'] = Limit-MsdiagText $current.Name
    $Scope['sid'] = Limit-MsdiagText $current.User.Value
    $Scope['path'] = "HKCU:\$subKey"
    # The interactive user (console session); empty when nobody is signed in at the console.
    $computer = Get-CimInstance -ClassName Win32_ComputerSystem -OperationTimeoutSec 10
    $interactive = [string]$computer.UserName
    if ($interactive -and $interactive -ne $current.Name) {
        $account = [System.Security.Principal.NTAccount]::new($interactive)
        $sid = $account.Translate([System.Security.Principal.SecurityIdentifier]).Value
        $Scope['source'] = 'interactive_user'
        $Scope['user'] = Limit-MsdiagText $interactive
        $Scope['sid'] = Limit-MsdiagText $sid
        $Scope['path'] = "Registry::HKEY_USERS\$sid\$subKey"
        if (-not (Test-Path -LiteralPath $Scope['path'])) {
            $Scope['source'] = 'unavailable'
        }
    }
}
# endregion msdiag-wininet

$data = [ordered]@{
    scope       = $null
    wininet     = $null
    winhttp     = $null
    environment = @()
}
$settingsSubKey = 'Software\Microsoft\Windows\CurrentVersion\Internet Settings'
# A holder, not a variable: probes run in child scopes and must update the path they share.
$wininetLocation = @{ path = "HKCU:\$settingsSubKey" }

Invoke-MsdiagProbe 'scope' {
    $scope = [ordered]@{ source = $null; user = $null; sid = $null; path = $null }
    try {
        Resolve-MsdiagInternetSettingsScope -Scope $scope
    } finally {
        if ($null -ne $scope.source) {
            $data.scope = [ordered]@{ source = $scope.source; user = $scope.user; sid = $scope.sid }
            $wininetLocation.path = $scope.path
        }
    }
    if ($scope.source -eq 'unavailable') {
        throw "the hive of $($scope.user) (HKEY_USERS\$($scope.sid)) is not loaded, so its proxy settings cannot be read"
    }
}

Invoke-MsdiagProbe 'wininet' {
    Assert-MsdiagWindows
    if ($null -ne $data.scope -and $data.scope.source -eq 'unavailable') {
        throw 'the interactive user''s settings are not readable (see the scope probe)'
    }
    $wininetPath = $wininetLocation.path
    $enable = Get-MsdiagRegistryValue -Path $wininetPath -Name 'ProxyEnable'
    $wininet = [ordered]@{
        proxy_enable    = $null
        proxy_server    = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $wininetPath -Name 'ProxyServer') 4096
        proxy_override  = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $wininetPath -Name 'ProxyOverride') 4096
        auto_config_url = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $wininetPath -Name 'AutoConfigURL') 4096
        auto_detect     = $null
    }
    if ($enable -is [byte[]]) {
        # Some old deployment tools wrote ProxyEnable as REG_BINARY; [int64] of a byte[] throws.
        $wininet.proxy_enable = (@($enable | Where-Object { $_ -ne 0 }).Count -gt 0)
    } elseif ($null -ne $enable) {
        $wininet.proxy_enable = ([int64]$enable -ne 0)
    }
    $data.wininet = $wininet
    $blob = Get-MsdiagRegistryValue -Path "$wininetPath\Connections" -Name 'DefaultConnectionSettings'
    if ($blob -is [byte[]]) {
        # auto-detect (WPAD) is flag 8 of the blob; a malformed blob leaves it $null.
        try {
            $parsed = ConvertFrom-MsdiagConnectionBlob -Bytes $blob
            $wininet.auto_detect = (($parsed.flags -band 8) -ne 0)
        } catch {
            $wininet.auto_detect = $null
        }
    }
}

Invoke-MsdiagProbe 'winhttp' {
    Assert-MsdiagWindows
    $blob = Get-MsdiagRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' -Name 'WinHttpSettings'
    if ($blob -is [byte[]]) {
        $parsed = ConvertFrom-MsdiagConnectionBlob -Bytes $blob
        $proxyServer = Limit-MsdiagText $parsed.proxy_server 4096
        $bypass = Limit-MsdiagText $parsed.bypass 4096
        $data.winhttp = [ordered]@{
            source       = 'registry'
            direct       = (($parsed.flags -band 2) -eq 0 -or [string]::IsNullOrEmpty($proxyServer))
            proxy_server = $(if ([string]::IsNullOrEmpty($proxyServer)) { $null } else { $proxyServer })
            bypass_list  = $(if ([string]::IsNullOrEmpty($bypass)) { $null } else { $bypass })
        }
    } else {
        $data.winhttp = Get-MsdiagNetshWinHttp
    }
}

Invoke-MsdiagProbe 'environment' {
    $variables = [System.Collections.Generic.List[object]]::new()
    $names = @('HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY')
    if (-not $msdiagIsWindows) {
        # Outside Windows the names are case-sensitive and tools read the lowercase ones too.
        $names += @('http_proxy', 'https_proxy', 'no_proxy', 'all_proxy')
    }
    $targets = @(
        @{ scope = 'user'; target = [System.EnvironmentVariableTarget]::User },
        @{ scope = 'machine'; target = [System.EnvironmentVariableTarget]::Machine },
        @{ scope = 'process'; target = [System.EnvironmentVariableTarget]::Process }
    )
    foreach ($target in $targets) {
        foreach ($name in $names) {
            $value = [System.Environment]::GetEnvironmentVariable($name, $target.target)
            if (-not [string]::IsNullOrEmpty($value)) {
                $variables.Add([ordered]@{ scope = $target.scope; name = $name; value = (Limit-MsdiagText $value 4096) })
            }
        }
    }
    $data.environment = $variables.ToArray()
}

Write-MsdiagDocument -Check 'proxy' -Data $data
