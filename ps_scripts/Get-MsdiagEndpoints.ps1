<#
.SYNOPSIS
    msdiag check "endpoints": can this machine reach the Microsoft account sign-in hosts?
.DESCRIPTION
    Prints one compressed JSON document (check "endpoints"). For each host, in parallel (a
    RunspacePool) and with bounded timeouts: DNS resolution, a TCP connection to port 443 (directly
    or, when the user's system proxy applies to the host, to the proxy followed by an HTTP CONNECT),
    a TLS handshake recording the protocol and the certificate's subject, issuer, expiry and
    validation errors, and an HTTP HEAD request recording the status and the server's Date header
    (used to measure clock skew). The whole check ends within about 4 x TimeoutMs + 1 s.
.PARAMETER Hosts
    Host names to probe. Defaults to the Microsoft account hosts msdiag knows.
.PARAMETER TimeoutMs
    Timeout of each network step in milliseconds (200-10000, default 3000).
.NOTES
    Read-only: opens outbound connections and sends HEAD requests; changes nothing on the machine.
    The certificate callback accepts every certificate only so that the handshake completes and
    what was presented can be reported: no data is sent over these connections.
#>
[CmdletBinding()]
param(
    [string[]]$Hosts = @('login.live.com', 'account.live.com', 'account.microsoft.com', 'login.microsoftonline.com',
        'logincdn.msftauth.net', 'www.msftconnecttest.com'),
    [int]$TimeoutMs = 3000
)

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

# Runs inside a runspace of the pool: a fresh session, so it sets StrictMode itself and defines
# its own helpers. Returns one ordered dictionary shaped like EndpointProbe.
$probeHost = {
    param([string]$HostName, [int]$TimeoutMs)
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

    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $dns = [ordered]@{ addresses = @(); error = $null; ms = $null }
    $result.dns = $dns
    $addresses = @()
    try {
        $lookup = [System.Net.Dns]::GetHostAddressesAsync($HostName)
        if ($lookup.Wait($TimeoutMs)) {
            $addresses = @($lookup.Result | Select-Object -First 64)
            $dns.addresses = @($addresses | ForEach-Object { $_.IPAddressToString })
        } else {
            $dns.error = "timed out after $TimeoutMs ms"
        }
    } catch {
        $dns.error = Get-MsdiagInnerMessage $_.Exception
    }
    $dns.ms = [int]$stopwatch.ElapsedMilliseconds

    $tcp = [ordered]@{ ok = $null; ms = $null; error = $null; target = "${HostName}:443" }
    $result.tcp = $tcp
    if ($null -ne $proxyUri) {
        $tcp.target = "$($proxyUri.Host):$($proxyUri.Port)"
    } elseif ($addresses.Count -eq 0) {
        $tcp.error = 'not attempted: the DNS lookup gave no address'
        return $result
    }

    $client = [System.Net.Sockets.TcpClient]::new()
    $stream = $null
    try {
        $stopwatch.Restart()
        try {
            if ($null -ne $proxyUri) {
                $connect = $client.ConnectAsync($proxyUri.Host, $proxyUri.Port)
            } else {
                $connect = $client.ConnectAsync([System.Net.IPAddress[]]$addresses, 443)
            }
            if (-not $connect.Wait($TimeoutMs)) {
                throw [System.TimeoutException]::new("timed out after $TimeoutMs ms")
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
            # TLS 1.2 (and 1.3 where the framework knows it) explicitly: Windows PowerShell 5.1's
            # .NET defaults may still offer only TLS 1.0, which would say nothing about Windows itself.
            $protocols = [System.Security.Authentication.SslProtocols]::Tls12
            if ([System.Enum]::GetNames([System.Security.Authentication.SslProtocols]) -contains 'Tls13') {
                $protocols = $protocols -bor [System.Security.Authentication.SslProtocols]::Tls13
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
        $client.Dispose()
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

$TimeoutMs = [Math]::Max(200, [Math]::Min(10000, $TimeoutMs))
# Comma-separated elements are split: `pwsh -File ... -Hosts a,b` passes one string.
$hostList = @($Hosts | ForEach-Object { ([string]$_).Split(',') } | ForEach-Object { $_.Trim() } |
        Where-Object { $_ -match '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$' } | Select-Object -Unique -First 64)
$data = [ordered]@{ timeout_ms = $TimeoutMs; probes = @() }

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
    $deadline = [System.Diagnostics.Stopwatch]::StartNew()
    $budgetMs = [Math]::Min(4 * $TimeoutMs + 1000, 13000)
    $pool = [runspacefactory]::CreateRunspacePool(1, [Math]::Min(8, $hostList.Count))
    $pool.Open()
    $jobs = [System.Collections.Generic.List[object]]::new()
    $timedOut = $false
    try {
        foreach ($hostName in $hostList) {
            $shell = [powershell]::Create()
            $shell.RunspacePool = $pool
            $null = $shell.AddScript($probeHost).AddArgument($hostName).AddArgument($TimeoutMs)
            $jobs.Add(@{ host = $hostName; shell = $shell; handle = $shell.BeginInvoke() })
        }
        $probes = [System.Collections.Generic.List[object]]::new()
        foreach ($job in $jobs) {
            $remaining = [int][Math]::Max(0, $budgetMs - $deadline.ElapsedMilliseconds)
            if ($job.handle.AsyncWaitHandle.WaitOne($remaining)) {
                try {
                    $output = @($job.shell.EndInvoke($job.handle))
                    if ($output.Count -gt 0) {
                        $probes.Add($output[0])
                    } else {
                        $probes.Add([ordered]@{ host = $job.host; proxy = $null; dns = [ordered]@{ addresses = @(); error = 'the probe returned nothing'; ms = $null }; tcp = $null; tls = $null; http = $null })
                    }
                } catch {
                    $message = Limit-MsdiagText $_.Exception.Message 1000
                    $probes.Add([ordered]@{ host = $job.host; proxy = $null; dns = [ordered]@{ addresses = @(); error = "the probe failed: $message"; ms = $null }; tcp = $null; tls = $null; http = $null })
                }
            } else {
                $timedOut = $true
                $probes.Add([ordered]@{ host = $job.host; proxy = $null; dns = [ordered]@{ addresses = @(); error = "the probe did not finish within $budgetMs ms"; ms = $null }; tcp = $null; tls = $null; http = $null })
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
