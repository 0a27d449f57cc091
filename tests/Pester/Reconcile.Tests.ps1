#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Compare-QTicketsClickHouse and scripts/Invoke-QTicketsReconcile.ps1 in users' pwsh: the bundled sandbox (started
    here on a free port with its own token) loaded by Invoke-QTicketsLoad into a fresh database of the ClickHouse
    named by QTICKETS_TEST_CLICKHOUSE_ENV (build/clickhouse.sh format; default out/clickhouse/clickhouse.env).
    Needs ./build.sh build; no real token and no network.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force -ErrorAction Stop

    $script:ch = Get-TestClickHouse
    function script:Invoke-Admin([string] $Sql) { Invoke-TestClickHouse $script:ch $Sql }

    $script:sandbox = Start-TestSandbox -Argument '--seed', '43', '--orders', '1200', '--history-days', '20'

    $script:db = New-TestDatabase $script:ch
    $script:dir = New-TestDirectory -Prefix 'qt-pester-reconcile-'
    $script:envFile = New-TestEnvFile (Join-Path $script:dir 'qtickets.env') -Sandbox $script:sandbox -ClickHouse $script:ch -Database $script:db

    # The sandbox's virtual now; the 7 whole days before it are 2026-11-13 .. 2026-11-19.
    $script:now = [DateTimeOffset]'2026-11-20T12:00:00+03:00'
    $script:common = @{ EnvFile = $script:envFile; Now = $script:now; LockPath = (Join-Path $script:dir 'load.lock') }
    Initialize-QTicketsClickHouse -EnvFile $script:envFile | Out-Null
    $load = Invoke-QTicketsLoad @common -SkipInventory
    if ($load.Status -ne 'ok') { throw "The initial load failed: $($load.HumanLine)" }

    function script:Get-DayVersions([string] $Table, [string] $Day) {
        $rows = Invoke-Admin "SELECT toString($Day) AS d, max(_ver) FROM $script:db.$Table FINAL WHERE $Day BETWEEN '2026-11-13' AND '2026-11-19' GROUP BY d ORDER BY d FORMAT TSV"
        $map = @{}
        foreach ($l in $rows -split "`n") { $p = $l -split "`t"; $map[$p[0]] = $p[1] }
        $map
    }
}

AfterAll {
    Stop-TestSandbox $script:sandbox
    Remove-TestDatabase $script:ch $script:db
    if ($script:dir) { Remove-Item -Recurse -Force $script:dir -ErrorAction SilentlyContinue }
}

Describe 'Compare-QTicketsClickHouse' {
    It 'finds no drift after a clean load: one typed row per day and event' {
        $rows = Compare-QTicketsClickHouse @common -Days 7
        $rows.Count | Should -BeGreaterThan 10
        $rows[0].GetType().FullName | Should -Be 'QTickets.Core.Reconcile.ReconcileRow'
        $rows | Where-Object differs | Should -BeNullOrEmpty
        ($rows.sales_date | Sort-Object -Unique).Count | Should -BeLessOrEqual 7
    }

    It 'emits one summary with -Summary and records the verdict as <job>_reconcile' {
        $s = Compare-QTicketsClickHouse @common -Days 7 -Summary
        $s.Status | Should -Be 'clean'
        [int] $s.ExitCode | Should -Be 0
        $s.DaysCompared | Should -Be 7
        $s.ApiTickets | Should -Be $s.FactsTickets
        Invoke-Admin "SELECT count() FROM $script:db.meta_job_runs WHERE job = 'qtickets_api_reconcile' AND status = 'ok'" | Should -Not -Be '0'
    }

    It 'finds a row deleted from staging and a wrong facts revenue, and -WhatIf changes nothing' {
        $victim = Invoke-Admin "SELECT order_id FROM $script:db.stg_qtickets_api_orders_raw FINAL WHERE toDate(sale_ts) = '2026-11-15' AND tickets_sold > 0 ORDER BY order_id LIMIT 1"
        Invoke-Admin "DELETE FROM $script:db.stg_qtickets_api_orders_raw WHERE order_id = '$victim'" | Out-Null
        $fact = (Invoke-Admin "SELECT event_id, city, tickets_sold, _ver FROM $script:db.fact_qtickets_sales_daily FINAL WHERE sales_date = '2026-11-17' AND revenue > 0 ORDER BY event_id LIMIT 1") -split "`t"
        Invoke-Admin "INSERT INTO $script:db.fact_qtickets_sales_daily (sales_date, event_id, city, tickets_sold, revenue, _ver) VALUES ('2026-11-17', '$($fact[0])', '$($fact[1])', $($fact[2]), 0.5, $([uint64]$fact[3] + 1))" | Out-Null

        $drift = Compare-QTicketsClickHouse @common -Days 7 -Summary -WarningAction SilentlyContinue
        $drift.Status | Should -Be 'drift'
        [int] $drift.ExitCode | Should -Be 7
        ($drift.DifferingDays | ForEach-Object { $_.ToString('yyyy-MM-dd') }) | Should -Be @('2026-11-15', '2026-11-17')

        $script:stagingBefore = Get-DayVersions 'stg_qtickets_api_orders_raw' 'toDate(sale_ts)'
        $script:factsBefore = Get-DayVersions 'fact_qtickets_sales_daily' 'sales_date'
        Compare-QTicketsClickHouse @common -Days 7 -Repair -WhatIf -WarningAction SilentlyContinue | Out-Null
        $staging = Get-DayVersions 'stg_qtickets_api_orders_raw' 'toDate(sale_ts)'
        $facts = Get-DayVersions 'fact_qtickets_sales_daily' 'sales_date'
        foreach ($day in $script:stagingBefore.Keys) {
            $staging[$day] | Should -Be $script:stagingBefore[$day] -Because "-WhatIf must not reload $day"
            $facts[$day] | Should -Be $script:factsBefore[$day] -Because "-WhatIf must not recompute $day"
        }
    }

    It '-Repair reloads exactly the differing days and then compares clean' {
        $s = Compare-QTicketsClickHouse @common -Days 7 -Repair -Summary -Confirm:$false
        $s.Status | Should -Be 'repaired'
        ($s.RepairedDays | ForEach-Object { $_.ToString('yyyy-MM-dd') }) | Should -Be @('2026-11-15', '2026-11-17')
        $s.DaysDiffering | Should -Be 0
        $stagingAfter = Get-DayVersions 'stg_qtickets_api_orders_raw' 'toDate(sale_ts)'
        $factsAfter = Get-DayVersions 'fact_qtickets_sales_daily' 'sales_date'
        foreach ($day in $script:stagingBefore.Keys) {
            $reloaded = $day -in '2026-11-15', '2026-11-17'
            # A reloaded day's orders are a new reading, versioned above every staged row; other days keep theirs.
            ($stagingAfter[$day] -ne $script:stagingBefore[$day]) | Should -Be $reloaded -Because "staging of $day"
            ($factsAfter[$day] -ne $script:factsBefore[$day]) | Should -Be $reloaded -Because "facts of $day"
        }
        Compare-QTicketsClickHouse @common -Days 7 | Where-Object differs | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-QTicketsReconcile.ps1' {
    BeforeAll {
        $script:scriptPath = Join-Path (Get-TestRepositoryRoot) 'scripts' 'Invoke-QTicketsReconcile.ps1'
    }

    It 'prints two lines and exits 0 when clean, 7 on drift' {
        $arguments = @('-EnvFile', $envFile, '-Now', $now.ToString('o'), '-Days', '3')
        $run = Invoke-TestScript $scriptPath $arguments
        $run.ExitCode | Should -Be 0
        $run.Lines | Should -HaveCount 2
        ($run.Lines[1] | ConvertFrom-Json).status | Should -Be 'clean'

        Invoke-Admin "DELETE FROM $script:db.stg_qtickets_api_orders_raw WHERE toDate(sale_ts) = '2026-11-18' AND tickets_sold > 0" | Out-Null
        $run = Invoke-TestScript $scriptPath $arguments
        $run.ExitCode | Should -Be 7
        ($run.Lines[1] | ConvertFrom-Json).differing_days | Should -Be @('2026-11-18')

        # -Repair takes the loader's lock: in this run's folder, not the user's runtime folder.
        $run = Invoke-TestScript $scriptPath ($arguments + '-Repair') -Environment @{ XDG_RUNTIME_DIR = $script:dir }
        $run.ExitCode | Should -Be 0
        ($run.Lines[1] | ConvertFrom-Json).status | Should -Be 'repaired'
    }
}
