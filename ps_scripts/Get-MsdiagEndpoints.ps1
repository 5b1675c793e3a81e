<#
.SYNOPSIS
    msdiag check "endpoints": can this machine reach the Microsoft account sign-in hosts?
.DESCRIPTION
    Prints one compressed JSON document (check "endpoints"). First, bounded by TimeoutMs, the
    session's system proxy for each host (GetSystemWebProxy: WinINET static, PAC or WPAD of the
    account the scan runs as). Then for each host, in parallel (a RunspacePool) and with bounded
    timeouts: DNS resolution, a TCP connection to port 443 (directly or to the proxy followed by an
    HTTP CONNECT, whose reply status is recorded), a TLS handshake recording the protocol Windows
    chose and the certificate's subject, issuer, expiry and validation errors, and an HTTP HEAD
    request recording the status and the server's Date header (used to measure clock skew). When
    the machine's WinHTTP proxy is not the path a host took, that host is probed through the
    WinHTTP proxy too (winhttp_probes). When the user's WinINET AutoConfigURL is set (or -PacUrl is
    given), that PAC file is probed alongside: DNS, TCP to its port and an HTTP GET made DIRECT, as
    WinINET fetches it, reading at most 256 KB and noting whether it contains FindProxyForURL.
    A probe that runs out of its budget keeps the steps it finished and says where it stopped
    (timed_out_at). The whole check ends within about TimeoutMs + min(4 x TimeoutMs + 1 s, 13 s).
.PARAMETER Hosts
    Host names to probe. Defaults to the Microsoft account hosts msdiag knows.
.PARAMETER TimeoutMs
    Timeout of each network step in milliseconds (200-10000, default 3000).
.PARAMETER PacUrl
    PAC (proxy auto-configuration) URL to probe instead of the user's WinINET AutoConfigURL.
.NOTES
    Read-only: opens outbound connections, sends HEAD requests (and one GET for the PAC file) and
    reads the registry; changes nothing on the machine.
    The certificate callback accepts every certificate only so that the handshake completes and
    what was presented can be reported: no data is sent over these connections.
#>
[CmdletBinding()]
param(
    [string[]]$Hosts = @('login.live.com', 'account.live.com', 'account.microsoft.com', 'login.microsoftonline.com',
        'logincdn.msftauth.net', 'www.msftconnecttest.com'),
    [int]$TimeoutMs = 3000,
    [string]$PacUrl = ''
)

Set-StrictMode -Version Latest

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
if (-not (Get-Command -Name 'Resolve-MsdiagInternetSettingsScope' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagWinInet.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

# Runs inside a runspace of the pool: a fresh session where the functions of this script do not
# exist, so it sets StrictMode itself and defines its own helpers. Kind 'discover' returns the
# session's proxy for a host ('' = direct); 'host' returns one ordered dictionary shaped like
# EndpointProbe, going through -Proxy ('' = direct); 'pac' one shaped like PacProbe. $State (a
# synchronized hashtable) gets each finished step and the step under way, so the check keeps what
# a probe learnt when its budget runs out.
$probeScript = {
    param([string]$Kind, [string]$Target, [string]$Proxy, [int]$TimeoutMs, [int]$MaxBytes, [hashtable]$State)
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'

    function Get-MsdiagInnerMessage {
        param($Exception)
        $current = $Exception
        while ($null -ne $current.InnerException -and
            ($current -is [System.Management.Automation.MethodInvocationException] -or
            $current -is [System.AggregateException])) {
            $current = $current.InnerException
        }
        $message = [string]$current.Message
        if ($message.Length -gt 1000) {
            $message = $message.Substring(0, 1000)
        }
        return $message
    }

    function Find-MsdiagWebResponse {
        param($Exception)
        $current = $Exception
        while ($null -ne $current) {
            if ($current -is [System.Net.WebException] -and $null -ne $current.Response) {
                return $current.Response
            }
            $current = $current.InnerException
        }
        return $null
    }

    function Resolve-MsdiagAddress {
        # DNS with a bounded wait: fills $Dns (addresses, error, ms), returns the addresses.
        param([string]$Name, [System.Collections.IDictionary]$Dns, [int]$TimeoutMs)
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $addresses = @()
        try {
            $lookup = [System.Net.Dns]::GetHostAddressesAsync($Name)
            if ($lookup.Wait($TimeoutMs)) {
                $addresses = @($lookup.Result | Select-Object -First 64)
                $Dns['addresses'] = @($addresses | ForEach-Object { $_.IPAddressToString })
            } else {
                $Dns['error'] = "timed out after $TimeoutMs ms"
            }
        } catch {
            $Dns['error'] = Get-MsdiagInnerMessage $_.Exception
        }
        $Dns['ms'] = [int]$stopwatch.ElapsedMilliseconds
        return , [System.Net.IPAddress[]]$addresses
    }

    function Connect-MsdiagTcpClient {
        # .NET Framework's TcpClient() is an IPv4 socket that skips IPv6 addresses (an IPv6-only
        # answer would fail as "invalid address list"): connect over IPv4 when the name has an IPv4
        # address, else over IPv6. Returns the connected client; throws on failure or timeout.
        param([System.Net.IPAddress[]]$Addresses, [int]$Port, [int]$TimeoutMs)
        $ipv4 = @($Addresses | Where-Object { $_.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork })
        if ($ipv4.Count -gt 0) {
            $client = [System.Net.Sockets.TcpClient]::new([System.Net.Sockets.AddressFamily]::InterNetwork)
            $targets = [System.Net.IPAddress[]]$ipv4
        } else {
            $client = [System.Net.Sockets.TcpClient]::new([System.Net.Sockets.AddressFamily]::InterNetworkV6)
            $targets = $Addresses
        }
        try {
            $connect = $client.ConnectAsync($targets, $Port)
            if (-not $connect.Wait($TimeoutMs)) {
                throw [System.TimeoutException]::new("timed out after $TimeoutMs ms")
            }
        } catch {
            $client.Dispose()
            throw
        }
        return $client
    }

    function Get-MsdiagSessionProxy {
        # The proxy WinINET would use for this host (static, PAC or WPAD) as the session's browser
        # would; '' = direct. May fetch a PAC file or run WPAD: the check bounds how long it waits.
        param([string]$HostName)
        $uri = [System.Uri]::new("https://$HostName/")
        $systemProxy = [System.Net.WebRequest]::GetSystemWebProxy()
        if ($systemProxy.IsBypassed($uri)) {
            return ''
        }
        $candidate = $systemProxy.GetProxy($uri)
        # .NET Framework returns the URL itself for "direct"; .NET (Core) returns $null.
        if ($null -eq $candidate -or $candidate.Authority -eq $uri.Authority) {
            return ''
        }
        return [string]$candidate.AbsoluteUri
    }

    function Get-MsdiagPac {
        # The PAC file as WinINET fetches it: DIRECT (the PAC is what names the proxy, so it is
        # never fetched through one), redirects followed, at most $MaxBytes of body read.
        param([string]$Url, [int]$TimeoutMs, [int]$MaxBytes)
        $uri = [System.Uri]::new($Url)
        $result = [ordered]@{ url = $Url; dns = $null; tcp = $null; http = $null; bytes = $null; looks_like_pac = $null }
        $dns = [ordered]@{ addresses = @(); error = $null; ms = $null }
        $result.dns = $dns
        $addresses = Resolve-MsdiagAddress -Name $uri.DnsSafeHost -Dns $dns -TimeoutMs $TimeoutMs
        $tcp = [ordered]@{ ok = $null; ms = $null; error = $null; target = "$($uri.DnsSafeHost):$($uri.Port)" }
        $result.tcp = $tcp
        if ($addresses.Count -eq 0) {
            $tcp.error = 'not attempted: the DNS lookup gave no address'
            return $result
        }
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        try {
            $client = Connect-MsdiagTcpClient -Addresses $addresses -Port $uri.Port -TimeoutMs $TimeoutMs
            $client.Dispose()
            $tcp.ok = $true
        } catch {
            $tcp.ok = $false
            $tcp.error = Get-MsdiagInnerMessage $_.Exception
        }
        $tcp.ms = [int]$stopwatch.ElapsedMilliseconds
        if (-not $tcp.ok) {
            return $result
        }

        $http = [ordered]@{ status = $null; date = $null; error = $null; ms = $null }
        $result.http = $http
        $stopwatch.Restart()
        $response = $null
        try {
            $webRequest = [System.Net.WebRequest]::Create($uri)
            $webRequest.Method = 'GET'
            $webRequest.Proxy = $null
            $webRequest.Timeout = $TimeoutMs
            $webRequest.ReadWriteTimeout = $TimeoutMs
            $webRequest.AllowAutoRedirect = $true
            $webRequest.MaximumAutomaticRedirections = 5
            $webRequest.UserAgent = 'msdiag-pac-check'
            try {
                $response = $webRequest.GetResponse()
            } catch {
                $response = Find-MsdiagWebResponse $_.Exception
                if ($null -eq $response) {
                    throw
                }
            }
            $http.status = [int]$response.StatusCode
            $date = $response.Headers['Date']
            if (-not [string]::IsNullOrEmpty($date)) {
                $http.date = [string]$date
            }
            if ($http.status -ge 200 -and $http.status -lt 300) {
                $body = $response.GetResponseStream()
                $buffer = [byte[]]::new(16384)
                $text = [System.Text.StringBuilder]::new()
                $total = 0
                # Bounded in size and in time: a server trickling bytes must not hold the check up.
                while ($total -lt $MaxBytes -and $stopwatch.ElapsedMilliseconds -lt 2 * $TimeoutMs) {
                    $count = $body.Read($buffer, 0, [int][Math]::Min($buffer.Length, $MaxBytes - $total))
                    if ($count -le 0) {
                        break
                    }
                    $total += $count
                    # A PAC is JavaScript: ASCII is enough to find the function name.
                    $null = $text.Append([System.Text.Encoding]::ASCII.GetString($buffer, 0, $count))
                }
                $result.bytes = $total
                $result.looks_like_pac = $text.ToString().Contains('FindProxyForURL')
            }
        } catch {
            $http.error = Get-MsdiagInnerMessage $_.Exception
        } finally {
            if ($null -ne $response) {
                $response.Close()
            }
        }
        $http.ms = [int]$stopwatch.ElapsedMilliseconds
        return $result
    }

    function Get-MsdiagEndpointProbe {
        param([string]$HostName, [string]$ProxyUrl, [int]$TimeoutMs, [hashtable]$State)
        $result = [ordered]@{ host = $HostName; proxy = $null; dns = $null; tcp = $null; tls = $null; http = $null; timed_out_at = $null }
        $uri = [System.Uri]::new("https://$HostName/")
        $proxyUri = $null
        if (-not [string]::IsNullOrEmpty($ProxyUrl)) {
            $proxyUri = [System.Uri]::new($ProxyUrl)
            $result.proxy = $ProxyUrl
        }

        $State['step'] = 'dns'
        $dns = [ordered]@{ addresses = @(); error = $null; ms = $null }
        $addresses = Resolve-MsdiagAddress -Name $HostName -Dns $dns -TimeoutMs $TimeoutMs
        $result.dns = $dns
        $State['dns'] = $dns

        $State['step'] = 'tcp'
        $tcp = [ordered]@{ ok = $null; ms = $null; error = $null; target = "${HostName}:443"; connect_status = $null }
        if ($null -ne $proxyUri) {
            $tcp.target = "$($proxyUri.Host):$($proxyUri.Port)"
        } elseif ($addresses.Count -eq 0) {
            $tcp.error = 'not attempted: the DNS lookup gave no address'
            $result.tcp = $tcp
            $State['tcp'] = $tcp
            $State['step'] = $null
            return $result
        }

        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $client = $null
        $stream = $null
        try {
            try {
                if ($null -ne $proxyUri) {
                    $client = [System.Net.Sockets.TcpClient]::new()
                    $connect = $client.ConnectAsync($proxyUri.Host, $proxyUri.Port)
                    if (-not $connect.Wait($TimeoutMs)) {
                        throw [System.TimeoutException]::new("timed out after $TimeoutMs ms")
                    }
                } else {
                    $client = Connect-MsdiagTcpClient -Addresses $addresses -Port 443 -TimeoutMs $TimeoutMs
                }
                $stream = $client.GetStream()
                $stream.ReadTimeout = $TimeoutMs
                $stream.WriteTimeout = $TimeoutMs
                if ($null -ne $proxyUri) {
                    # HTTP CONNECT tunnel through the proxy; its reply status is a fact (407: it
                    # wants authentication, which this probe does not give; 403/502: it refused).
                    $request = [System.Text.Encoding]::ASCII.GetBytes("CONNECT ${HostName}:443 HTTP/1.1`r`nHost: ${HostName}:443`r`n`r`n")
                    $stream.Write($request, 0, $request.Length)
                    $buffer = [byte[]]::new(4096)
                    $received = [System.Text.StringBuilder]::new()
                    while ($received.Length -lt 16384 -and -not $received.ToString().Contains("`r`n`r`n")) {
                        $count = $stream.Read($buffer, 0, $buffer.Length)
                        if ($count -le 0) {
                            break
                        }
                        $null = $received.Append([System.Text.Encoding]::ASCII.GetString($buffer, 0, $count))
                    }
                    $statusLine = ($received.ToString() -split "`r`n")[0]
                    if ($statusLine -match '^HTTP/\d(?:\.\d)?\s+(\d{3})') {
                        $tcp.connect_status = [int]$Matches[1]
                    }
                    if ($tcp.connect_status -ne 200) {
                        if ([string]::IsNullOrEmpty($statusLine)) {
                            throw 'the proxy closed the connection without answering CONNECT'
                        }
                        throw "the proxy refused the CONNECT tunnel: $statusLine"
                    }
                }
                $tcp.ok = $true
            } catch {
                $tcp.ok = $false
                $tcp.error = Get-MsdiagInnerMessage $_.Exception
            }
            $tcp.ms = [int]$stopwatch.ElapsedMilliseconds
            $result.tcp = $tcp
            $State['tcp'] = $tcp
            if (-not $tcp.ok) {
                $State['step'] = $null
                return $result
            }

            $State['step'] = 'tls'
            $tls = [ordered]@{
                ok = $null; protocol = $null; subject = $null; issuer = $null; not_after = $null
                validation_error = $null; error = $null; ms = $null
            }
            $stopwatch.Restart()
            try {
                # Records what the server presented and accepts it, so the handshake completes and the
                # report can say what was wrong (an intercepting proxy's certificate, an expired one).
                # A scriptblock delegate only runs on a thread with a runspace: safe here because the
                # synchronous AuthenticateAsClient calls it on this runspace's own thread.
                $callback = [System.Net.Security.RemoteCertificateValidationCallback] {
                    param($sender, $certificate, $chain, $policyErrors)
                    if ($null -ne $certificate) {
                        $certificate2 = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($certificate)
                        $tls.subject = [string]$certificate2.Subject
                        $tls.issuer = [string]$certificate2.Issuer
                        $tls.not_after = $certificate2.NotAfter.ToUniversalTime().ToString('o')
                    }
                    if ("$policyErrors" -ne 'None') {
                        $chainStatus = ''
                        if ($null -ne $chain) {
                            $chainStatus = (@($chain.ChainStatus | ForEach-Object { "$($_.Status)" }) -join ', ')
                        }
                        $tls.validation_error = ("$policyErrors $chainStatus").Trim()
                    }
                    return $true
                }
                $ssl = [System.Net.Security.SslStream]::new($stream, $false, $callback)
                # No protocol asked for: the OS chooses, as Microsoft's TLS guidance for .NET says
                # ("Do not specify the TLS version"; the overload without SslProtocols uses the
                # system default from .NET Framework 4.7 on), so the probe sees what Windows does.
                $ssl.AuthenticateAsClient($HostName)
                $tls.ok = $true
                $tls.protocol = "$($ssl.SslProtocol)"
                $ssl.Dispose()
            } catch {
                $tls.ok = $false
                $tls.error = Get-MsdiagInnerMessage $_.Exception
            }
            $tls.ms = [int]$stopwatch.ElapsedMilliseconds
            $result.tls = $tls
            $State['tls'] = $tls
        } finally {
            if ($null -ne $client) {
                $client.Dispose()
            }
        }

        $State['step'] = 'http'
        $http = [ordered]@{ status = $null; date = $null; error = $null; ms = $null }
        $stopwatch.Restart()
        $response = $null
        try {
            $webRequest = [System.Net.WebRequest]::Create($uri)
            $webRequest.Method = 'HEAD'
            $webRequest.Timeout = $TimeoutMs
            $webRequest.ReadWriteTimeout = $TimeoutMs
            $webRequest.AllowAutoRedirect = $false
            $webRequest.UserAgent = 'msdiag-endpoint-check'
            if ($null -ne $proxyUri) {
                $webRequest.Proxy = [System.Net.WebProxy]::new($proxyUri)
            } else {
                $webRequest.Proxy = $null
            }
            try {
                $response = $webRequest.GetResponse()
            } catch {
                # 3xx/4xx/5xx arrive as a WebException that still carries the response (and its Date).
                $response = Find-MsdiagWebResponse $_.Exception
                if ($null -eq $response) {
                    throw
                }
            }
            $http.status = [int]$response.StatusCode
            $date = $response.Headers['Date']
            if (-not [string]::IsNullOrEmpty($date)) {
                $http.date = [string]$date
            }
        } catch {
            $http.error = Get-MsdiagInnerMessage $_.Exception
        } finally {
            if ($null -ne $response) {
                $response.Close()
            }
        }
        $http.ms = [int]$stopwatch.ElapsedMilliseconds
        $result.http = $http
        $State['http'] = $http
        $State['step'] = $null
        return $result
    }

    if ($Kind -eq 'discover') {
        return (Get-MsdiagSessionProxy -HostName $Target)
    }
    if ($Kind -eq 'pac') {
        return (Get-MsdiagPac -Url $Target -TimeoutMs $TimeoutMs -MaxBytes $MaxBytes)
    }
    return (Get-MsdiagEndpointProbe -HostName $Target -ProxyUrl $Proxy -TimeoutMs $TimeoutMs -State $State)
}

function Submit-MsdiagProbeJob {
    # One probe in the pool; its state (synchronized) is shared with it.
    param($Pool, [string]$Kind, [string]$Target, [string]$Proxy, [string]$Path)
    $state = [hashtable]::Synchronized(@{ step = $null })
    if ($Kind -eq 'discover') {
        $state['step'] = 'proxy_discovery'
    }
    $shell = [powershell]::Create()
    $shell.RunspacePool = $Pool
    $null = $shell.AddScript($probeScript).AddArgument($Kind).AddArgument($Target).AddArgument($Proxy).AddArgument($TimeoutMs).AddArgument($pacMaxBytes).AddArgument($state)
    return @{ kind = $Kind; target = $Target; proxy = $Proxy; path = $Path; shell = $shell; state = $state; handle = $shell.BeginInvoke() }
}

function Receive-MsdiagProbeJob {
    # Waits for a job until $DeadlineMs of $Clock; returns @{ done; output; failure }.
    param($Job, $Clock, [int]$DeadlineMs)
    $remaining = [int][Math]::Max(0, $DeadlineMs - $Clock.ElapsedMilliseconds)
    if (-not $Job.handle.AsyncWaitHandle.WaitOne($remaining)) {
        return @{ done = $false; output = $null; failure = $null }
    }
    try {
        $output = @($Job.shell.EndInvoke($Job.handle))
        if ($output.Count -gt 0) {
            return @{ done = $true; output = $output[0]; failure = $null }
        }
        return @{ done = $true; output = $null; failure = 'the probe returned nothing' }
    } catch {
        return @{ done = $true; output = $null; failure = "the probe failed: $(Limit-MsdiagText $_.Exception.Message 1000)" }
    }
}

function Get-MsdiagPartialProbe {
    # What a host probe learnt before it stopped: the steps it finished, and where it stopped.
    param($Job, [string]$StoppedAt)
    $state = $Job.state
    return [ordered]@{
        host = $Job.target; proxy = $(if ($Job.proxy) { $Job.proxy } else { $null })
        dns = $state['dns']; tcp = $state['tcp']; tls = $state['tls']; http = $state['http']
        timed_out_at = $StoppedAt
    }
}

function Get-MsdiagWinHttpProxyUrl {
    # The proxy WinHTTP uses for a host ('' = direct): its proxy list ("h:p" or "http=h:p;https=h2:p")
    # unless the bypass list covers the host (<local> = names without a dot; * wildcards).
    param([string]$HostName, $Setting)
    if ($null -eq $Setting -or $Setting.direct -or [string]::IsNullOrEmpty([string]$Setting.proxy_server)) {
        return ''
    }
    foreach ($entry in ([string]$Setting.bypass_list -split '[;,\s]+')) {
        if ($entry -eq '<local>' -and -not $HostName.Contains('.')) {
            return ''
        }
        if ($entry -and $entry -ne '<local>' -and $HostName -like $entry) {
            return ''
        }
    }
    $server = [string]$Setting.proxy_server
    if ($server.Contains('=')) {
        $entries = @{}
        foreach ($part in $server.Split(';')) {
            $pair = $part.Split('=', 2)
            if ($pair.Count -eq 2) {
                $entries[$pair[0].Trim().ToLowerInvariant()] = $pair[1].Trim()
            }
        }
        $server = $(if ($entries.ContainsKey('https')) { $entries['https'] } elseif ($entries.ContainsKey('http')) { $entries['http'] } else { '' })
    }
    if ([string]::IsNullOrEmpty($server)) {
        return ''
    }
    if ($server -notmatch '^[A-Za-z][A-Za-z0-9+.-]*://') {
        $server = "http://$server"
    }
    return ([System.Uri]::new($server)).AbsoluteUri
}

function Get-MsdiagProxyAuthority {
    param([string]$Url)
    if ([string]::IsNullOrEmpty($Url)) {
        return ''
    }
    return ([System.Uri]::new($Url)).Authority.ToLowerInvariant()
}

function Receive-MsdiagHostProbe {
    # A host probe's result: complete, or what it learnt before its budget ran out or it failed.
    param($Job, $Clock, [int]$DeadlineMs)
    $outcome = Receive-MsdiagProbeJob -Job $Job -Clock $Clock -DeadlineMs $DeadlineMs
    if ($null -ne $outcome.output) {
        return $outcome.output
    }
    if ($outcome.done) {
        Add-MsdiagProbeError -Probe "$($Job.path) $($Job.target)" -Message $outcome.failure
        return (Get-MsdiagPartialProbe -Job $Job -StoppedAt $null)
    }
    return (Get-MsdiagPartialProbe -Job $Job -StoppedAt ([string]$Job.state['step']))
}

$TimeoutMs = [Math]::Max(200, [Math]::Min(10000, $TimeoutMs))
$pacMaxBytes = 262144
# Comma-separated elements are split: `pwsh -File ... -Hosts a,b` passes one string.
$hostList = @($Hosts | ForEach-Object { ([string]$_).Split(',') } | ForEach-Object { $_.Trim() } |
        Where-Object { $_ -match '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$' } | Select-Object -Unique -First 64)
$budgetMs = [Math]::Min(4 * $TimeoutMs + 1000, 13000)
$data = [ordered]@{ timeout_ms = $TimeoutMs; budget_ms = $budgetMs; probes = @(); winhttp_probes = @(); pac = $null }
# Holders, not variables: probes run in child scopes and must update what they share.
$pacTarget = @{ url = $null; probe = $false }
$user = @{ context = $null }
$winHttp = @{ setting = $null }

if (-not [string]::IsNullOrWhiteSpace($PacUrl)) {
    $pacTarget.url = Limit-MsdiagText $PacUrl.Trim() 4096
} else {
    Invoke-MsdiagProbe 'pac_url' {
        # The same user's settings as the proxy check reports (see Resolve-MsdiagInternetSettingsScope).
        $user.context = Get-MsdiagUserContext
        $scope = [ordered]@{ source = $null; user = $null; sid = $null; path = $null }
        Resolve-MsdiagInternetSettingsScope -Scope $scope -Context $user.context
        if ($scope.source -eq 'unavailable') {
            throw "nobody is signed in, or the hive of $($scope.sid) (HKEY_USERS\$($scope.sid)) is not loaded, so no user's PAC address can be read"
        }
        $configured = [string](Get-MsdiagRegistryValue -Path $scope.path -Name 'AutoConfigURL')
        if (-not [string]::IsNullOrWhiteSpace($configured)) {
            $pacTarget.url = Limit-MsdiagText $configured.Trim() 4096
        }
    }
}
if ($null -ne $pacTarget.url) {
    $data.pac = [ordered]@{ url = $pacTarget.url; dns = $null; tcp = $null; http = $null; bytes = $null; looks_like_pac = $null }
    Invoke-MsdiagProbe 'pac' {
        $parsed = $null
        if (-not [System.Uri]::TryCreate($pacTarget.url, [System.UriKind]::Absolute, [ref]$parsed)) {
            throw 'not probed: the PAC address is not an absolute URL'
        }
        if ($parsed.Scheme -eq 'file') {
            throw 'not probed: Windows 10 and later do not use a PAC file given as a file:// address (WinINET and WinHTTP ignore it); serve it over http(s)'
        }
        if ($parsed.Scheme -ne 'http' -and $parsed.Scheme -ne 'https') {
            throw "not probed: WinINET fetches a PAC file over http or https, not $($parsed.Scheme)"
        }
        $pacTarget.probe = $true
    }
}

Invoke-MsdiagProbe 'winhttp_setting' {
    Assert-MsdiagWindows
    $winHttp.setting = Get-MsdiagWinHttpSetting
}

Invoke-MsdiagProbe 'probes' {
    if ($hostList.Count -eq 0) {
        throw 'no valid host name to probe'
    }
    $originalProtocols = $null
    $pool = $null
    $jobs = [System.Collections.Generic.List[object]]::new()
    $timedOut = $false
    try {
        # HttpWebRequest on Windows PowerShell 5.1 may default to TLS 1.0 only: add TLS 1.2 for this
        # process while probing, and put the original value back (SystemDefault, 0, is left alone).
        $originalProtocols = [System.Net.ServicePointManager]::SecurityProtocol
        if ([int]$originalProtocols -ne 0) {
            [System.Net.ServicePointManager]::SecurityProtocol = $originalProtocols -bor [System.Net.SecurityProtocolType]::Tls12
        }
        $pool = [runspacefactory]::CreateRunspacePool(1, [Math]::Min(8, 2 * $hostList.Count + 1))
        $pool.Open()
        # 1. The session's proxy for each host, bounded by TimeoutMs: a dead PAC server or a slow
        #    WPAD must not use up the probes' budget.
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $discovery = @{}
        foreach ($hostName in $hostList) {
            $job = Submit-MsdiagProbeJob -Pool $pool -Kind 'discover' -Target $hostName -Proxy '' -Path 'discover'
            $jobs.Add($job)
            $discovery[$hostName] = $job
        }
        $found = @{}
        foreach ($hostName in $hostList) {
            $outcome = Receive-MsdiagProbeJob -Job $discovery[$hostName] -Clock $clock -DeadlineMs $TimeoutMs
            if ($outcome.done -and $null -eq $outcome.failure) {
                $found[$hostName] = [string]$outcome.output
            } elseif ($outcome.done) {
                # GetSystemWebProxy failed outright: the session's requests go direct.
                Add-MsdiagProbeError -Probe "proxy_discovery $hostName" -Message $outcome.failure
                $found[$hostName] = ''
            } else {
                $timedOut = $true
            }
        }
        # 2. The probes, each on its own budget counted from here (the pool is up).
        $clock.Restart()
        $sessionJobs = @{}
        $winHttpJobs = [System.Collections.Generic.List[object]]::new()
        foreach ($hostName in $hostList) {
            if (-not $found.ContainsKey($hostName)) {
                continue
            }
            $job = Submit-MsdiagProbeJob -Pool $pool -Kind 'host' -Target $hostName -Proxy $found[$hostName] -Path 'session'
            $jobs.Add($job)
            $sessionJobs[$hostName] = $job
            $winHttpUrl = Get-MsdiagWinHttpProxyUrl -HostName $hostName -Setting $winHttp.setting
            if ((Get-MsdiagProxyAuthority $winHttpUrl) -ne (Get-MsdiagProxyAuthority $found[$hostName])) {
                $job = Submit-MsdiagProbeJob -Pool $pool -Kind 'host' -Target $hostName -Proxy $winHttpUrl -Path 'winhttp'
                $jobs.Add($job)
                $winHttpJobs.Add($job)
            }
        }
        $pacJob = $null
        if ($pacTarget.probe) {
            $pacJob = Submit-MsdiagProbeJob -Pool $pool -Kind 'pac' -Target $pacTarget.url -Proxy '' -Path 'pac'
            $jobs.Add($pacJob)
        }
        $probes = [System.Collections.Generic.List[object]]::new()
        foreach ($hostName in $hostList) {
            if (-not $sessionJobs.ContainsKey($hostName)) {
                $probes.Add([ordered]@{ host = $hostName; proxy = $null; dns = $null; tcp = $null; tls = $null; http = $null; timed_out_at = 'proxy_discovery' })
                continue
            }
            $probes.Add((Receive-MsdiagHostProbe -Job $sessionJobs[$hostName] -Clock $clock -DeadlineMs $budgetMs))
        }
        $data.probes = $probes.ToArray()
        $throughWinHttp = [System.Collections.Generic.List[object]]::new()
        foreach ($job in $winHttpJobs) {
            $throughWinHttp.Add((Receive-MsdiagHostProbe -Job $job -Clock $clock -DeadlineMs $budgetMs))
        }
        $data.winhttp_probes = $throughWinHttp.ToArray()
        if ($null -ne $pacJob) {
            $outcome = Receive-MsdiagProbeJob -Job $pacJob -Clock $clock -DeadlineMs $budgetMs
            if ($null -ne $outcome.output) {
                $data.pac = $outcome.output
            } elseif ($outcome.done) {
                Add-MsdiagProbeError -Probe 'pac' -Message $outcome.failure
            } else {
                $timedOut = $true
                # The PAC keeps its URL with no step results; the error says why.
                Add-MsdiagProbeError -Probe 'pac' -Message "the PAC probe did not finish within $budgetMs ms" -Category 'timeout'
            }
        }
        foreach ($job in $jobs) {
            if (-not $job.handle.IsCompleted) {
                $timedOut = $true
            }
        }
    } finally {
        foreach ($job in $jobs) {
            if (-not $job.handle.IsCompleted) {
                # Asynchronous: a .NET call blocked inside the runspace must not hold this check up.
                $null = $job.shell.BeginStop($null, $null)
            } else {
                $job.shell.Dispose()
            }
        }
        if ($null -ne $pool) {
            if ($timedOut) {
                $null = $pool.BeginClose($null, $null)
            } else {
                $pool.Close()
                $pool.Dispose()
            }
        }
        if ($null -ne $originalProtocols) {
            [System.Net.ServicePointManager]::SecurityProtocol = $originalProtocols
        }
    }
}

Write-MsdiagDocument -Check 'endpoints' -Data $data -UserContext $user.context
