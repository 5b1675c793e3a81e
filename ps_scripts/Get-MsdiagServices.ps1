<#
.SYNOPSIS
    msdiag check "services": the Windows services a Microsoft account sign-in depends on.
.DESCRIPTION
    Prints one compressed JSON document (check "services") with the status and start type (as
    strings) of wlidsvc (Microsoft Account Sign-in Assistant), TokenBroker (Web Account Manager),
    W32Time, Dnscache and NlaSvc. A service that does not exist is reported with present = false.
    Manual + Stopped is normal for wlidsvc and TokenBroker (they start on demand).
.NOTES
    Read-only: reads the service list, changes nothing.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

$serviceNames = @('wlidsvc', 'TokenBroker', 'W32Time', 'Dnscache', 'NlaSvc')
$services = [System.Collections.Generic.List[object]]::new()
$data = [ordered]@{ services = @() }

foreach ($serviceName in $serviceNames) {
    Invoke-MsdiagProbe "service:$serviceName" {
        Assert-MsdiagWindows
        $entry = [ordered]@{ name = $serviceName; display_name = $null; present = $false; status = $null; start_type = $null }
        # SilentlyContinue: a missing service is an answer (present = false), not a probe failure.
        $service = Get-Service -Name $serviceName -ErrorAction SilentlyContinue
        if ($null -ne $service) {
            $entry.present = $true
            $entry.display_name = Limit-MsdiagText $service.DisplayName
            $entry.status = "$($service.Status)"
            if ($null -ne $service.PSObject.Properties['StartType']) {
                $entry.start_type = "$($service.StartType)"
            }
        }
        $services.Add($entry)
    }
}

$data.services = $services.ToArray()
Write-MsdiagDocument -Check 'services' -Data $data
