<#
.SYNOPSIS
    msdiag check "network": adapters, VPNs, DNS servers, default route and hosts-file overrides.
.DESCRIPTION
    Prints one compressed JSON document (check "network") with the network adapters (name,
    description, status, media type, ifIndex, and whether the description matches a known VPN
    client's virtual adapter), Windows VPN profiles (per user and all-user), DNS servers per
    interface, the default route with the lowest metric, and hosts-file entries whose name is (or
    is under) a Microsoft account or connectivity domain.
.NOTES
    Read-only: reads adapter, VPN, DNS and route configuration and the hosts file; changes nothing.
    Get-VpnConnection lists only Windows' built-in VPN profiles (not AnyConnect or GlobalProtect),
    which is why adapter descriptions are matched as well.
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

# Virtual adapter descriptions of VPN clients (public code; see windows-facts.md). Wildcard -> label.
$vpnVendors = @(
    @{ pattern = '*AnyConnect*'; vendor = 'Cisco AnyConnect' },
    @{ pattern = '*Cisco Secure Client*'; vendor = 'Cisco Secure Client' },
    @{ pattern = '*PANGP*'; vendor = 'Palo Alto GlobalProtect' },
    @{ pattern = '*Fortinet*'; vendor = 'Fortinet FortiClient' },
    @{ pattern = '*TAP-Windows*'; vendor = 'OpenVPN (TAP-Windows)' },
    @{ pattern = '*WireGuard*'; vendor = 'WireGuard' },
    @{ pattern = '*Tailscale*'; vendor = 'Tailscale' },
    @{ pattern = '*Wintun*'; vendor = 'Wintun' },
    @{ pattern = '*Juniper*'; vendor = 'Juniper / Pulse Secure' },
    @{ pattern = '*Pulse Secure*'; vendor = 'Juniper / Pulse Secure' },
    @{ pattern = '*Check Point Virtual Network*'; vendor = 'Check Point' },
    @{ pattern = '*SonicWall*'; vendor = 'SonicWall' }
)
# Domains whose hosts-file overrides break Microsoft account sign-in or the connectivity check.
$watchedDomains = @(
    'live.com', 'microsoft.com', 'microsoftonline.com', 'msftauth.net', 'msauth.net',
    'msftconnecttest.com', 'msidentity.com', 'windows.net', 'gfx.ms', 'phonefactor.net'
)

function Test-MsdiagWatchedHost {
    param([string]$Name)
    $lower = $Name.ToLowerInvariant().TrimEnd('.')
    foreach ($domain in $watchedDomains) {
        if ($lower -eq $domain -or $lower.EndsWith(".$domain")) {
            return $true
        }
    }
    return $false
}

$data = [ordered]@{
    adapters            = @()
    vpn_profiles        = @()
    dns_servers         = @()
    default_route       = $null
    hosts_entries       = @()
    hosts_file_readable = $null
}

Invoke-MsdiagProbe 'adapters' {
    Assert-MsdiagWindows
    $adapters = [System.Collections.Generic.List[object]]::new()
    foreach ($adapter in @(Get-NetAdapter | Select-Object -First 256)) {
        $description = [string]$adapter.InterfaceDescription
        $vendor = $null
        foreach ($candidate in $vpnVendors) {
            if ($description -like $candidate.pattern) {
                $vendor = $candidate.vendor
                break
            }
        }
        $adapters.Add([ordered]@{
                name        = Limit-MsdiagText $adapter.Name
                description = Limit-MsdiagText $description
                status      = Limit-MsdiagText $adapter.Status
                media_type  = Limit-MsdiagText $adapter.MediaType
                if_index    = [int]$adapter.ifIndex
                is_vpn      = ($null -ne $vendor)
                vpn_vendor  = $vendor
            })
    }
    $data.adapters = $adapters.ToArray()
}

$profiles = [System.Collections.Generic.List[object]]::new()
foreach ($allUsers in @($false, $true)) {
    $probeName = $(if ($allUsers) { 'vpn_profiles_all_users' } else { 'vpn_profiles' })
    Invoke-MsdiagProbe $probeName {
        Assert-MsdiagWindows
        if ($allUsers) {
            $connections = @(Get-VpnConnection -AllUserConnection)
        } else {
            $connections = @(Get-VpnConnection)
        }
        foreach ($connection in ($connections | Select-Object -First 32)) {
            $profiles.Add([ordered]@{
                    name              = Limit-MsdiagText $connection.Name
                    server_address    = Limit-MsdiagText $connection.ServerAddress
                    tunnel_type       = Limit-MsdiagText $connection.TunnelType
                    split_tunneling   = [bool]$connection.SplitTunneling
                    connection_status = Limit-MsdiagText $connection.ConnectionStatus
                    all_users         = $allUsers
                })
        }
    }
}
$data.vpn_profiles = $profiles.ToArray()

Invoke-MsdiagProbe 'dns_servers' {
    Assert-MsdiagWindows
    $servers = [System.Collections.Generic.List[object]]::new()
    foreach ($entry in @(Get-DnsClientServerAddress | Select-Object -First 256)) {
        $addresses = @($entry.ServerAddresses | Select-Object -First 32 | ForEach-Object { Limit-MsdiagText $_ })
        if ($addresses.Count -gt 0) {
            $servers.Add([ordered]@{
                    interface_alias = Limit-MsdiagText $entry.InterfaceAlias
                    if_index        = [int]$entry.InterfaceIndex
                    addresses       = $addresses
                })
        }
    }
    $data.dns_servers = $servers.ToArray()
}

Invoke-MsdiagProbe 'default_route' {
    Assert-MsdiagWindows
    # RouteMetric only: the interface metric that Windows adds is not on the route object.
    $route = Get-NetRoute -DestinationPrefix '0.0.0.0/0' -ErrorAction SilentlyContinue |
        Sort-Object -Property RouteMetric | Select-Object -First 1
    if ($null -ne $route) {
        $data.default_route = [ordered]@{
            interface_alias = Limit-MsdiagText $route.InterfaceAlias
            if_index        = [int]$route.ifIndex
            next_hop        = Limit-MsdiagText $route.NextHop
        }
    }
}

Invoke-MsdiagProbe 'hosts_file' {
    if ($msdiagIsWindows) {
        $hostsPath = Join-Path -Path ([System.Environment]::GetFolderPath('System')) -ChildPath 'drivers\etc\hosts'
    } else {
        $hostsPath = '/etc/hosts'
    }
    $data.hosts_file_readable = $false
    $lines = @(Get-Content -LiteralPath $hostsPath -TotalCount 100000)
    $data.hosts_file_readable = $true
    $entries = [System.Collections.Generic.List[object]]::new()
    $lineNumber = 0
    foreach ($line in $lines) {
        $lineNumber++
        $content = ([string]$line).Split('#')[0].Trim()
        if ($content.Length -eq 0) {
            continue
        }
        $fields = @($content -split '\s+')
        if ($fields.Count -lt 2) {
            continue
        }
        foreach ($name in ($fields | Select-Object -Skip 1)) {
            if ($entries.Count -lt 256 -and (Test-MsdiagWatchedHost -Name $name)) {
                $entries.Add([ordered]@{ address = (Limit-MsdiagText $fields[0]); hostname = (Limit-MsdiagText $name); line_number = $lineNumber })
            }
        }
    }
    $data.hosts_entries = $entries.ToArray()
}

Write-MsdiagDocument -Check 'network' -Data $data
