<#
.SYNOPSIS
    Build, test and package QTickets.PowerShell from pwsh.
.DESCRIPTION
    The same tasks as ./build.sh, calling the same targets of build/QTickets.Build.proj (the one definition of
    the steps). Test starts a local ClickHouse 26.7 with build/clickhouse.sh (Linux x64 only: the engine is
    the chdb shared library) and always stops it again.
.PARAMETER Task
    Build (default), Tools (pwsh 7.6.10 and Pester 5.9.1 into the project's cache), Test, Pester, Package, Demo.
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Tools', 'Test', 'Pester', 'Package', 'Demo')]
    [string] $Task = 'Build'
)
$ErrorActionPreference = 'Stop'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:MSBUILDDISABLENODEREUSE = '1'
$proj = Join-Path $PSScriptRoot 'build/QTickets.Build.proj'
$clickhouse = Join-Path $PSScriptRoot 'build/clickhouse.sh'

function Invoke-Target([string] $Target, [string[]] $Extra = @()) {
    & dotnet msbuild $proj -nologo -nodeReuse:false -p:UseSharedCompilation=false -v:minimal "-t:$Target" @Extra
    if ($LASTEXITCODE -ne 0) { throw "build target $Target failed (exit $LASTEXITCODE)" }
}

switch ($Task) {
    'Build'   { Invoke-Target 'Layout' }
    'Tools'   { Invoke-Target 'Tools' }
    'Pester'  { Invoke-Target 'Layout'; Invoke-Target 'Pester' }
    'Package' { Invoke-Target 'Package' }
    'Demo'    { & bash (Join-Path $PSScriptRoot 'scripts/demo.sh'); exit $LASTEXITCODE }
    'Test' {
        if (-not $IsLinux) { throw 'The test suites need the local ClickHouse, which runs on Linux x64 only. Use WSL or a Linux machine.' }
        Invoke-Target 'Layout'
        & bash $clickhouse start --owner-pid $PID
        if ($LASTEXITCODE -ne 0) { throw "ClickHouse did not start (exit $LASTEXITCODE)" }
        try {
            $env:QTICKETS_TEST_CLICKHOUSE_ENV = (& bash $clickhouse env)
            Invoke-Target 'Test'
        }
        finally {
            & bash $clickhouse stop | Out-Null
        }
    }
}
