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

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

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
            # PowerShell 7 loads the International module through Windows PowerShell compatibility
            # (implicit remoting): the result is a deserialized object that does not bind to
            # [CultureInfo]. Rebuild the real culture from its name. UNVERIFIED on PowerShell 7.
            if ($null -ne $culture -and $culture -isnot [System.Globalization.CultureInfo]) {
                $culture = [System.Globalization.CultureInfo]::GetCultureInfo([string]$culture.Name)
            }
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
            # The cmdlet writes ONE List[WinUserLanguage] object, not its items: without the
            # ForEach-Object that unrolls it, the whole list became one language whose tag was
            # every tag joined ("ja en-US").
            $list = @(Get-WinUserLanguageList | ForEach-Object { $_ })
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
