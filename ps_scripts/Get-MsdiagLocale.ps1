<#
.SYNOPSIS
    msdiag check "locale": the signed-in user's language and region, the system locale, and the scan session's own culture.
.DESCRIPTION
    Prints one compressed JSON document (check "locale"). The signed-in user's settings are read
    from their hive, HKEY_USERS\<SID> (the user is found by Get-MsdiagUserContext), because over
    PowerShell remoting Get-Culture and Get-UICulture return the culture the client asked for
    (pypsrp sends en-US), not the user's:
    - culture: Control Panel\International LocaleName (else the Locale LCID);
    - ui_culture: the first of Control Panel\Desktop\PreferredUILanguages, else the language
      Windows was installed in ([CultureInfo]::InstalledUICulture);
    - home_location: Control Panel\International\Geo Nation (GeoId) and Name (two letters);
    - user_languages: Control Panel\International\User Profile Languages.
    These value names are observed registry values no Microsoft page documents: each is read
    defensively and a missing one is an error entry, never a guess. The system locale comes from
    Get-WinSystemLocale on Windows PowerShell 5.1 and from the registry on PowerShell 7 (whose
    International module would load in the Windows PowerShell compatibility session, which writes
    a proxy module to %TEMP%). The session's Get-Culture and Get-UICulture are reported apart,
    labelled as the session's.
.NOTES
    Read-only: reads culture objects and the registry, changes nothing. Works on Windows PowerShell
    5.1 and PowerShell 7; outside Windows only the session culture can be read.
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

# The fields of LocaleData, null until a probe fills them (an empty list for the languages).
$data = [ordered]@{}
foreach ($field in @('culture', 'ui_culture', 'system_locale', 'home_location', 'user_languages', 'installed_ui_culture',
        'session_culture', 'session_ui_culture')) {
    $data[$field] = $null
}
$data.user_languages = @()
# A holder, not variables: probes run in child scopes and must update what they share.
$user = @{ context = $null; hive = $null }

Invoke-MsdiagProbe 'user_context' {
    $user.context = Get-MsdiagUserContext
    $user.hive = Get-MsdiagUserHive -Context $user.context
}

function Get-MsdiagUserValue {
    # A value of the signed-in user's hive; throws when there is no readable hive.
    param([string]$SubKey, [string]$Name)
    if ($null -eq $user.hive) {
        throw 'nobody is signed in (or their hive is not readable): no user''s settings to read'
    }
    return , (Get-MsdiagRegistryValue -Path "$($user.hive)\$SubKey" -Name $Name)
}

Invoke-MsdiagProbe 'culture' {
    Assert-MsdiagWindows
    $name = [string](Get-MsdiagUserValue -SubKey 'Control Panel\International' -Name 'LocaleName')
    if ($name) {
        $data.culture = ConvertTo-MsdiagCulture ([System.Globalization.CultureInfo]::GetCultureInfo($name))
        return
    }
    $lcidText = Get-MsdiagUserValue -SubKey 'Control Panel\International' -Name 'Locale'
    if ($null -eq $lcidText) {
        throw 'the user''s hive has neither International\LocaleName nor International\Locale'
    }
    $data.culture = ConvertTo-MsdiagCulture (Get-MsdiagCultureFromLcidText -Text ([string]$lcidText))
}

Invoke-MsdiagProbe 'ui_culture' {
    Assert-MsdiagWindows
    # Set when the user picked a display language; absent = the machine's default display language.
    $preferred = Get-MsdiagUserValue -SubKey 'Control Panel\Desktop' -Name 'PreferredUILanguages'
    $first = @($preferred) | Where-Object { -not [string]::IsNullOrEmpty([string]$_) } | Select-Object -First 1
    if ($null -ne $first) {
        $data.ui_culture = ConvertTo-MsdiagCulture ([System.Globalization.CultureInfo]::GetCultureInfo([string]$first))
    } else {
        $data.ui_culture = ConvertTo-MsdiagCulture ([System.Globalization.CultureInfo]::InstalledUICulture)
    }
}

Invoke-MsdiagProbe 'installed_ui_culture' {
    $data.installed_ui_culture = ConvertTo-MsdiagCulture ([System.Globalization.CultureInfo]::InstalledUICulture)
}

Invoke-MsdiagProbe 'session_culture' {
    $data.session_culture = ConvertTo-MsdiagCulture (Get-Culture)
}

Invoke-MsdiagProbe 'session_ui_culture' {
    $data.session_ui_culture = ConvertTo-MsdiagCulture (Get-UICulture)
}

Invoke-MsdiagProbe 'system_locale' {
    Assert-MsdiagWindows
    $culture = $null
    if ($PSVersionTable.PSEdition -eq 'Desktop' -and $null -ne (Get-Command -Name 'Get-WinSystemLocale' -ErrorAction SilentlyContinue)) {
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
    $nation = 0
    if ([int]::TryParse([string](Get-MsdiagUserValue -SubKey 'Control Panel\International\Geo' -Name 'Nation'), [ref]$nation)) {
        $homeLocation.geo_id = $nation
    }
    # UNVERIFIED: Geo\Name holds the two-letter region code ("JP") on recent Windows 10/11 builds;
    # older builds do not have it, so iso2 stays optional.
    $iso2 = [string](Get-MsdiagUserValue -SubKey 'Control Panel\International\Geo' -Name 'Name')
    if ($iso2 -match '^[A-Za-z]{2}$') {
        $homeLocation.iso2 = $iso2.ToUpperInvariant()
        try {
            $homeLocation.name = Limit-MsdiagText ([System.Globalization.RegionInfo]::new($homeLocation.iso2).EnglishName)
        } catch {
            $homeLocation.name = $null
        }
    }
    if ($null -eq $homeLocation.geo_id -and $null -eq $homeLocation.iso2) {
        throw 'the user''s hive has no home location (Control Panel\International\Geo)'
    }
    $data.home_location = $homeLocation
}

Invoke-MsdiagProbe 'user_languages' {
    Assert-MsdiagWindows
    # UNVERIFIED: International\User Profile\Languages is a REG_MULTI_SZ of BCP 47 tags.
    $tags = Get-MsdiagUserValue -SubKey 'Control Panel\International\User Profile' -Name 'Languages'
    if ($null -eq $tags) {
        throw 'the user''s hive has no language list (Control Panel\International\User Profile\Languages)'
    }
    $languages = [System.Collections.Generic.List[object]]::new()
    foreach ($tag in (@($tags) | Select-Object -First 64)) {
        $english = $null
        $autonym = $null
        try {
            $info = [System.Globalization.CultureInfo]::GetCultureInfo([string]$tag)
            $english = Limit-MsdiagText $info.EnglishName
            $autonym = Limit-MsdiagText $info.NativeName
        } catch {
            $english = $null
        }
        $languages.Add([ordered]@{ tag = Limit-MsdiagText $tag; english_name = $english; autonym = $autonym })
    }
    $data.user_languages = $languages.ToArray()
}

Write-MsdiagDocument -Check 'locale' -Data $data -UserContext $user.context
