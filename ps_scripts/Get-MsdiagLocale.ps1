<#
.SYNOPSIS
    msdiag check "locale": culture, UI culture, system locale, home location and user languages.
.DESCRIPTION
    Prints one compressed JSON document (check "locale") with Get-Culture, Get-UICulture,
    Get-WinSystemLocale (name, LCID, English and localized name), Get-WinHomeLocation (GeoId, name)
    and Get-WinUserLanguageList. When the International module is not available (PowerShell 7 on
    some systems) the same facts are read from the registry instead.
.NOTES
    Read-only: reads culture objects and the registry, changes nothing. Works on Windows PowerShell
    5.1 and PowerShell 7; outside Windows only the culture and UI culture can be read.
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
    param([string]$Path, [string]$Name)
    Assert-MsdiagWindows
    if (-not (Test-Path -LiteralPath $Path)) {
        return $null
    }
    $key = Get-Item -LiteralPath $Path
    return $key.GetValue($Name, $null)
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

function ConvertTo-MsdiagCulture {
    param([System.Globalization.CultureInfo]$Culture)
    if ($null -eq $Culture) {
        return $null
    }
    return [ordered]@{
        name         = Limit-MsdiagText $Culture.Name
        lcid         = [int]$Culture.LCID
        english_name = Limit-MsdiagText $Culture.EnglishName
        display_name = Limit-MsdiagText $Culture.DisplayName
    }
}

function Get-MsdiagCultureFromLcidText {
    # Registry LCIDs are hex strings such as "00000411" (ja-JP).
    param([string]$Text)
    $lcid = [System.Convert]::ToInt32($Text.Trim(), 16)
    return [System.Globalization.CultureInfo]::GetCultureInfo($lcid)
}

$data = [ordered]@{
    culture        = $null
    ui_culture     = $null
    system_locale  = $null
    home_location  = $null
    user_languages = @()
}

Invoke-MsdiagProbe 'culture' {
    $data.culture = ConvertTo-MsdiagCulture (Get-Culture)
}

Invoke-MsdiagProbe 'ui_culture' {
    $data.ui_culture = ConvertTo-MsdiagCulture (Get-UICulture)
}

Invoke-MsdiagProbe 'system_locale' {
    Assert-MsdiagWindows
    $culture = $null
    if ($null -ne (Get-Command -Name 'Get-WinSystemLocale' -ErrorAction SilentlyContinue)) {
        try {
            $culture = Get-WinSystemLocale
        } catch {
            $culture = $null
        }
    }
    if ($null -eq $culture) {
        # UNVERIFIED fallback: the system locale LCID is the default value of Nls\Locale ("00000411").
        $lcidText = Get-MsdiagRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\Locale' -Name ''
        if ($null -eq $lcidText) {
            throw 'Get-WinSystemLocale is not available and the registry has no system locale'
        }
        $culture = Get-MsdiagCultureFromLcidText -Text ([string]$lcidText)
    }
    $data.system_locale = ConvertTo-MsdiagCulture $culture
}

Invoke-MsdiagProbe 'home_location' {
    Assert-MsdiagWindows
    $homeLocation = [ordered]@{ geo_id = $null; name = $null; iso2 = $null }
    $location = $null
    if ($null -ne (Get-Command -Name 'Get-WinHomeLocation' -ErrorAction SilentlyContinue)) {
        try {
            $location = Get-WinHomeLocation
        } catch {
            $location = $null
        }
    }
    if ($null -ne $location) {
        $homeLocation.geo_id = [int]$location.GeoId
        $homeLocation.name = Limit-MsdiagText $location.HomeLocation
    }
    $geoPath = 'HKCU:\Control Panel\International\Geo'
    if ($null -eq $homeLocation.geo_id) {
        $nation = 0
        if ([int]::TryParse([string](Get-MsdiagRegistryValue -Path $geoPath -Name 'Nation'), [ref]$nation)) {
            $homeLocation.geo_id = $nation
        }
    }
    # UNVERIFIED: Geo\Name holds the two-letter region code ("JP") on recent Windows 10/11 builds;
    # older builds do not have it, so iso2 stays optional.
    $iso2 = Get-MsdiagRegistryValue -Path $geoPath -Name 'Name'
    if ($null -ne $iso2 -and ([string]$iso2) -match '^[A-Za-z]{2}$') {
        $homeLocation.iso2 = ([string]$iso2).ToUpperInvariant()
    }
    if ($null -eq $homeLocation.geo_id -and $null -eq $homeLocation.iso2) {
        throw 'neither Get-WinHomeLocation nor the registry (Control Panel\International\Geo) gave a home location'
    }
    $data.home_location = $homeLocation
}

Invoke-MsdiagProbe 'user_languages' {
    Assert-MsdiagWindows
    $languages = [System.Collections.Generic.List[object]]::new()
    $list = $null
    if ($null -ne (Get-Command -Name 'Get-WinUserLanguageList' -ErrorAction SilentlyContinue)) {
        try {
            $list = @(Get-WinUserLanguageList)
        } catch {
            $list = $null
        }
    }
    if ($null -ne $list) {
        foreach ($language in ($list | Select-Object -First 64)) {
            $languages.Add([ordered]@{
                    tag          = Limit-MsdiagText $language.LanguageTag
                    english_name = Limit-MsdiagText $language.EnglishName
                    autonym      = Limit-MsdiagText $language.Autonym
                })
        }
    } else {
        # UNVERIFIED fallback: HKCU\Control Panel\International\User Profile\Languages (REG_MULTI_SZ of tags).
        $tags = Get-MsdiagRegistryValue -Path 'HKCU:\Control Panel\International\User Profile' -Name 'Languages'
        if ($null -eq $tags) {
            throw 'Get-WinUserLanguageList is not available and the registry has no language list'
        }
        foreach ($tag in (@($tags) | Select-Object -First 64)) {
            $languages.Add([ordered]@{ tag = Limit-MsdiagText $tag; english_name = $null; autonym = $null })
        }
    }
    $data.user_languages = $languages.ToArray()
}

Write-MsdiagDocument -Check 'locale' -Data $data
