<#
.SYNOPSIS
    msdiag shared helper: whose WinINET (Internet Settings) proxy settings apply on this machine.
.DESCRIPTION
    Defines Resolve-MsdiagInternetSettingsScope, used by the "proxy" check (which reports the
    WinINET settings) and the "endpoints" check (which probes the PAC file of the same user), so
    that both always read the same user's settings, and the reader of the machine's WinHTTP proxy
    setting both report or probe. It calls helpers of MsdiagCommon.ps1.

    Loaded like MsdiagCommon.ps1: a check script run on its own dot-sources it from its own
    folder; the runner msdiag composes defines it once, before the checks.
.NOTES
    Read-only: only defines functions; they read the registry and change nothing.
    Windows PowerShell 5.1 and PowerShell 7, StrictMode-safe.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

function Resolve-MsdiagInternetSettingsScope {
    # Whose WinINET settings apply: the signed-in user's (Get-MsdiagUserContext, found without a
    # name lookup), read from their hive HKEY_USERS\<SID>. Over PowerShell remoting (or as SYSTEM
    # from an agent) the session is not that user, so its own HKCU would be the wrong settings.
    # Fills $Scope (source, user, sid, path) step by step, so a failure half-way still leaves what
    # was learnt; source 'unavailable' = nobody is signed in, or that hive is not loaded.
    param([System.Collections.IDictionary]$Scope, $Context)
    Assert-MsdiagWindows
    $subKey = 'Software\Microsoft\Windows\CurrentVersion\Internet Settings'
    $Scope['source'] = 'unavailable'
    $Scope['user'] = Limit-MsdiagText $Context.session.account
    $Scope['sid'] = Limit-MsdiagText $Context.session.sid
    $Scope['path'] = $null
    if ([string]::IsNullOrEmpty([string]$Context.hive_sid)) {
        return
    }
    $Scope['sid'] = Limit-MsdiagText $Context.hive_sid
    $Scope['user'] = $null
    foreach ($candidate in @($Context.candidates)) {
        if ($candidate.sid -eq $Context.hive_sid -and $candidate.account) {
            $Scope['user'] = $candidate.account
        }
    }
    $path = "Registry::HKEY_USERS\$($Context.hive_sid)\$subKey"
    if (Test-Path -LiteralPath $path) {
        $Scope['path'] = $path
        $Scope['source'] = $(if (Test-MsdiagSessionIsUser -Context $Context) { 'current_user' } else { 'interactive_user' })
    }
}

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

function Get-MsdiagWinHttpSetting {
    # The machine's WinHTTP proxy from the registry value WinHttpSettings (what `netsh winhttp show
    # proxy` shows; KB 4494447), or $null when the value is absent (then WinHTTP is direct).
    $blob = Get-MsdiagRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' -Name 'WinHttpSettings'
    if ($blob -isnot [byte[]]) {
        return $null
    }
    $parsed = ConvertFrom-MsdiagConnectionBlob -Bytes $blob
    $proxyServer = Limit-MsdiagText $parsed.proxy_server 4096
    $bypass = Limit-MsdiagText $parsed.bypass 4096
    return [ordered]@{
        source       = 'registry'
        direct       = (($parsed.flags -band 2) -eq 0 -or [string]::IsNullOrEmpty($proxyServer))
        proxy_server = $(if ([string]::IsNullOrEmpty($proxyServer)) { $null } else { $proxyServer })
        bypass_list  = $(if ([string]::IsNullOrEmpty($bypass)) { $null } else { $bypass })
    }
}
