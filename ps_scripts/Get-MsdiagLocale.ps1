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
    # The unary comma returns the value as it is: without it PowerShell unrolls a REG_BINARY byte[]
    # (or a REG_MULTI_SZ string[]) into object[] and `-is [byte[]]` never matches.
    # HKLM is read in the OS's native view: a 32-bit PowerShell (some RMM agents and Intune scripts
    # run one) would otherwise be redirected to WOW6432Node and report the 32-bit copies.
    param([string]$Path, [string]$Name)
    Assert-MsdiagWindows
    if ($Path -match '^HKLM:\\(.+)$') {
        $view = [Microsoft.Win32.RegistryView]::Default
        if ([System.Environment]::Is64BitOperatingSystem) {
            $view = [Microsoft.Win32.RegistryView]::Registry64
        }
        $baseKey = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, $view)
        try {
            $subKey = $baseKey.OpenSubKey($Matches[1], $false)
            if ($null -eq $subKey) {
                return $null
            }
            try {
                return , $subKey.GetValue($Name, $null)
            } finally {
                $subKey.Dispose()
            }
        } finally {
            $baseKey.Dispose()
        }
    }
    if (-not (Test-Path -LiteralPath $Path)) {
        return $null
    }
    $key = Get-Item -LiteralPath $Path
    return , $key.GetValue($Name, $null)
}

function Invoke-MsdiagNativeCommand {
    # Runs a native program with a bounded wait and returns its standard output as lines. Not
    # `& program 2>&1`: with $ErrorActionPreference = 'Stop' Windows PowerShell 5.1 turns any stderr
    # line into a terminating NativeCommandError, and PowerShell decodes native output with
    # [Console]::OutputEncoding, which the runner sets to UTF-8 while netsh and dsregcmd may write
    # the OEM code page (cp932 on ja-JP). So the bytes are decoded here: as UTF-8 when they are valid
    # UTF-8, else in the system's OEM code page. UNVERIFIED: the code page each program writes to a pipe.
    param([string]$FilePath, [string]$Arguments, [int]$TimeoutMs = 10000, [int]$MaxLines = 2000)
    Assert-MsdiagWindows
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($FilePath, $Arguments)
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.CreateNoWindow = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = [System.IO.MemoryStream]::new()
        $copying = $process.StandardOutput.BaseStream.CopyToAsync($stdout)
        # stderr is drained (a full pipe would block the program) and not kept.
        $null = $process.StandardError.BaseStream.CopyToAsync([System.IO.Stream]::Null)
        if (-not $copying.Wait($TimeoutMs)) {
            throw [System.TimeoutException]::new("$([System.IO.Path]::GetFileName($FilePath)) did not finish within $TimeoutMs ms")
        }
        $bytes = $stdout.ToArray()
    } finally {
        if (-not $process.HasExited) {
            # Only the program this function started, left hanging: it must not outlive the check.
            try {
                $process.Kill()
            } catch {
                $null = $_
            }
        }
        $process.Dispose()
    }
    try {
        $text = [System.Text.UTF8Encoding]::new($false, $true).GetString($bytes)
    } catch {
        $oemCodePage = [System.Globalization.CultureInfo]::CurrentCulture.TextInfo.OEMCodePage
        $systemOem = Get-MsdiagRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' -Name 'OEMCP'
        $parsedCodePage = 0
        if ([int]::TryParse([string]$systemOem, [ref]$parsedCodePage) -and $parsedCodePage -gt 0) {
            $oemCodePage = $parsedCodePage
        }
        $text = [System.Text.Encoding]::GetEncoding($oemCodePage).GetString($bytes)
    }
    $lines = @($text.TrimStart([char]0xFEFF) -split "\r?\n" | Select-Object -First $MaxLines)
    return , [string[]]$lines
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
