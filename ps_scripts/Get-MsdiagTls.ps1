<#
.SYNOPSIS
    msdiag check "tls": SCHANNEL client protocol settings, .NET strong crypto, WinHTTP protocols.
.DESCRIPTION
    Prints one compressed JSON document (check "tls") with, for TLS 1.0, 1.1, 1.2 and 1.3, whether
    HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\<protocol>\Client
    exists (absent = the OS default) and its Enabled / DisabledByDefault values; the .NET Framework
    SchUseStrongCrypto (64-bit and WOW6432Node) and SystemDefaultTlsVersions values; and WinHTTP
    DefaultSecureProtocols.
.NOTES
    Read-only: reads the registry, changes nothing. A 32-bit PowerShell sees the WOW6432Node view of
    HKLM:\SOFTWARE; run the 64-bit one.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

$data = [ordered]@{
    schannel_client                  = @()
    dotnet                           = $null
    winhttp_default_secure_protocols = $null
}

$protocols = [System.Collections.Generic.List[object]]::new()
foreach ($protocolName in @('TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3')) {
    Invoke-MsdiagProbe "schannel:$protocolName" {
        Assert-MsdiagWindows
        $path = "HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\$protocolName\Client"
        $entry = [ordered]@{ protocol = $protocolName; key_present = $false; enabled = $null; disabled_by_default = $null }
        if (Test-Path -LiteralPath $path) {
            $entry.key_present = $true
            $entry.enabled = ConvertTo-MsdiagUInt32 (Get-MsdiagRegistryValue -Path $path -Name 'Enabled')
            $entry.disabled_by_default = ConvertTo-MsdiagUInt32 (Get-MsdiagRegistryValue -Path $path -Name 'DisabledByDefault')
        }
        $protocols.Add($entry)
    }
}
$data.schannel_client = $protocols.ToArray()

Invoke-MsdiagProbe 'dotnet' {
    $path = 'HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319'
    $wowPath = 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319'
    $data.dotnet = [ordered]@{
        sch_use_strong_crypto        = ConvertTo-MsdiagUInt32 (Get-MsdiagRegistryValue -Path $path -Name 'SchUseStrongCrypto')
        sch_use_strong_crypto_wow64  = ConvertTo-MsdiagUInt32 (Get-MsdiagRegistryValue -Path $wowPath -Name 'SchUseStrongCrypto')
        system_default_tls_versions  = ConvertTo-MsdiagUInt32 (Get-MsdiagRegistryValue -Path $path -Name 'SystemDefaultTlsVersions')
    }
}

Invoke-MsdiagProbe 'winhttp' {
    $path = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp'
    $data.winhttp_default_secure_protocols = ConvertTo-MsdiagUInt32 (Get-MsdiagRegistryValue -Path $path -Name 'DefaultSecureProtocols')
}

Write-MsdiagDocument -Check 'tls' -Data $data
