<#
.SYNOPSIS
    msdiag check "identity": device join and PRT state, Microsoft account policy and the signed-in account.
.DESCRIPTION
    Prints one compressed JSON document (check "identity") with what `dsregcmd.exe /status`
    printed (raw, bounded: msdiag reads the join, user and SSO state from it; its User State and
    SSO State are those of the account the scan runs as), the NoConnectedUser policy that blocks
    Microsoft accounts (HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System), the
    signed-in user (found by Get-MsdiagUserContext, without a name lookup) and whether that user
    signs in to Windows with a Microsoft account.
.NOTES
    Read-only: runs dsregcmd /status (which only reports) and reads CIM and the registry; changes
    nothing. Get-LocalUser is used on Windows PowerShell 5.1 only: on PowerShell 7 its module loads
    in the Windows PowerShell compatibility session, which writes a proxy module to %TEMP%.
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
    dsregcmd           = $null
    dsregcmd_output    = $null
    no_connected_user  = $null
    signed_in_with_msa = $null
    user_name          = $null
}
# A holder, not a variable: probes run in child scopes and must update what they share.
$user = @{ context = $null }

Invoke-MsdiagProbe 'user_context' {
    $user.context = Get-MsdiagUserContext
}

Invoke-MsdiagProbe 'dsregcmd' {
    Assert-MsdiagWindows
    $command = Get-Command -Name 'dsregcmd.exe' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $command) {
        $data.dsregcmd = [ordered]@{ available = $false }
        throw [System.PlatformNotSupportedException]::new('dsregcmd.exe is not on this system')
    }
    # 20 s: dsregcmd waits on network calls (device registration discovery, PRT diagnostics) that
    # a broken network makes slow; with the endpoints check's 16 s it stays within the scan's
    # default 60 s. What it printed before the bound is kept.
    $data.dsregcmd_output = Invoke-MsdiagNativeCommand -FilePath $command.Source -Arguments '/status' -Command 'dsregcmd /status' -TimeoutMs 20000
}

Invoke-MsdiagProbe 'no_connected_user' {
    $value = Get-MsdiagRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System' -Name 'NoConnectedUser'
    $data.no_connected_user = ConvertTo-MsdiagUInt32 $value
}

Invoke-MsdiagProbe 'user_account' {
    Assert-MsdiagWindows
    $context = $user.context
    if ($null -eq $context -or [string]::IsNullOrEmpty([string]$context.hive_sid)) {
        throw 'nobody is signed in: no user account to report'
    }
    $sid = [string]$context.hive_sid
    if ($sid -notmatch '^S-1-[0-9]+(-[0-9]+)+$') {
        throw "not a SID: $(Limit-MsdiagText $sid 80)"  # it goes into a WQL filter below
    }
    $account = $null
    foreach ($candidate in @($context.candidates)) {
        if ($candidate.sid -eq $sid -and $candidate.account) {
            $account = [string]$candidate.account
        }
    }
    # The console user's name as Windows shows it (MicrosoftAccount\x@outlook.com for a Microsoft
    # account), when the user chosen is the console's: Win32_ComputerSystem.UserName names only it.
    $console = [string](Get-CimInstance -ClassName Win32_ComputerSystem -OperationTimeoutSec 10).UserName
    if ($console -and $account -and $console.Split('\')[-1] -eq $account.Split('\')[-1]) {
        $account = $console
    } elseif ($console.StartsWith('MicrosoftAccount\') -and -not $account) {
        $account = $console
    }
    $data.user_name = Limit-MsdiagText $account
    if ([string]$account -like 'MicrosoftAccount\*') {
        $data.signed_in_with_msa = $true
    } elseif ($sid.StartsWith('S-1-12-1-')) {
        $data.signed_in_with_msa = $false  # a Microsoft Entra ID account
    } else {
        $local = @(Get-CimInstance -ClassName Win32_UserAccount -Filter "LocalAccount = TRUE AND SID = '$sid'" -OperationTimeoutSec 10)
        if ($local.Count -eq 0) {
            $data.signed_in_with_msa = $false  # a domain account
        } elseif ($PSVersionTable.PSEdition -eq 'Desktop') {
            # A local account linked to a Microsoft account reports PrincipalSource MicrosoftAccount.
            # UNVERIFIED: Get-LocalUser is missing from 32-bit PowerShell; then this stays $null.
            $localUser = Get-LocalUser -SID $sid
            $data.signed_in_with_msa = ("$($localUser.PrincipalSource)" -eq 'MicrosoftAccount')
        } else {
            throw [System.PlatformNotSupportedException]::new('on PowerShell 7 whether a local account is linked to a Microsoft account is not read: Get-LocalUser would start the Windows PowerShell compatibility session, which writes to %TEMP%')
        }
    }
}

Write-MsdiagDocument -Check 'identity' -Data $data -UserContext $user.context
