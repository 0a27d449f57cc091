#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    -WhatIf (and so -Confirm, which asks the same text) names where a write goes and how much: the server as
    host:port, the table as database.table, and the rows where they are known. Run in a child pwsh, since pwsh
    writes "What if:" lines to the host, not to a stream: its stdout is what a user reads. Needs ./build.sh build and
    the test ClickHouse; starts the sandbox.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $manifest = Get-TestModuleManifest
    Import-Module $manifest -Force -ErrorAction Stop
    $script:ch = Get-TestClickHouse
    $script:db = New-TestDatabase $ch -Prefix 'qt_pester_whatif_'
    $admin = Get-TestClickHouseParameter $ch $db
    Initialize-QTicketsClickHouse @admin -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null
    $script:sandbox = Start-TestSandbox -Argument '--orders', '200', '--history-days', '5'
    $script:work = New-TestDirectory -Prefix 'qt-pester-whatif-'
    $envFile = New-TestEnvFile (Join-Path $work 'qtickets.env') -Sandbox $sandbox -ClickHouse $ch -Database $db
    $script:server = "$($ch.CLICKHOUSE_HOST):$($ch.CLICKHOUSE_PORT)"
    $now = (Get-TestSandboxClock $sandbox).ToString('o')
    $probe = Join-Path $work 'whatif.ps1'
    Set-Content -LiteralPath $probe -Value @"
Import-Module '$manifest' -ErrorAction Stop
`$PSDefaultParameterValues['*-QTickets*:EnvFile'] = '$envFile'
1..2500 | ForEach-Object { [pscustomobject]@{ event_id = "e`$_"; event_name = 'Show'; city = 'x'; _ver = [uint64]1 } } |
    Write-QTicketsClickHouse -Table dim_events -BatchSize 1000 -WhatIf
Update-QTicketsDailyFacts -Day 2026-11-01, 2026-11-02 -WhatIf
`$summary = Invoke-QTicketsLoad -Now '$now' -WhatIf
"ORDERS `$(`$summary.Orders) ROWS `$(`$summary.SalesRows)"
"@
    $script:run = Invoke-TestScript $probe
    $script:said = @($run.Lines) -join "`n"
}

AfterAll {
    Stop-TestSandbox $sandbox
    Remove-TestDatabase $ch $db
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe '-WhatIf names the server, the table and the rows' {
    It 'ran' {
        $run.ExitCode | Should -Be 0 -Because ($run.Lines + $run.Errors -join "`n")
    }

    It 'Write-QTicketsClickHouse: the rows, their batches, database.table and host:port' {
        $said | Should -Match ([regex]::Escape("What if: Write 2500 rows in 3 batches of up to 1000 to $db.dim_events on $server"))
    }

    It 'Update-QTicketsDailyFacts: the days, database.table and host:port' {
        $said | Should -Match ([regex]::Escape("Recompute the daily sales facts of 2 days (2026-11-01 .. 2026-11-02) in $db.fact_qtickets_sales_daily on $server"))
    }

    It 'Invoke-QTicketsLoad: database.table and host:port, and the rows the dry run counted' {
        $said | Should -Match ([regex]::Escape("into $db.stg_qtickets_api_orders_raw on $server"))
        $counted = [regex]::Match($said, 'ORDERS (\d+) ROWS (\d+)')
        $counted.Success | Should -BeTrue
        [int] $counted.Groups[1].Value | Should -BeGreaterThan 0
        # Nothing was written.
        Invoke-TestClickHouse $ch "SELECT count() FROM $db.stg_qtickets_api_orders_raw" | Should -Be '0'
    }
}
