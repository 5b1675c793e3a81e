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

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
if (-not (Get-Command -Name 'Resolve-MsdiagInternetSettingsScope' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagWinInet.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

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
    if (-not (Test-MsdiagWindows)) {
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
