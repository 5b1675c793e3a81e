<#
.SYNOPSIS
    msdiag for Intune Remediations and ConfigMgr Run Scripts: runs every check, prints one compact line.
.DESCRIPTION
    Template composed by msdiag export-script --for intune|configmgr (msdiag/engines/engine_script.py):
    the runner (Invoke-MsdiagRunner.ps1, capture mode, every check embedded) is placed at the runner
    marker, the format's constants and the generated decision (Get-MsdiagCompactFault, from
    msdiag/engines/compact_decision.py) at theirs.

    The runner's capture is reduced to msdiag's compact line, version 1 (docs/compact-format.md):
    one ASCII line of facts, with no user or computer names, addresses or phone numbers, that ends
    with a CRC-32 so msdiag refuses a line that was cut. It is the LAST thing this script writes, to
    the output stream, and nothing is written to any stream after it. Intune keeps 2,048 characters
    of a detection script's output (https://learn.microsoft.com/intune/intune-service/fundamentals/remediations);
    ConfigMgr Run Scripts truncates output to 4 KB
    (https://learn.microsoft.com/intune/configmgr/apps/deploy-use/create-deploy-scripts). The line
    is at most 1,500 characters.

    Exit code (Intune): 1 when the decision table finds a known fault (the device shows "with
    issues"), 0 otherwise, also when the checks could not run: a collector problem must not start a
    remediation. ConfigMgr: always 0 ("a script exit code of 0 generally indicates that the script
    ran successfully"); the faults are in the line's fa field.
@@MSDIAG_USAGE@@
.NOTES
    Read-only: every check only reads; nothing on the machine is changed. Personal data stays on the
    device: the line carries facts, and msdiag expands it into a partial capture (msdiag ingest).
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$msdiagCompactTarget = 'intune'  # @@MSDIAG_TARGET@@

# @@MSDIAG_RUNNER@@

# @@MSDIAG_CONSTANTS@@

function ConvertTo-MsdiagCompactNumber {
    param([string]$Value, [long]$Default)
    if ($Value -match '^[+-]?\d{1,12}$') {
        return [long]$Value
    }
    return $Default
}

function Get-MsdiagCompactMedian {
    # |median| of an item field over the items where it is a number (0 when none is), as Python's
    # statistics.median: the mean of the middle two for an even count.
    param($Items, [string]$Field)
    $numbers = @(@($Items) | Where-Object { $null -ne $_ -and ([string]$_[$Field]) -match '^[+-]?\d{1,12}$' } |
            ForEach-Object { [double]([string]$_[$Field]) } | Sort-Object)
    if ($numbers.Count -eq 0) {
        return [double]0
    }
    $middle = [int][Math]::Floor($numbers.Count / 2)
    if ($numbers.Count % 2 -eq 1) {
        return [Math]::Abs($numbers[$middle])
    }
    return [Math]::Abs(($numbers[$middle - 1] + $numbers[$middle]) / 2)
}

function Get-MsdiagCompactMember {
    # A property of a ConvertFrom-Json object, or $null (StrictMode throws on a missing one).
    param($Object, [string]$Name)
    if ($null -eq $Object -or $Object -isnot [System.Management.Automation.PSCustomObject]) {
        return $null
    }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property) {
        return $null
    }
    return , $property.Value
}

function Get-MsdiagCompactPath {
    param($Object, [string[]]$Names)
    $current = $Object
    foreach ($name in $Names) {
        $current = Get-MsdiagCompactMember -Object $current -Name $name
    }
    return , $current
}

function Get-MsdiagCompactWord {
    param($Value, [string]$Pattern = '^[A-Za-z0-9]{1,40}$')
    if ($null -ne $Value -and ([string]$Value) -match $Pattern) {
        return [string]$Value
    }
    return '-'
}

function Get-MsdiagCompactFlag {
    param($Value, [string]$Yes = '1', [string]$No = '0', [string]$Unknown = '-')
    if ($null -eq $Value) {
        return $Unknown
    }
    if ([bool]$Value) {
        return $Yes
    }
    return $No
}

function ConvertTo-MsdiagCompactUtc {
    # An ISO 8601 time (.NET 'o') or a DateTime (PowerShell 7's ConvertFrom-Json makes them) in UTC.
    param($Value)
    if ($Value -is [DateTime]) {
        return $Value.ToUniversalTime()
    }
    if ([string]::IsNullOrWhiteSpace([string]$Value)) {
        return $null
    }
    $parsed = [DateTime]::MinValue
    $styles = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
    if ([DateTime]::TryParse(([string]$Value).Trim(), [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$parsed)) {
        return $parsed
    }
    return $null
}

function ConvertFrom-MsdiagCompactHttpDate {
    param($Value)
    $parsed = [DateTime]::MinValue
    $styles = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
    if ([DateTime]::TryParseExact(([string]$Value).Trim(), 'r', [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$parsed)) {
        return $parsed
    }
    return $null
}

function Get-MsdiagCompactCrc {
    # CRC-32 (IEEE 802.3, as zlib.crc32) of ASCII text, 8 upper-case hex digits: only operators on
    # core types, so it also works where the rest of the script is restricted.
    param([string]$Text)
    $crc = [long]4294967295
    foreach ($character in $Text.ToCharArray()) {
        $crc = $crc -bxor ([long][int]$character -band 255)
        for ($bit = 0; $bit -lt 8; $bit++) {
            if (($crc -band 1) -eq 1) {
                $crc = ($crc -shr 1) -bxor 3988292384
            } else {
                $crc = $crc -shr 1
            }
        }
    }
    return ('{0:X8}' -f ($crc -bxor 4294967295))
}

function Get-MsdiagCompactProxyKey {
    # The proxy as host:port, as msdiag.diagnosis.rules.probes.normalize_proxy reduces it.
    param($Value)
    if ($null -eq $Value -or [string]::IsNullOrWhiteSpace([string]$Value)) {
        return $null
    }
    $text = ([string]$Value).Trim()
    if ($text.Contains('=')) {
        $parts = [ordered]@{}
        foreach ($part in $text.Split(';')) {
            $at = $part.IndexOf('=')
            if ($at -ge 0) {
                $parts[$part.Substring(0, $at).Trim().ToLowerInvariant()] = $part.Substring($at + 1).Trim()
            }
        }
        if ($parts.Contains('https') -and $parts['https']) {
            $text = $parts['https']
        } elseif ($parts.Contains('http') -and $parts['http']) {
            $text = $parts['http']
        } elseif ($parts.Count -gt 0) {
            $text = [string]@($parts.Values)[0]
        } else {
            $text = ''
        }
    }
    $text = $text.ToLowerInvariant() -replace '^[a-z][a-z0-9+.-]*://', ''
    $text = @($text.Split('/'))[0]
    $text = @($text.Split('@'))[-1]
    if ($text.Length -eq 0) {
        return $null
    }
    return $text
}

function Get-MsdiagCompactLabel {
    # Proxies as labels 1-9 in the order they are first seen; equal host:port, equal label.
    param($Value, $Seen)
    $key = Get-MsdiagCompactProxyKey -Value $Value
    if ($null -eq $key) {
        return '-'
    }
    if (-not $Seen.Contains($key)) {
        $Seen.Add($key)
    }
    return [string][Math]::Min($Seen.IndexOf($key) + 1, 9)
}

function Test-MsdiagCompactMicrosoftHost {
    param([string]$Name)
    $hostName = $Name.ToLowerInvariant().TrimEnd('.')
    foreach ($domain in $msdiagMicrosoftDomains) {
        if ($hostName -eq $domain -or $hostName.EndsWith('.' + $domain)) {
            return $true
        }
    }
    return $false
}

function Get-MsdiagCompactHostToken {
    param([string]$Name)
    $lower = $Name.ToLowerInvariant()
    $index = [Array]::IndexOf($msdiagDefaultHosts, $lower)
    if ($index -ge 0) {
        return [string]$index
    }
    if ($lower.Length -le 64 -and $lower -cmatch $msdiagCarriedHost -and (Test-MsdiagCompactMicrosoftHost -Name $lower)) {
        return $lower
    }
    return 'x'
}

function Get-MsdiagCompactStep {
    # T / F / N for a probe step's ok (true / false / null), '-' for a step not taken.
    param($Step)
    if ($null -eq $Step) {
        return '-'
    }
    return (Get-MsdiagCompactFlag -Value (Get-MsdiagCompactMember -Object $Step -Name 'ok') -Yes 'T' -No 'F' -Unknown 'N')
}

function Get-MsdiagCompactStatus {
    param($Value)
    if ($null -ne $Value -and ([string]$Value) -match '^\d{1,3}$') {
        return [string][int]$Value
    }
    return ''
}

function Get-MsdiagCompactProbe {
    # One endpoint probe as its view item (the token is written from it).
    param($Probe, $Seen, $Overridden, $Reference)
    $name = [string](Get-MsdiagCompactMember -Object $Probe -Name 'host')
    $proxy = Get-MsdiagCompactMember -Object $Probe -Name 'proxy'
    $path = 'd'
    if ($null -ne $proxy) {
        $path = (Get-MsdiagCompactLabel -Value $proxy -Seen $Seen).Replace('-', 'd')
    }
    $item = @{ token = (Get-MsdiagCompactHostToken -Name $name); name = $name.ToLowerInvariant(); path = $path
        dns = '-'; h = '0'; tcp = '-'; cs = ''; tls = '-'; tlse = '0'; iss = ''; http = '0'; st = ''; hte = '0'; skew = ''
    }
    if ($Overridden -contains $item.name) {
        $item.h = '1'
    }
    $dns = Get-MsdiagCompactMember -Object $Probe -Name 'dns'
    if ($null -ne $dns) {
        $item.dns = 'o'
        if ($null -ne (Get-MsdiagCompactMember -Object $dns -Name 'error') -or @(Get-MsdiagCompactMember -Object $dns -Name 'addresses' | Where-Object { $null -ne $_ }).Count -eq 0) {
            $item.dns = 'f'
        }
    }
    $tcp = Get-MsdiagCompactMember -Object $Probe -Name 'tcp'
    $item.tcp = Get-MsdiagCompactStep -Step $tcp
    if ($null -ne $tcp) {
        $item.cs = Get-MsdiagCompactStatus -Value (Get-MsdiagCompactMember -Object $tcp -Name 'connect_status')
    }
    $tls = Get-MsdiagCompactMember -Object $Probe -Name 'tls'
    $item.tls = Get-MsdiagCompactStep -Step $tls
    if ($null -ne $tls) {
        if ([string](Get-MsdiagCompactMember -Object $tls -Name 'error') -or [string](Get-MsdiagCompactMember -Object $tls -Name 'validation_error')) {
            $item.tlse = '1'
        }
        $issuer = [string](Get-MsdiagCompactMember -Object $tls -Name 'issuer')
        if ($issuer) {
            $item.iss = 'x'
            foreach ($marker in $msdiagTrustedIssuers) {
                if ($issuer.ToLowerInvariant().Contains($marker)) {
                    $item.iss = 'm'
                }
            }
        }
    }
    $http = Get-MsdiagCompactMember -Object $Probe -Name 'http'
    if ($null -ne $http) {
        $item.http = '1'
        $item.st = Get-MsdiagCompactStatus -Value (Get-MsdiagCompactMember -Object $http -Name 'status')
        if ([string](Get-MsdiagCompactMember -Object $http -Name 'error')) {
            $item.hte = '1'
        }
        $server = ConvertFrom-MsdiagCompactHttpDate -Value (Get-MsdiagCompactMember -Object $http -Name 'date')
        if ($null -ne $server -and $null -ne $Reference) {
            $item.skew = [string][long][Math]::Round(($server - $Reference).TotalSeconds)
        }
    }
    return $item
}

function Get-MsdiagCompactProbeToken {
    param($Item)
    $dns = $Item.dns + $(if ($Item.h -eq '1') { 'h' } else { '' })
    $tcp = $Item.tcp
    if ($tcp -ne '-') {
        $tcp += $Item.cs
    }
    $tls = $Item.tls
    if ($tls -ne '-') {
        $tls += $(if ($Item.tlse -eq '1') { 'e' } else { '' }) + $Item.iss
    }
    $http = '-'
    if ($Item.http -eq '1') {
        $http = 'h' + $Item.st + $(if ($Item.hte -eq '1') { 'e' } else { '' })
    }
    $skew = ''
    if ($Item.skew -ne '') {
        $skew = ('{0:+0;-0;+0}' -f [long]$Item.skew)
    }
    return (@($Item.token, $Item.path, $dns, $tcp, $tls, $http, $skew) -join '/')
}

function Get-MsdiagCompactData {
    # The data of a check whose status is ok (with the offset of its start), else $null.
    param($Capture, [string]$Name)
    $result = Get-MsdiagCompactPath -Object $Capture -Names @('checks', $Name)
    if ([string](Get-MsdiagCompactMember -Object $result -Name 'status') -ne 'ok') {
        return $null
    }
    return , (Get-MsdiagCompactPath -Object $result -Names @('document', 'data'))
}

function Get-MsdiagCompactUserContext {
    # Whose per-user facts (msdiag/capture/user_context.py): what the first per-user document saw.
    param($Capture)
    foreach ($name in $msdiagCheckNames) {
        $facts = Get-MsdiagCompactPath -Object $Capture -Names @('checks', $name, 'document', 'user_context')
        if ($null -eq $facts) {
            continue
        }
        $sessionSid = [string](Get-MsdiagCompactPath -Object $facts -Names @('session', 'sid'))
        $hive = [string](Get-MsdiagCompactMember -Object $facts -Name 'hive_sid')
        $kind = '-'
        if ($sessionSid -eq 'S-1-5-18') {
            $kind = 'y'
        } elseif (@('S-1-5-19', 'S-1-5-20') -contains $sessionSid) {
            $kind = 's'
        } elseif ($sessionSid) {
            $kind = 'p'
        }
        if (-not $hive) {
            return ('n-' + $kind)
        }
        $chosen = ''
        $best = 3
        foreach ($candidate in @(Get-MsdiagCompactMember -Object $facts -Name 'candidates')) {
            if ($null -eq $candidate -or [string](Get-MsdiagCompactMember -Object $candidate -Name 'sid') -ne $hive) {
                continue
            }
            $source = [string](Get-MsdiagCompactMember -Object $candidate -Name 'source')
            $logon = [string](Get-MsdiagCompactMember -Object $candidate -Name 'logon_type')
            if ($source -eq 'explorer') {
                $rank = 2
                if (@('2', '11') -contains $logon) {
                    $rank = 0
                } elseif (@('10', '12') -contains $logon) {
                    $rank = 1
                }
                if ($rank -lt $best) {
                    $best = $rank
                }
            } elseif ($source -eq 'profile' -and -not $chosen) {
                $chosen = 'l'
            }
        }
        if ($best -lt 3) {
            $chosen = @('c', 'r', 'e')[$best]
        } elseif (-not $chosen) {
            $chosen = 's'
        }
        $same = '-'
        if ($sessionSid) {
            $same = $(if ($hive -eq $sessionSid) { '1' } else { '0' })
        }
        return ($chosen + $same + $kind)
    }
    return '-'
}

function Get-MsdiagCompactView {
    # The capture's facts as the decision reads them and the line writes them
    # (msdiag/engines/compact_encode.py does the same in Python, field by field).
    param($Capture)
    $view = @{}
    $start = ConvertTo-MsdiagCompactUtc -Value (Get-MsdiagCompactMember -Object $Capture -Name 'collected_utc')
    $view.v = Get-MsdiagCompactWord -Value (Get-MsdiagCompactMember -Object $Capture -Name 'msdiag_version') -Pattern '^[A-Za-z0-9.+_-]{1,24}$'
    $view.t = '19700101T000000Z'
    if ($null -ne $start) {
        $view.t = $start.ToString('yyyyMMddTHHmmssZ', [System.Globalization.CultureInfo]::InvariantCulture)
    }
    $view.hs = Get-MsdiagCompactWord -Value (Get-MsdiagCompactPath -Object $Capture -Names @('host_status', 'state')) -Pattern '^[a-z_]{1,24}$'
    $edition = [string](Get-MsdiagCompactPath -Object $Capture -Names @('powershell', 'edition'))
    $view.pe = $(if ($edition -eq 'Desktop') { 'D' } elseif ($edition -eq 'Core') { 'C' } else { '-' })
    $view.pv = Get-MsdiagCompactWord -Value (Get-MsdiagCompactPath -Object $Capture -Names @('powershell', 'version')) -Pattern '^[0-9.]{1,24}$'
    # Intune may run the script in 32-bit PowerShell ("Run script in 64-bit PowerShell" off)
    $view.pa = '64'
    if (-not [System.Environment]::Is64BitProcess) {
        $view.pa = $(if ([System.Environment]::Is64BitOperatingSystem) { '32on64' } else { '32' })
    }
    $view.uc = Get-MsdiagCompactUserContext -Capture $Capture
    $view.uc_chosen = $(if ($view.uc.Length -eq 3) { $view.uc.Substring(0, 1) } else { '-' })
    $view.uc_same = $(if ($view.uc.Length -eq 3) { $view.uc.Substring(1, 1) } else { '-' })
    $data = @{}
    $codes = @()
    $view.ad = @()
    foreach ($name in $msdiagCheckNames) {
        $result = Get-MsdiagCompactPath -Object $Capture -Names @('checks', $name)
        $status = [string](Get-MsdiagCompactMember -Object $result -Name 'status')
        $data[$name] = Get-MsdiagCompactData -Capture $Capture -Name $name
        if ($status -eq 'ok' -and $null -ne $data[$name]) {
            $offset = 0
            $stamp = ConvertTo-MsdiagCompactUtc -Value (Get-MsdiagCompactPath -Object $result -Names @('document', 'collected_utc'))
            if ($null -ne $stamp -and $null -ne $start) {
                $offset = [long][Math]::Max(-999999, [Math]::Min([Math]::Floor(($stamp - $start).TotalSeconds), 999999))
            }
            $codes += ('o' + $offset)
            if ($name -eq 'os') {
                $base = $(if ($null -ne $start) { $start } else { [DateTime]::new(1970, 1, 1, 0, 0, 0, [DateTimeKind]::Utc) })
                $view.os_date = $base.AddSeconds($offset).ToString('yyyyMMdd', [System.Globalization.CultureInfo]::InvariantCulture)
            }
            foreach ($probeError in @(Get-MsdiagCompactPath -Object $result -Names @('document', 'errors'))) {
                $probeName = [string](Get-MsdiagCompactMember -Object $probeError -Name 'probe')
                if ([string](Get-MsdiagCompactMember -Object $probeError -Name 'category') -eq 'access_denied' -and $probeName -cmatch '^[A-Za-z0-9_.-]{1,40}$' -and $view.ad.Count -lt $msdiagMax.denied) {
                    $view.ad += ($name + '/' + $probeName)
                }
            }
        } else {
            $codes += $(if ($status -eq 'error' -or $status -eq 'ok') { 'e' } elseif ($status -eq 'blocked') { 'b' } else { 'n' })
        }
        $view['ck_' + $name] = $codes[-1].Substring(0, 1)
    }
    $view.ck = $codes
    if (-not $view.ContainsKey('os_date')) {
        $view.os_date = ''
    }
    $seen = [System.Collections.Generic.List[string]]::new()

    # os
    $view.ov = '-'; $view.ov_major = '-'; $view.ob = '-'; $view.oe = '-'; $view.oc = '-'; $view.el = '-'
    $os = $data['os']
    if ($null -ne $os) {
        if ([string](Get-MsdiagCompactMember -Object $os -Name 'version') -match '^(\d{1,4})\.(\d{1,4})') {
            $view.ov = $Matches[1] + '.' + $Matches[2]
            $view.ov_major = $Matches[1]
        }
        $view.ob = Get-MsdiagCompactWord -Value (Get-MsdiagCompactMember -Object $os -Name 'build') -Pattern '^\d{1,7}$'
        $view.oe = Get-MsdiagCompactWord -Value (Get-MsdiagCompactMember -Object $os -Name 'edition')
        if ($view.oe -eq '-') {
            $view.oc = Get-MsdiagCompactWord -Value ([string](Get-MsdiagCompactMember -Object $os -Name 'caption')).Replace(' ', '_') -Pattern '^[A-Za-z0-9_.-]{1,64}$'
        }
        $view.el = Get-MsdiagCompactFlag -Value (Get-MsdiagCompactMember -Object $os -Name 'is_elevated')
    }

    # time: the W32Time state and whether the clock reads; the skew is in each probe
    $view.w32 = '0'; $view.line_w32 = '-'; $view.w32_status = '-'; $view.w32_start = '-'; $view.w32_type = '-'; $view.tu = '-'
    $time = $data['time']
    $reference = $null
    if ($null -ne $time) {
        $w32 = Get-MsdiagCompactMember -Object $time -Name 'w32time'
        if ($null -ne $w32) {
            $words = foreach ($field in @('service_status', 'start_type', 'type')) {
                $value = Get-MsdiagCompactMember -Object $w32 -Name $field
                $word = Get-MsdiagCompactWord -Value $value
                if ($word -eq '-') {
                    $word = $(if ([string]$value) { 'other' } else { '' })
                }
                $word
            }
            $view.w32 = '1'
            $view.line_w32 = $words -join '/'
            $view.w32_status = $words[0].ToLowerInvariant(); $view.w32_start = $words[1].ToLowerInvariant(); $view.w32_type = $words[2].ToLowerInvariant()
        }
        $clock = ConvertTo-MsdiagCompactUtc -Value (Get-MsdiagCompactMember -Object $time -Name 'utc_time')
        $view.tu = $(if ($null -ne $clock) { '1' } else { '0' })
        if ($null -ne $clock) {
            # the machine's clock when the probes ran: the checks stamp collected_utc by the same clock
            $reference = $clock
            $timeStamp = ConvertTo-MsdiagCompactUtc -Value (Get-MsdiagCompactPath -Object $Capture -Names @('checks', 'time', 'document', 'collected_utc'))
            $probeStamp = ConvertTo-MsdiagCompactUtc -Value (Get-MsdiagCompactPath -Object $Capture -Names @('checks', 'endpoints', 'document', 'collected_utc'))
            if ($null -ne $timeStamp -and $null -ne $probeStamp) {
                $reference = $clock + ($probeStamp - $timeStamp)
            }
        }
    }

    # proxy
    $view.wi = '0'; $view.wi_enable = '-'; $view.wi_label = '-'; $view.wi_pac = '-'
    $view.wh = '0'; $view.wh_source = '-'; $view.wh_direct = '-'; $view.wh_label = '-'; $view.env = @()
    $proxy = $data['proxy']
    if ($null -ne $proxy) {
        $wininet = Get-MsdiagCompactMember -Object $proxy -Name 'wininet'
        if ($null -ne $wininet) {
            $view.wi = '1'
            $view.wi_enable = Get-MsdiagCompactFlag -Value (Get-MsdiagCompactMember -Object $wininet -Name 'proxy_enable')
            $view.wi_label = Get-MsdiagCompactLabel -Value (Get-MsdiagCompactMember -Object $wininet -Name 'proxy_server') -Seen $seen
            $pacUrl = [string](Get-MsdiagCompactMember -Object $wininet -Name 'auto_config_url')
            if ($pacUrl) {
                $view.wi_pac = $(if ($pacUrl.Trim() -match '^file:') { 'f' } else { 'h' })
            }
        }
        $winhttp = Get-MsdiagCompactMember -Object $proxy -Name 'winhttp'
        if ($null -ne $winhttp) {
            $view.wh = '1'
            $source = [string](Get-MsdiagCompactMember -Object $winhttp -Name 'source')
            $view.wh_source = $(if ($source) { $source.Substring(0, 1) } else { 'r' })
            $view.wh_direct = Get-MsdiagCompactFlag -Value (Get-MsdiagCompactMember -Object $winhttp -Name 'direct')
            $view.wh_label = Get-MsdiagCompactLabel -Value (Get-MsdiagCompactMember -Object $winhttp -Name 'proxy_server') -Seen $seen
        }
        foreach ($variable in @(Get-MsdiagCompactMember -Object $proxy -Name 'environment')) {
            $variableName = ([string](Get-MsdiagCompactMember -Object $variable -Name 'name')).ToUpperInvariant()
            if (@('HTTP_PROXY', 'HTTPS_PROXY') -contains $variableName -and $view.env.Count -lt $msdiagMax.env) {
                $scope = [string](Get-MsdiagCompactMember -Object $variable -Name 'scope')
                $view.env += ($scope.Substring(0, [Math]::Min(1, $scope.Length)) + '/' + $(if ($variableName -eq 'HTTPS_PROXY') { 'S' } else { 'H' }) + '/' +
                    (Get-MsdiagCompactLabel -Value (Get-MsdiagCompactMember -Object $variable -Name 'value') -Seen $seen))
            }
        }
    }

    # network
    $view.na = '0'; $view.line_na = '-'; $view.na_phys = '-'; $view.na_vpn = '-'; $view.vp = '-'; $view.vp_count = '0'; $view.hf = '-'; $view.he = @()
    $network = $data['network']
    $overridden = @()
    $endpoints = $data['endpoints']
    if ($null -ne $network) {
        $adapters = @(Get-MsdiagCompactMember -Object $network -Name 'adapters' | Where-Object { $null -ne $_ })
        $up = @($adapters | Where-Object { ([string](Get-MsdiagCompactMember -Object $_ -Name 'status')).ToLowerInvariant() -eq 'up' })
        $vpnUp = @($up | Where-Object { [bool](Get-MsdiagCompactMember -Object $_ -Name 'is_vpn') }).Count
        $view.na = '1'; $view.na_phys = [string]($up.Count - $vpnUp); $view.na_vpn = [string]$vpnUp
        $view.line_na = [string]$adapters.Count + '/' + $view.na_phys + '/' + $view.na_vpn
        $letters = ''
        foreach ($vpnProfile in @(Get-MsdiagCompactMember -Object $network -Name 'vpn_profiles' | Where-Object { $null -ne $_ })) {
            if (([string](Get-MsdiagCompactMember -Object $vpnProfile -Name 'connection_status')).ToLowerInvariant() -eq 'connected') {
                $letters += Get-MsdiagCompactFlag -Value (Get-MsdiagCompactMember -Object $vpnProfile -Name 'split_tunneling') -Yes 's' -No 'f' -Unknown 'u'
            }
        }
        if ($letters.Length -gt 8) {
            $letters = $letters.Substring(0, 8)
        }
        $view.vp = $(if ($letters) { $letters } else { '-' })
        $view.vp_count = [string]$letters.Length
        $view.hf = Get-MsdiagCompactFlag -Value (Get-MsdiagCompactMember -Object $network -Name 'hosts_file_readable')
        $proxied = @(@(Get-MsdiagCompactMember -Object $endpoints -Name 'probes') | Where-Object { $null -ne $_ -and $null -ne (Get-MsdiagCompactMember -Object $_ -Name 'proxy') } |
                ForEach-Object { ([string](Get-MsdiagCompactMember -Object $_ -Name 'host')).ToLowerInvariant() })
        $entries = @()
        foreach ($entry in @(Get-MsdiagCompactMember -Object $network -Name 'hosts_entries' | Where-Object { $null -ne $_ })) {
            $entryName = ([string](Get-MsdiagCompactMember -Object $entry -Name 'hostname')).ToLowerInvariant()
            if (-not (Test-MsdiagCompactMicrosoftHost -Name $entryName)) {
                continue
            }
            $overridden += $entryName
            if ($entryName.Length -le 64 -and $entryName -cmatch $msdiagCarriedHost) {
                $kind = $(if ($msdiagBlockAddresses -contains [string](Get-MsdiagCompactMember -Object $entry -Name 'address')) { 'b' } else { 'r' })
                $token = $entryName + '/' + $kind + '/' + $(if ($proxied -contains $entryName) { 'p' } else { 'd' })
                if ($entries -notcontains $token) {
                    $entries += $token
                }
            }
        }
        # the direct ones first: they decide the hosts-file rule when the list is cut
        $ordered = @($entries | Where-Object { $_.EndsWith('/d') }) + @($entries | Where-Object { $_.EndsWith('/p') })
        $view.he = @($ordered | Select-Object -First $msdiagMax.hosts | ForEach-Object {
                $parts = $_.Split('/')
                @{ name = $parts[0]; kind = $parts[1]; path = $parts[2] }
            })
    }

    # endpoints
    $view.ep = @(); $view.wp = @(); $view.pac = '0'; $view.line_pac = '-'
    $view.pac_dns = '-'; $view.pac_tcp = '-'; $view.pac_http = '0'; $view.pac_st = ''; $view.pac_hte = '0'; $view.pac_lp = '-'
    if ($null -ne $endpoints) {
        $view.ep = @(@(Get-MsdiagCompactMember -Object $endpoints -Name 'probes') | Where-Object { $null -ne $_ } | Select-Object -First $msdiagMax.probes |
                ForEach-Object { Get-MsdiagCompactProbe -Probe $_ -Seen $seen -Overridden $overridden -Reference $reference })
        $view.wp = @(@(Get-MsdiagCompactMember -Object $endpoints -Name 'winhttp_probes') | Where-Object { $null -ne $_ } | Select-Object -First $msdiagMax.probes |
                ForEach-Object { Get-MsdiagCompactProbe -Probe $_ -Seen $seen -Overridden $overridden -Reference $null })
        $pac = Get-MsdiagCompactMember -Object $endpoints -Name 'pac'
        if ($null -ne $pac) {
            $item = Get-MsdiagCompactProbe -Probe $pac -Seen $seen -Overridden @() -Reference $null
            $view.pac = '1'; $view.pac_dns = $item.dns; $view.pac_tcp = $item.tcp
            $view.pac_http = $item.http; $view.pac_st = $item.st; $view.pac_hte = $item.hte
            $view.pac_lp = Get-MsdiagCompactFlag -Value (Get-MsdiagCompactMember -Object $pac -Name 'looks_like_pac')
            $pacHttp = $(if ($item.http -eq '1') { 'h' + $item.st + $(if ($item.hte -eq '1') { 'e' } else { '' }) } else { '-' })
            $view.line_pac = $item.dns + '/' + $item.tcp + '/' + $pacHttp + '/' + $view.pac_lp
        }
    }

    # services, tls, identity
    $view.sv = @()
    $services = $data['services']
    if ($null -ne $services) {
        $listed = @(Get-MsdiagCompactMember -Object $services -Name 'services' | Where-Object { $null -ne $_ })
        foreach ($serviceName in $msdiagServices) {
            $service = @($listed | Where-Object { ([string](Get-MsdiagCompactMember -Object $_ -Name 'name')) -eq $serviceName }) | Select-Object -First 1
            if ($null -eq $service) {
                $view.sv += @{ name = $serviceName; token = '-' }
                continue
            }
            $present = $(if ($false -eq (Get-MsdiagCompactMember -Object $service -Name 'present')) { '0' } else { '1' })
            $state = ([string](Get-MsdiagCompactMember -Object $service -Name 'status')).ToLowerInvariant()
            $startType = ([string](Get-MsdiagCompactMember -Object $service -Name 'start_type')).ToLowerInvariant()
            $letter = $(if (-not $state) { '-' } elseif ($state -eq 'running') { 'R' } elseif ($state -eq 'stopped') { 'S' } else { 'O' })
            $startLetter = $(if (-not $startType) { '-' } elseif ($startType -eq 'automatic') { 'A' } elseif ($startType -eq 'manual') { 'M' } elseif ($startType -eq 'disabled') { 'D' } else { 'O' })
            $view.sv += @{ name = $serviceName; token = ($present + $letter + $startLetter); present = $present; status = $letter; start = $startLetter }
        }
    }
    $view.t12 = '0'; $view.line_t12 = '-'; $view.t12_en = '-'; $view.t12_dbd = '-'
    $tls = $data['tls']
    if ($null -ne $tls) {
        $entry = @(Get-MsdiagCompactMember -Object $tls -Name 'schannel_client' | Where-Object {
                $null -ne $_ -and ([string](Get-MsdiagCompactMember -Object $_ -Name 'protocol')).Replace(' ', '').ToUpperInvariant() -eq 'TLS1.2' }) | Select-Object -First 1
        if ($null -ne $entry -and [bool](Get-MsdiagCompactMember -Object $entry -Name 'key_present')) {
            $view.t12 = '1'
            $view.t12_en = Get-MsdiagCompactWord -Value (Get-MsdiagCompactMember -Object $entry -Name 'enabled') -Pattern '^-?\d{1,10}$'
            $view.t12_dbd = Get-MsdiagCompactWord -Value (Get-MsdiagCompactMember -Object $entry -Name 'disabled_by_default') -Pattern '^-?\d{1,10}$'
            $view.line_t12 = $view.t12_en + '/' + $view.t12_dbd
        }
    }
    $view.nc = '-'; $view.line_ds = '-'; $view.ds = '-'
    $view.ds_aad = '-'; $view.ds_dom = '-'; $view.ds_wpj = '-'; $view.ds_ent = '-'; $view.ds_prt = '-'; $view.ds_age = '-'
    $identity = $data['identity']
    if ($null -ne $identity) {
        $view.nc = Get-MsdiagCompactWord -Value (Get-MsdiagCompactMember -Object $identity -Name 'no_connected_user') -Pattern '^-?\d{1,10}$'
        $collected = ConvertTo-MsdiagCompactUtc -Value (Get-MsdiagCompactPath -Object $Capture -Names @('checks', 'identity', 'document', 'collected_utc'))
        $dsreg = Get-MsdiagCompactDsreg -Identity $identity -Collected $collected
        if ($null -ne $dsreg) {
            $view.line_ds = $dsreg
            $view.ds = $(if ($dsreg -eq '0') { '0' } else { '1' })
            if ($dsreg -ne '0') {
                $view.ds_aad = $dsreg.Substring(0, 1); $view.ds_dom = $dsreg.Substring(1, 1); $view.ds_wpj = $dsreg.Substring(2, 1)
                $view.ds_ent = $dsreg.Substring(3, 1); $view.ds_prt = $dsreg.Substring(4, 1); $view.ds_age = $dsreg.Substring(6)
            }
        }
    }
    return $view
}

function Get-MsdiagCompactDsreg {
    # dsregcmd /status read as msdiag/capture/native/dsregcmd.py reads it: 'Label : value' lines,
    # labels without spaces or case, the first occurrence winning. '0' when dsregcmd is not there.
    param($Identity, $Collected)
    $output = Get-MsdiagCompactMember -Object $Identity -Name 'dsregcmd_output'
    $text = [string](Get-MsdiagCompactMember -Object $output -Name 'text')
    $fields = @{}
    if ($null -ne $output -and $text.Trim().Length -gt 0) {
        foreach ($line in ($text -split "`r`n|`n|`r")) {
            if ($line.Replace('**', '') -match '^\s*([^:\r\n]{1,64}?)\s*[:\uFF1A]\s?(.*?)\s*$') {
                $label = ($Matches[1] -replace '\s+', '').ToLowerInvariant()
                if (-not $fields.ContainsKey($label)) {
                    $fields[$label] = $Matches[2].Trim()
                }
            }
        }
        $recognised = $false
        foreach ($label in @('azureadjoined', 'domainjoined', 'workplacejoined', 'enterprisejoined', 'azureadprt')) {
            if ($fields.ContainsKey($label) -and @('YES', 'NO') -contains $fields[$label].ToUpperInvariant()) {
                $recognised = $true
            }
        }
        foreach ($label in @('domainname', 'tenantname', 'wamdefaultset', 'usercontext', 'azureadprtupdatetime')) {
            if ($fields.ContainsKey($label) -and $fields[$label]) {
                $recognised = $true
            }
        }
        if (-not $recognised) {
            return $null
        }
        $letters = foreach ($label in @('azureadjoined', 'domainjoined', 'workplacejoined', 'enterprisejoined', 'azureadprt')) {
            $value = $(if ($fields.ContainsKey($label)) { $fields[$label].ToUpperInvariant() } else { '' })
            $(if ($value -eq 'YES') { 'Y' } elseif ($value -eq 'NO') { 'N' } else { '-' })
        }
        $updated = $null
        $printed = $(if ($fields.ContainsKey('azureadprtupdatetime')) { $fields['azureadprtupdatetime'] } else { '' })
        if ($printed -match '^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)? UTC$') {
            $moment = [DateTime]::MinValue
            $styles = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
            if ([DateTime]::TryParseExact($Matches[1], 'yyyy-MM-dd HH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$moment)) {
                $updated = $moment
            }
        }
    } else {
        $parsed = Get-MsdiagCompactMember -Object $Identity -Name 'dsregcmd'
        if ($null -eq $parsed) {
            return $null
        }
        if (-not [bool](Get-MsdiagCompactMember -Object $parsed -Name 'available')) {
            return '0'
        }
        $letters = foreach ($field in @('azure_ad_joined', 'domain_joined', 'workplace_joined', 'enterprise_joined', 'azure_ad_prt')) {
            Get-MsdiagCompactFlag -Value (Get-MsdiagCompactMember -Object $parsed -Name $field) -Yes 'Y' -No 'N'
        }
        $printed = [string](Get-MsdiagCompactMember -Object $parsed -Name 'azure_ad_prt_update_time')
        $updated = ConvertTo-MsdiagCompactUtc -Value $printed
    }
    $age = '-'
    if ($printed) {
        $age = 'u'
        if ($null -ne $updated -and $null -ne $Collected) {
            # the ceiling keeps "older than 4 hours" exactly as the rule reads it (a strict >)
            $age = [string][long][Math]::Ceiling(($Collected - $updated).TotalSeconds)
        }
    }
    return (($letters -join '') + '/' + $age)
}

function Get-MsdiagCompactLine {
    param($View)
    $parts = @(
        'v=' + $View.v, 't=' + $View.t, 'hs=' + $View.hs, 'pe=' + $View.pe, 'pv=' + $View.pv, 'pa=' + $View.pa, 'uc=' + $View.uc
        'ck=' + ($View.ck -join ',')
        'fa=' + $(if (@($View.fa).Count -gt 0) { (@($View.fa) | Select-Object -First $msdiagMax.faults) -join ',' } else { '-' })
        'ov=' + $View.ov, 'ob=' + $View.ob, 'oe=' + $View.oe, 'oc=' + $View.oc, 'el=' + $View.el
        'ad=' + $(if ($View.ad.Count -gt 0) { $View.ad -join ',' } else { '-' })
        'w32=' + $View.line_w32, 'tu=' + $View.tu
        'wi=' + $(if ($View.wi -eq '1') { $View.wi_enable + '/' + $View.wi_label + '/' + $View.wi_pac } else { '-' })
        'wh=' + $(if ($View.wh -eq '1') { $View.wh_source + '/' + $View.wh_direct + '/' + $View.wh_label } else { '-' })
        'env=' + $(if ($View.env.Count -gt 0) { $View.env -join ',' } else { '-' })
        'na=' + $View.line_na, 'vp=' + $View.vp, 'hf=' + $View.hf
        'he=' + $(if (@($View.he).Count -gt 0) { (@($View.he) | ForEach-Object { $_.name + '/' + $_.kind + '/' + $_.path }) -join ',' } else { '-' })
        'ep=' + $(if (@($View.ep).Count -gt 0) { (@($View.ep) | ForEach-Object { Get-MsdiagCompactProbeToken -Item $_ }) -join ',' } else { '-' })
        'wp=' + $(if (@($View.wp).Count -gt 0) { (@($View.wp) | ForEach-Object { $_.skew = ''; Get-MsdiagCompactProbeToken -Item $_ }) -join ',' } else { '-' })
        'pac=' + $View.line_pac
        'sv=' + $(if (@($View.sv).Count -gt 0) { (@($View.sv) | ForEach-Object { $_.token }) -join ',' } else { '-' })
        't12=' + $View.line_t12, 'nc=' + $View.nc, 'ds=' + $View.line_ds
    )
    $body = 'MSDIAG' + $msdiagCompactVersion + ';' + ($parts -join ';') + ';'
    return ($body + '#' + (Get-MsdiagCompactCrc -Text $body))
}

# @@MSDIAG_DECISION@@ begin: msdiag export-script writes the generated decision table here
function Get-MsdiagCompactFault {
    param([hashtable]$View)
    return , @()
}
# @@MSDIAG_DECISION@@ end

# ---------------------------------------------------------------- run, reduce, print the line last
$msdiagLine = $null
$msdiagExit = 0
try {
    $msdiagJson = (@(& $msdiagRunner 3>$null 4>$null 5>$null 6>$null) | ForEach-Object { [string]$_ }) -join ''
    $msdiagCapture = ConvertFrom-Json -InputObject $msdiagJson
    $msdiagView = Get-MsdiagCompactView -Capture $msdiagCapture
    $msdiagView['fa'] = @(Get-MsdiagCompactFault -View $msdiagView)
    $msdiagLine = Get-MsdiagCompactLine -View $msdiagView
    if ($msdiagCompactTarget -eq 'intune' -and @($msdiagView['fa']).Count -gt 0) {
        $msdiagExit = 1
    }
} catch {
    # Whatever failed, the engine still gets a line saying so (and exit 0: no remediation for it).
    # Outside FullLanguage (WDAC / AppLocker) the runner ran nothing and the reduction cannot run.
    $msdiagState = $(if ([string]$ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') { 'constrained_language' } else { 'script_error' })
    $msdiagBody = 'MSDIAG' + $msdiagCompactVersion + ';v=' + $msdiagCompactWriter + ';t=' + [DateTime]::UtcNow.ToString('yyyyMMddTHHmmssZ') +
    ';hs=' + $msdiagState + ';pe=-;pv=-;pa=-;uc=-;ck=' + ((@($msdiagCheckNames) | ForEach-Object { 'n' }) -join ',') +
    ';fa=-;ov=-;ob=-;oe=-;oc=-;el=-;ad=-;w32=-;tu=-;wi=-;wh=-;env=-;na=-;vp=-;hf=-;he=-;ep=-;wp=-;pac=-;sv=-;t12=-;nc=-;ds=-;'
    $msdiagLine = $msdiagBody + '#' + (Get-MsdiagCompactCrc -Text $msdiagBody)
    $msdiagExit = 0
}
$msdiagLine
exit $msdiagExit
