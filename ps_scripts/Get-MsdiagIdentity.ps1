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

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

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
