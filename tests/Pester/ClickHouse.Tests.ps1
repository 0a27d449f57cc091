#Requires -Version 7.6
# Pester 5 tests of the ClickHouse cmdlets for users' pwsh (CI here cannot run Pester). Needs a ClickHouse whose
# dotenv file (build/clickhouse.sh format) is named by QTICKETS_TEST_CLICKHOUSE_ENV; each run uses its own database.
BeforeAll {
    $envFile = $env:QTICKETS_TEST_CLICKHOUSE_ENV
    if (-not $envFile) { $envFile = Join-Path $PSScriptRoot '../../out/clickhouse/clickhouse.env' }
    if (-not (Test-Path $envFile)) { throw "No ClickHouse env file at $envFile: run ./build.sh test or build/clickhouse.sh start." }
    $script:ch = @{}
    foreach ($line in Get-Content $envFile) {
        if ($line -match '^\s*([A-Z_]+)=(.*)$') { $script:ch[$Matches[1]] = $Matches[2] }
    }
    Import-Module (Join-Path $PSScriptRoot '../../out/QTickets/QTickets.psd1') -Force
    $script:db = 'qt_pester_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $secure = ConvertTo-SecureString $script:ch.QTICKETS_CH_ADMIN_PASSWORD -AsPlainText -Force
    $script:conn = @{
        ClickHouseHost = $script:ch.CLICKHOUSE_HOST
        ClickHousePort = [int]$script:ch.CLICKHOUSE_PORT
        Database       = $script:db
        Credential     = [pscredential]::new($script:ch.QTICKETS_CH_ADMIN_USER, $secure)
    }
    function script:Invoke-Admin([string]$Sql) {
        $pair = "$($script:ch.QTICKETS_CH_ADMIN_USER):$($script:ch.QTICKETS_CH_ADMIN_PASSWORD)"
        $auth = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($pair))
        (Invoke-RestMethod -Method Post -Uri "http://$($script:ch.CLICKHOUSE_HOST):$($script:ch.CLICKHOUSE_PORT)/" `
            -Headers @{ Authorization = $auth } -Body $Sql).ToString().Trim()
    }
}

AfterAll {
    Invoke-Admin "DROP DATABASE IF EXISTS $script:db SYNC" | Out-Null
}

Describe 'Initialize-QTicketsClickHouse' {
    It 'prints the DDL under -WhatIf and creates nothing' {
        Initialize-QTicketsClickHouse @conn -WhatIf | Should -BeNullOrEmpty
        Invoke-Admin "SELECT count() FROM system.databases WHERE name = '$script:db'" | Should -Be '0'
    }
    It 'applies the migrations once' {
        $first = Initialize-QTicketsClickHouse @conn
        $first | Should -HaveCount 4
        $again = Initialize-QTicketsClickHouse @conn
        $again.Outcome | Sort-Object -Unique | Should -Be 'already applied'
    }
}

Describe 'Write-QTicketsClickHouse' {
    It 'writes rows in batches, returns a WriteResult, and a repeat adds nothing' {
        $rows = 1..2500 | ForEach-Object { [pscustomobject]@{ event_id = "p$_"; event_name = 'Show'; city = 'томск'; _ver = [uint64]1 } }
        $result = $rows | Write-QTicketsClickHouse -Table dim_events -BatchSize 1000 @conn -PassThru
        $result.Rows | Should -Be 2500
        $result.Batches | Should -Be 3
        $rows | Write-QTicketsClickHouse -Table dim_events -BatchSize 1000 @conn
        Invoke-Admin "SELECT count() FROM $script:db.dim_events" | Should -Be '2500'
    }
    It 'counts under -WhatIf without writing' {
        $r = 1..10 | ForEach-Object { [pscustomobject]@{ event_id = "w$_"; _ver = [uint64]1 } } |
            Write-QTicketsClickHouse -Table dim_events -BatchSize 4 @conn -WhatIf -PassThru
        $r.Batches | Should -Be 3
        $r.WhatIf | Should -BeTrue
        Invoke-Admin "SELECT count() FROM $script:db.dim_events WHERE startsWith(event_id, 'w')" | Should -Be '0'
    }
    It 'fails with a specific error for a missing table' {
        { [pscustomobject]@{ a = 1 } | Write-QTicketsClickHouse -Table no_such_table @conn -ErrorAction Stop } |
            Should -Throw -ErrorId 'QTickets.ClickHouse.TableMissing*'
    }
}

Describe 'Test-QTicketsClickHouse' {
    It 'returns one result per check and fails the command when one fails' {
        $results = Test-QTicketsClickHouse @conn -ErrorVariable failures -ErrorAction SilentlyContinue
        $results.Name | Should -Contain 'duplicate_orders'
        ($results | Where-Object Name -eq 'job_runs').Passed | Should -BeFalse
        $failures | Should -Not -BeNullOrEmpty
    }
}
