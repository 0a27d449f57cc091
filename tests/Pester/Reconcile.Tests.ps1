#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Compare-QTicketsClickHouse and scripts/Invoke-QTicketsReconcile.ps1 in users' pwsh: the bundled sandbox (started
    here on a free port with its own token) loaded by Invoke-QTicketsLoad into a fresh database of the ClickHouse
    named by QTICKETS_TEST_CLICKHOUSE_ENV (build/clickhouse.sh format; default out/clickhouse/clickhouse.env).
    Needs ./build.sh build; no real token and no network.
#>

BeforeAll {
    $repo = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    Import-Module (Join-Path $repo 'out' 'QTickets' 'QTickets.psd1') -Force -ErrorAction Stop

    $chEnv = $env:QTICKETS_TEST_CLICKHOUSE_ENV
    if (-not $chEnv) { $chEnv = Join-Path $repo 'out' 'clickhouse' 'clickhouse.env' }
    if (-not (Test-Path $chEnv)) { throw "No ClickHouse env file at ${chEnv}: run build/clickhouse.sh start." }
    $script:ch = @{}
    foreach ($line in Get-Content $chEnv) {
        if ($line -match '^\s*([A-Z_]+)=(.*)$') { $script:ch[$Matches[1]] = $Matches[2] }
    }
    function script:Invoke-Admin([string] $Sql) {
        $pair = "$($script:ch.QTICKETS_CH_ADMIN_USER):$($script:ch.QTICKETS_CH_ADMIN_PASSWORD)"
        $auth = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($pair))
        "$(Invoke-RestMethod -Method Post -Uri "http://$($script:ch.CLICKHOUSE_HOST):$($script:ch.CLICKHOUSE_PORT)/" `
            -Headers @{ Authorization = $auth } -Body $Sql)".Trim()
    }

    $token = 'qt-pester-' + [guid]::NewGuid().ToString('N')
    $start = [System.Diagnostics.ProcessStartInfo]::new()
    if ($IsWindows) {
        $start.FileName = 'dotnet'
        $start.ArgumentList.Add((Join-Path $repo 'out' 'sandbox' 'QTickets.Sandbox.dll'))
    }
    else {
        $start.FileName = Join-Path $repo 'out' 'qtickets-sandbox'
    }
    foreach ($a in '--port', '0', '--token', $token, '--seed', '43', '--orders', '1200', '--history-days', '20') { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $script:sandbox = [System.Diagnostics.Process]::Start($start)
    $sandbox.BeginErrorReadLine()
    $first = $sandbox.StandardOutput.ReadLineAsync()
    if (-not $first.Wait([timespan]::FromSeconds(60)) -or $first.Result -notmatch '^QTickets sandbox listening on (\S+)$') {
        $sandbox.Kill($true)
        throw "The sandbox did not start: '$($first.Result)'"
    }
    $url = $Matches[1]

    $script:db = 'qt_pester_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Invoke-Admin "CREATE DATABASE $script:db" | Out-Null
    $script:dir = Join-Path ([IO.Path]::GetTempPath()) "qt-pester-reconcile-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $script:dir | Out-Null
    $script:envFile = Join-Path $script:dir 'qtickets.env'
    @(
        "QTICKETS_TOKEN=$token", "QTICKETS_BASE_URL=$url"
        "CLICKHOUSE_HOST=$($ch.CLICKHOUSE_HOST)", "CLICKHOUSE_PORT=$($ch.CLICKHOUSE_PORT)", "CLICKHOUSE_DB=$script:db"
        "CLICKHOUSE_USER=$($ch.QTICKETS_CH_ADMIN_USER)", "CLICKHOUSE_PASSWORD=$($ch.QTICKETS_CH_ADMIN_PASSWORD)"
    ) | Set-Content -Path $script:envFile -Encoding utf8
    if (-not $IsWindows) { [IO.File]::SetUnixFileMode($script:envFile, [IO.UnixFileMode]'UserRead, UserWrite') }

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
    if ($script:sandbox -and -not $script:sandbox.HasExited) { $script:sandbox.Kill($true) }
    if ($script:db) { Invoke-Admin "DROP DATABASE IF EXISTS $script:db SYNC" | Out-Null }
    if ($script:dir) { Remove-Item -Recurse -Force $script:dir -ErrorAction SilentlyContinue }
}

Describe 'Compare-QTicketsClickHouse' {
    It 'finds no drift after a clean load: one typed row per day and event' {
        $rows = Compare-QTicketsClickHouse @common -Days 7
        $rows.Count | Should -BeGreaterThan 10
        $rows[0].GetType().FullName | Should -Be 'QTickets.Reconcile.ReconcileRow'
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
            ($stagingAfter[$day] -ne $script:stagingBefore[$day]) | Should -Be $reloaded -Because "staging of $day"
            ($factsAfter[$day] -ne $script:factsBefore[$day]) | Should -Be $reloaded -Because "facts of $day"
        }
        Compare-QTicketsClickHouse @common -Days 7 | Where-Object differs | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-QTicketsReconcile.ps1' {
    BeforeAll {
        $script:pwsh = (Get-Process -Id $PID).Path
        $script:scriptPath = Join-Path $repo 'scripts' 'Invoke-QTicketsReconcile.ps1'
    }

    It 'prints two lines and exits 0 when clean, 7 on drift' {
        $out = & $pwsh -NoProfile -File $scriptPath -EnvFile $envFile -Now $now.ToString('o') -Days 3
        $LASTEXITCODE | Should -Be 0
        $out | Should -HaveCount 2
        ($out[1] | ConvertFrom-Json).status | Should -Be 'clean'

        Invoke-Admin "DELETE FROM $script:db.stg_qtickets_api_orders_raw WHERE toDate(sale_ts) = '2026-11-18' AND tickets_sold > 0" | Out-Null
        $out = & $pwsh -NoProfile -File $scriptPath -EnvFile $envFile -Now $now.ToString('o') -Days 3
        $LASTEXITCODE | Should -Be 7
        ($out[1] | ConvertFrom-Json).differing_days | Should -Be @('2026-11-18')

        $env:XDG_RUNTIME_DIR, $saved = $script:dir, $env:XDG_RUNTIME_DIR
        try { $out = & $pwsh -NoProfile -File $scriptPath -EnvFile $envFile -Now $now.ToString('o') -Days 3 -Repair }
        finally { $env:XDG_RUNTIME_DIR = $saved }
        $LASTEXITCODE | Should -Be 0
        ($out[1] | ConvertFrom-Json).status | Should -Be 'repaired'
    }
}
