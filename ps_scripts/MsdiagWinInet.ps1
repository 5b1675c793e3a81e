<#
.SYNOPSIS
    msdiag shared helper: whose WinINET (Internet Settings) proxy settings apply on this machine.
.DESCRIPTION
    Defines Resolve-MsdiagInternetSettingsScope, used by the "proxy" check (which reports the
    WinINET settings) and the "endpoints" check (which probes the PAC file of the same user), so
    that both always read the same user's settings. It calls helpers of MsdiagCommon.ps1.

    Loaded like MsdiagCommon.ps1: a check script run on its own dot-sources it from its own
    folder; the runner msdiag composes defines it once, before the checks.
.NOTES
    Read-only: only defines a function; it reads WMI/CIM and the registry and changes nothing.
    Windows PowerShell 5.1 and PowerShell 7, StrictMode-safe.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

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
