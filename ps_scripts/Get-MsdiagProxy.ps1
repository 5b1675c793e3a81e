<#
.SYNOPSIS
    msdiag check "proxy": WinINET (per user), WinHTTP (machine) and environment proxy settings.
.DESCRIPTION
    Prints one compressed JSON document (check "proxy") with:
    - WinINET settings of the signed-in user (ProxyEnable, ProxyServer, ProxyOverride,
      AutoConfigURL, auto-detect), read from their hive HKEY_USERS\<SID>: over PowerShell
      remoting the session runs as the connecting account, so "scope" says whose settings these
      are, and the document's user_context who was signed in.
    - the WinHTTP proxy (used by services, the token broker and device join), from the registry
      value WinHttpSettings, or the raw text of `netsh winhttp show proxy` when that value is
      absent (msdiag reads it).
    - HTTP_PROXY / HTTPS_PROXY / NO_PROXY / ALL_PROXY at user scope (the signed-in user's
      Environment key), machine and process scope.
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

$data = [ordered]@{
    scope          = $null
    wininet        = $null
    winhttp        = $null
    winhttp_output = $null
    environment    = @()
}
# Holders, not variables: probes run in child scopes and must update what they share.
$wininetLocation = @{ path = $null }
$user = @{ context = $null }

Invoke-MsdiagProbe 'user_context' {
    $user.context = Get-MsdiagUserContext
}

Invoke-MsdiagProbe 'scope' {
    if ($null -eq $user.context) {
        throw 'who is signed in could not be read (see the user_context probe)'
    }
    $scope = [ordered]@{ source = $null; user = $null; sid = $null; path = $null }
    try {
        Resolve-MsdiagInternetSettingsScope -Scope $scope -Context $user.context
    } finally {
        if ($null -ne $scope.source) {
            $data.scope = [ordered]@{ source = $scope.source; user = $scope.user; sid = $scope.sid }
            $wininetLocation.path = $scope.path
        }
    }
    if ($scope.source -eq 'unavailable') {
        throw "nobody is signed in, or the hive of $($scope.sid) (HKEY_USERS\$($scope.sid)) is not loaded, so no user's proxy settings can be read"
    }
}

Invoke-MsdiagProbe 'wininet' {
    Assert-MsdiagWindows
    if ($null -eq $wininetLocation.path) {
        throw 'the signed-in user''s settings are not readable (see the scope probe)'
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
    $data.winhttp = Get-MsdiagWinHttpSetting
    if ($null -eq $data.winhttp) {
        # No WinHttpSettings value: what netsh prints, for msdiag to read (localized text).
        $netsh = Get-Command -Name 'netsh.exe' -CommandType Application -ErrorAction Stop | Select-Object -First 1
        $data.winhttp_output = Invoke-MsdiagNativeCommand -FilePath $netsh.Source -Arguments 'winhttp show proxy' -Command 'netsh winhttp show proxy' -TimeoutMs 10000
    }
}

Invoke-MsdiagProbe 'environment' {
    $variables = [System.Collections.Generic.List[object]]::new()
    $names = @('HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY')
    if (-not (Test-MsdiagWindows)) {
        # Outside Windows the names are case-sensitive and tools read the lowercase ones too.
        $names += @('http_proxy', 'https_proxy', 'no_proxy', 'all_proxy')
    }
    # User scope is the signed-in user's Environment key ([Environment]'s User target would be the
    # session account's HKCU); machine and process scope are read as they are.
    $hive = $null
    if ((Test-MsdiagWindows) -and $null -ne $user.context) {
        try {
            $hive = Get-MsdiagUserHive -Context $user.context
        } catch {
            Add-MsdiagProbeError -Probe 'environment_user' -Message "$($_.Exception.Message)" -Category (Get-MsdiagErrorCategory -Record $_)
        }
    }
    foreach ($name in $names) {
        $value = $null
        if ($null -ne $hive) {
            $value = Get-MsdiagRegistryValue -Path "$hive\Environment" -Name $name
        }
        if (-not [string]::IsNullOrEmpty([string]$value)) {
            $variables.Add([ordered]@{ scope = 'user'; name = $name; value = (Limit-MsdiagText $value 4096) })
        }
    }
    $targets = @(
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

Write-MsdiagDocument -Check 'proxy' -Data $data -UserContext $user.context
