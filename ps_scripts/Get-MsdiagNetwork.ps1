<#
.SYNOPSIS
    msdiag check "network": adapters, VPNs, DNS servers, default route and hosts-file overrides.
.DESCRIPTION
    Prints one compressed JSON document (check "network") with the network adapters (name,
    description, status, media type, ifIndex, and whether the description matches a known VPN
    client's virtual adapter), Windows VPN profiles (per user and all-user), DNS servers per
    interface, the default route Windows uses (lowest route + interface metric), and hosts-file entries whose name is (or
    is under) a Microsoft account or connectivity domain.
.NOTES
    Read-only: reads adapter, VPN, DNS and route configuration and the hosts file; changes nothing.
    Get-VpnConnection lists only Windows' built-in VPN profiles (not AnyConnect or GlobalProtect),
    which is why adapter descriptions are matched as well.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

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
    # Windows adds the interface metric to the route metric and uses the lowest sum (Get-NetRoute:
    # "the RouteMetric property is added to the InterfaceMetric property, described as a part of
    # NetIPInterface"), so a VPN with a low interface metric wins over a route with a lower metric.
    $interfaceMetrics = @{}
    foreach ($interface in @(Get-NetIPInterface -AddressFamily IPv4 -ErrorAction SilentlyContinue)) {
        $interfaceMetrics[[int]$interface.ifIndex] = [int]$interface.InterfaceMetric
    }
    $best = $null
    $bestMetric = [int64]::MaxValue
    foreach ($route in @(Get-NetRoute -DestinationPrefix '0.0.0.0/0' -ErrorAction SilentlyContinue)) {
        $interfaceMetric = $null
        if ($interfaceMetrics.ContainsKey([int]$route.ifIndex)) {
            $interfaceMetric = $interfaceMetrics[[int]$route.ifIndex]
        }
        $total = [int64]$route.RouteMetric + [int64]$(if ($null -eq $interfaceMetric) { 0 } else { $interfaceMetric })
        if ($total -lt $bestMetric) {
            $bestMetric = $total
            $best = @{ route = $route; interface_metric = $interfaceMetric }
        }
    }
    if ($null -ne $best) {
        $data.default_route = [ordered]@{
            interface_alias  = Limit-MsdiagText $best.route.InterfaceAlias
            if_index         = [int]$best.route.ifIndex
            next_hop         = Limit-MsdiagText $best.route.NextHop
            route_metric     = [int]$best.route.RouteMetric
            interface_metric = $best.interface_metric
        }
    }
}

Invoke-MsdiagProbe 'hosts_file' {
    if (Test-MsdiagWindows) {
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
