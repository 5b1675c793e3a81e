<#
.SYNOPSIS
    msdiag check "endpoints": can this machine reach the Microsoft account sign-in hosts?
.DESCRIPTION
    Prints one compressed JSON document (check "endpoints"). For each host, in parallel (a
    RunspacePool) and with bounded timeouts: DNS resolution, a TCP connection to port 443 (directly
    or, when the user's system proxy applies to the host, to the proxy followed by an HTTP CONNECT),
    a TLS handshake recording the protocol and the certificate's subject, issuer, expiry and
    validation errors, and an HTTP HEAD request recording the status and the server's Date header
    (used to measure clock skew). When the user's WinINET AutoConfigURL is set (or -PacUrl is
    given), that PAC file is probed alongside: DNS, TCP to its port and an HTTP GET made DIRECT, as
    WinINET fetches it, reading at most 256 KB and noting whether it contains FindProxyForURL.
    The whole check ends within about 4 x TimeoutMs + 1 s (13 s at most).
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
# exist, so it sets StrictMode itself and defines its own helpers. Kind 'host' returns one ordered
# dictionary shaped like EndpointProbe, kind 'pac' one shaped like PacProbe.
$probeScript = {
    param([string]$Kind, [string]$Target, [int]$TimeoutMs, [int]$MaxBytes)
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
        param([string]$HostName, [int]$TimeoutMs)
        $result = [ordered]@{ host = $HostName; proxy = $null; dns = $null; tcp = $null; tls = $null; http = $null }
        $uri = [System.Uri]::new("https://$HostName/")
        $systemProxy = $null
        $proxyUri = $null
        try {
            # The proxy WinINET would use for this URL (static, PAC or WPAD), as the user's browser would.
            $systemProxy = [System.Net.WebRequest]::GetSystemWebProxy()
            if (-not $systemProxy.IsBypassed($uri)) {
                $candidate = $systemProxy.GetProxy($uri)
                # .NET Framework returns the URL itself for "direct"; .NET (Core) returns $null.
                if ($null -ne $candidate -and $candidate.Authority -ne $uri.Authority) {
                    $proxyUri = $candidate
                    $result.proxy = [string]$candidate.AbsoluteUri
                }
            }
        } catch {
            $proxyUri = $null
        }

        $dns = [ordered]@{ addresses = @(); error = $null; ms = $null }
        $result.dns = $dns
        $addresses = Resolve-MsdiagAddress -Name $HostName -Dns $dns -TimeoutMs $TimeoutMs

        $tcp = [ordered]@{ ok = $null; ms = $null; error = $null; target = "${HostName}:443" }
        $result.tcp = $tcp
        if ($null -ne $proxyUri) {
            $tcp.target = "$($proxyUri.Host):$($proxyUri.Port)"
        } elseif ($addresses.Count -eq 0) {
            $tcp.error = 'not attempted: the DNS lookup gave no address'
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
                    # HTTP CONNECT tunnel through the proxy. Proxies that demand authentication (407)
                    # are reported as such: this probe does not authenticate.
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
                    if ($statusLine -notmatch '^HTTP/\d(\.\d)? 200') {
                        throw "the proxy refused the CONNECT tunnel: $statusLine"
                    }
                }
                $tcp.ok = $true
            } catch {
                $tcp.ok = $false
                $tcp.error = Get-MsdiagInnerMessage $_.Exception
            }
            $tcp.ms = [int]$stopwatch.ElapsedMilliseconds
            if (-not $tcp.ok) {
                return $result
            }

            $tls = [ordered]@{
                ok = $null; protocol = $null; subject = $null; issuer = $null; not_after = $null
                validation_error = $null; error = $null; ms = $null
            }
            $result.tls = $tls
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
                # TLS 1.2 explicitly: Windows PowerShell 5.1's .NET defaults may offer only TLS 1.0,
                # which would say nothing about Windows itself. TLS 1.3 only where both exist: the enum
                # member (.NET Framework 4.8 on; the name is looked up, never written as a literal) and
                # SChannel TLS 1.3 (Windows 11 / Server 2022, build 20348 on). UNVERIFIED: whether
                # Windows 10's SChannel fails a handshake that asks for TLS 1.3; not asking avoids it.
                $protocols = [System.Security.Authentication.SslProtocols]::Tls12
                if ([System.Enum]::GetNames([System.Security.Authentication.SslProtocols]) -contains 'Tls13' -and
                    [System.Environment]::OSVersion.Version.Build -ge 20348) {
                    $protocols = $protocols -bor [System.Enum]::Parse([System.Security.Authentication.SslProtocols], 'Tls13')
                }
                $ssl.AuthenticateAsClient($HostName, $null, $protocols, $false)
                $tls.ok = $true
                $tls.protocol = "$($ssl.SslProtocol)"
                $ssl.Dispose()
            } catch {
                $tls.ok = $false
                $tls.error = Get-MsdiagInnerMessage $_.Exception
            }
            $tls.ms = [int]$stopwatch.ElapsedMilliseconds
        } finally {
            if ($null -ne $client) {
                $client.Dispose()
            }
        }

        $http = [ordered]@{ status = $null; date = $null; error = $null; ms = $null }
        $result.http = $http
        $stopwatch.Restart()
        $response = $null
        try {
            $webRequest = [System.Net.WebRequest]::Create($uri)
            $webRequest.Method = 'HEAD'
            $webRequest.Timeout = $TimeoutMs
            $webRequest.ReadWriteTimeout = $TimeoutMs
            $webRequest.AllowAutoRedirect = $false
            $webRequest.UserAgent = 'msdiag-endpoint-check'
            if ($null -ne $systemProxy) {
                $webRequest.Proxy = $systemProxy
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
        return $result
    }

    if ($Kind -eq 'pac') {
        return (Get-MsdiagPac -Url $Target -TimeoutMs $TimeoutMs -MaxBytes $MaxBytes)
    }
    return (Get-MsdiagEndpointProbe -HostName $Target -TimeoutMs $TimeoutMs)
}

function Get-MsdiagFailedProbe {
    # The place of a host probe that returned nothing, threw or ran out of time.
    param([string]$HostName, [string]$Message)
    return [ordered]@{
        host = $HostName; proxy = $null; dns = [ordered]@{ addresses = @(); error = $Message; ms = $null }
        tcp = $null; tls = $null; http = $null
    }
}

$TimeoutMs = [Math]::Max(200, [Math]::Min(10000, $TimeoutMs))
$pacMaxBytes = 262144
# Comma-separated elements are split: `pwsh -File ... -Hosts a,b` passes one string.
$hostList = @($Hosts | ForEach-Object { ([string]$_).Split(',') } | ForEach-Object { $_.Trim() } |
        Where-Object { $_ -match '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$' } | Select-Object -Unique -First 64)
$data = [ordered]@{ timeout_ms = $TimeoutMs; probes = @(); pac = $null }
# A holder, not variables: probes run in child scopes and must update what they share.
$pacTarget = @{ url = $null; probe = $false }

if (-not [string]::IsNullOrWhiteSpace($PacUrl)) {
    $pacTarget.url = Limit-MsdiagText $PacUrl.Trim() 4096
} else {
    Invoke-MsdiagProbe 'pac_url' {
        # The same user's settings as the proxy check reports (see Resolve-MsdiagInternetSettingsScope).
        $scope = [ordered]@{ source = $null; user = $null; sid = $null; path = $null }
        Resolve-MsdiagInternetSettingsScope -Scope $scope
        if ($scope.source -eq 'unavailable') {
            throw "the hive of $($scope.user) (HKEY_USERS\$($scope.sid)) is not loaded, so its PAC address cannot be read"
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

Invoke-MsdiagProbe 'probes' {
    if ($hostList.Count -eq 0) {
        throw 'no valid host name to probe'
    }
    # HttpWebRequest on Windows PowerShell 5.1 may default to TLS 1.0 only; add TLS 1.2 for this
    # process while probing and put the original value back (0 = SystemDefault is left alone).
    $originalProtocols = [System.Net.ServicePointManager]::SecurityProtocol
    if ([int]$originalProtocols -ne 0) {
        [System.Net.ServicePointManager]::SecurityProtocol = $originalProtocols -bor [System.Net.SecurityProtocolType]::Tls12
    }
    $work = [System.Collections.Generic.List[object]]::new()
    foreach ($hostName in $hostList) {
        $work.Add(@{ kind = 'host'; target = $hostName })
    }
    if ($pacTarget.probe) {
        $work.Add(@{ kind = 'pac'; target = $pacTarget.url })
    }
    $deadline = [System.Diagnostics.Stopwatch]::StartNew()
    $budgetMs = [Math]::Min(4 * $TimeoutMs + 1000, 13000)
    $pool = [runspacefactory]::CreateRunspacePool(1, [Math]::Min(8, $work.Count))
    $pool.Open()
    $jobs = [System.Collections.Generic.List[object]]::new()
    $timedOut = $false
    try {
        foreach ($item in $work) {
            $shell = [powershell]::Create()
            $shell.RunspacePool = $pool
            $null = $shell.AddScript($probeScript).AddArgument($item.kind).AddArgument($item.target).AddArgument($TimeoutMs).AddArgument($pacMaxBytes)
            $jobs.Add(@{ kind = $item.kind; target = $item.target; shell = $shell; handle = $shell.BeginInvoke() })
        }
        $probes = [System.Collections.Generic.List[object]]::new()
        foreach ($job in $jobs) {
            $remaining = [int][Math]::Max(0, $budgetMs - $deadline.ElapsedMilliseconds)
            $outcome = $null
            $failure = $null
            $category = 'failed'
            if ($job.handle.AsyncWaitHandle.WaitOne($remaining)) {
                try {
                    $output = @($job.shell.EndInvoke($job.handle))
                    if ($output.Count -gt 0) {
                        $outcome = $output[0]
                    } else {
                        $failure = 'the probe returned nothing'
                    }
                } catch {
                    $failure = "the probe failed: $(Limit-MsdiagText $_.Exception.Message 1000)"
                }
            } else {
                $timedOut = $true
                $failure = "the probe did not finish within $budgetMs ms"
                $category = 'timeout'
            }
            if ($job.kind -eq 'pac') {
                if ($null -ne $outcome) {
                    $data.pac = $outcome
                } else {
                    # The PAC keeps its URL with no step results; the error says why.
                    Add-MsdiagProbeError -Probe 'pac' -Message $failure -Category $category
                }
            } elseif ($null -ne $outcome) {
                $probes.Add($outcome)
            } else {
                $probes.Add((Get-MsdiagFailedProbe -HostName $job.target -Message $failure))
            }
        }
        $data.probes = $probes.ToArray()
    } finally {
        foreach ($job in $jobs) {
            if (-not $job.handle.IsCompleted) {
                # Asynchronous: a .NET call blocked inside the runspace must not hold this check up.
                $null = $job.shell.BeginStop($null, $null)
            } else {
                $job.shell.Dispose()
            }
        }
        if ($timedOut) {
            $null = $pool.BeginClose($null, $null)
        } else {
            $pool.Close()
            $pool.Dispose()
        }
        [System.Net.ServicePointManager]::SecurityProtocol = $originalProtocols
    }
}

Write-MsdiagDocument -Check 'endpoints' -Data $data
