<#
.SYNOPSIS
    msdiag check "os": Windows version, build, edition, computer and domain, uptime, elevation.
.DESCRIPTION
    Prints one compressed JSON document (check "os") with the operating system caption, version,
    build and update revision, display version (23H2), edition, architecture, computer name,
    domain or workgroup, last boot time and uptime, whether this session is elevated, and the
    PowerShell edition and version. Uses Get-CimInstance (not the slow Get-ComputerInfo) and the
    registry key HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion.
.NOTES
    Read-only: reads WMI/CIM and the registry, changes nothing. Works on Windows PowerShell 5.1 and
    PowerShell 7; on PowerShell 7 outside Windows the Windows probes are reported as unavailable.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest

# Shared helpers: defined once by the msdiag runner, else loaded from beside this script.
if (-not (Get-Command -Name 'Initialize-MsdiagCheck' -CommandType Function -ErrorAction SilentlyContinue)) {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'MsdiagCommon.ps1'))
}
$msdiagCheck = Initialize-MsdiagCheck

$data = [ordered]@{
    caption         = $null
    product_name    = $null
    version         = $null
    build           = $null
    ubr             = $null
    display_version = $null
    edition         = $null
    architecture    = $null
    computer_name   = $null
    domain          = $null
    part_of_domain  = $null
    workgroup       = $null
    last_boot_utc   = $null
    uptime_seconds  = $null
    is_elevated     = $null
    ps_edition      = $null
    ps_version      = $null
    is_windows      = [bool](Test-MsdiagWindows)
}

Invoke-MsdiagProbe 'powershell' {
    $data.ps_edition = Limit-MsdiagText $PSVersionTable.PSEdition
    $data.ps_version = Limit-MsdiagText $PSVersionTable.PSVersion
}

Invoke-MsdiagProbe 'operating_system' {
    Assert-MsdiagWindows
    $os = Get-CimInstance -ClassName Win32_OperatingSystem -OperationTimeoutSec 10
    $data.caption = Limit-MsdiagText $os.Caption
    $data.version = Limit-MsdiagText $os.Version
    $build = 0
    if ([int]::TryParse([string]$os.BuildNumber, [ref]$build)) {
        $data.build = $build
    }
    $data.architecture = Limit-MsdiagText $os.OSArchitecture
    if ($null -ne $os.LastBootUpTime) {
        $bootUtc = ([DateTime]$os.LastBootUpTime).ToUniversalTime()
        $data.last_boot_utc = $bootUtc.ToString('o')
        $data.uptime_seconds = [int][Math]::Max(0, ([DateTime]::UtcNow - $bootUtc).TotalSeconds)
    }
}

Invoke-MsdiagProbe 'computer_system' {
    Assert-MsdiagWindows
    $computer = Get-CimInstance -ClassName Win32_ComputerSystem -OperationTimeoutSec 10
    $data.computer_name = Limit-MsdiagText $computer.Name
    $data.domain = Limit-MsdiagText $computer.Domain
    $data.part_of_domain = [bool]$computer.PartOfDomain
    # Workgroup is $null on a domain member.
    $data.workgroup = Limit-MsdiagText $computer.Workgroup
}

Invoke-MsdiagProbe 'current_version_registry' {
    $path = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    # ProductName may still say "Windows 10" on Windows 11 (UNVERIFIED): readers decide from the build.
    $data.product_name = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $path -Name 'ProductName')
    $data.edition = Limit-MsdiagText (Get-MsdiagRegistryValue -Path $path -Name 'EditionID')
    $displayVersion = Get-MsdiagRegistryValue -Path $path -Name 'DisplayVersion'
    if ($null -eq $displayVersion) {
        # Before 20H2 the release was only in ReleaseId ("2004").
        $displayVersion = Get-MsdiagRegistryValue -Path $path -Name 'ReleaseId'
    }
    $data.display_version = Limit-MsdiagText $displayVersion
    $ubr = Get-MsdiagRegistryValue -Path $path -Name 'UBR'
    if ($null -ne $ubr) {
        $data.ubr = ConvertTo-MsdiagUInt32 $ubr
    }
    if ($null -eq $data.build) {
        $currentBuild = 0
        if ([int]::TryParse([string](Get-MsdiagRegistryValue -Path $path -Name 'CurrentBuildNumber'), [ref]$currentBuild)) {
            $data.build = $currentBuild
        }
    }
}

Invoke-MsdiagProbe 'elevation' {
    Assert-MsdiagWindows
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = [System.Security.Principal.WindowsPrincipal]::new($identity)
    $data.is_elevated = [bool]$principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

if ($null -eq $data.computer_name) {
    $data.computer_name = Limit-MsdiagText ([System.Environment]::MachineName)
}

Write-MsdiagDocument -Check 'os' -Data $data
