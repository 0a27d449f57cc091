#Requires -Version 7.6
# Pester 5 tests of the ClickHouse cmdlets in pwsh 7.6. Needs a ClickHouse whose
# dotenv file (build/clickhouse.sh format) is named by QTICKETS_TEST_CLICKHOUSE_ENV; each run uses its own database.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:ch = Get-TestClickHouse
    # Named only: the first test checks that Initialize-QTicketsClickHouse -WhatIf does not create it.
    $script:db = New-TestDatabase $script:ch -NameOnly
    $script:conn = Get-TestClickHouseParameter $script:ch $script:db
    function script:Invoke-Admin([string]$Sql) { Invoke-TestClickHouse $script:ch $Sql }
}

AfterAll {
    Remove-TestDatabase $script:ch $script:db
}

Describe 'Initialize-QTicketsClickHouse' {
    It 'prints the DDL under -WhatIf and creates nothing' {
        Initialize-QTicketsClickHouse @conn -WhatIf | Should -BeNullOrEmpty
        Invoke-Admin "SELECT count() FROM system.databases WHERE name = '$script:db'" | Should -Be '0'
    }
    It 'applies the migrations once' {
        $first = Initialize-QTicketsClickHouse @conn
        $first | Should -HaveCount 7
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
    It 'stops at a value that does not fit, naming column and row but not the value, after writing the rows before it' {
        $fitDb = "$($script:db)_fit"
        Invoke-Admin "CREATE DATABASE IF NOT EXISTS $fitDb"
        Invoke-Admin "CREATE TABLE IF NOT EXISTS $fitDb.events (event_id String, tickets_total UInt32, _ver UInt64) ENGINE = MergeTree ORDER BY event_id"
        try {
            $fitConn = Get-TestClickHouseParameter $script:ch $fitDb
            $rows = 1..5 | ForEach-Object {
                [pscustomobject]@{ event_id = "fit$_"; tickets_total = $(if ($_ -eq 4) { 'Иванов' } else { $_ }); _ver = [uint64]1 }
            }
            $err = { $rows | Write-QTicketsClickHouse -Table events -BatchSize 2 @fitConn -ErrorAction Stop -WarningVariable warned -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'QTickets.ClickHouse.TypeMismatch*' -PassThru
            $err.Exception.Message | Should -Match "column 'tickets_total'"
            $err.Exception.Message | Should -Match 'row 4'
            $err.Exception.Message | Should -Not -Match 'Иванов'
            Invoke-Admin "SELECT arrayStringConcat(groupArray(event_id), ',') FROM (SELECT event_id FROM $fitDb.events ORDER BY event_id)" |
                Should -Be 'fit1,fit2,fit3'
        } finally {
            Invoke-Admin "DROP DATABASE IF EXISTS $fitDb"
        }
    }
    It 'writes the module''s sales rows to orders staging by their type, the same bytes as a -ColumnMap of every column' {
        $fixtures = Join-Path (Get-TestRepositoryRoot) 'tests' 'fixtures'
        $document = [System.Text.Json.JsonDocument]::Parse((Get-Content -LiteralPath (Join-Path $fixtures 'events_page1.json') -Raw))
        $events = @($document.RootElement.GetProperty('data').EnumerateArray() | ForEach-Object { [QTickets.Core.Json.QTicketsJson]::ParseEvent($_) })
        $rows = @(Get-Content -LiteralPath (Join-Path $fixtures 'orders_page1.json') -Raw | ConvertTo-QTicketsSalesRow -Event $events)
        $typed = $rows | Write-QTicketsClickHouse @conn -BatchSize 16 -PassThru
        $typed.Table | Should -Be 'stg_qtickets_api_orders_raw'
        $typed.Rows | Should -Be 40
        $typed.Batches | Should -Be 3
        # The same rows through the mapper (a -ColumnMap naming every column) into a copy of the table.
        Invoke-Admin "CREATE TABLE $script:db.stg_copy AS $script:db.stg_qtickets_api_orders_raw"
        $columns = (Invoke-Admin "SELECT name FROM system.columns WHERE database = '$script:db' AND table = 'stg_copy' AND default_kind = '' ORDER BY position") -split "`n"
        $map = @{}; foreach ($c in $columns) { $map[$c] = $c }
        $mapped = $rows | Write-QTicketsClickHouse stg_copy -ColumnMap $map @conn -PassThru
        $mapped.Rows | Should -Be 40
        $digest = "SELECT count(), sum(cityHash64(order_id, event_id, city, sale_ts, tickets_sold, revenue, currency, payload_json, _ver, _dedup_key)) FROM $script:db"
        Invoke-Admin "$digest.stg_qtickets_api_orders_raw" | Should -Be (Invoke-Admin "$digest.stg_copy")
        Invoke-Admin "SELECT countIf(isValidJSON(payload_json)), sum(revenue) FROM $script:db.stg_qtickets_api_orders_raw" | Should -Be "40`t11397"
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

# The two roles' grants, against a second ClickHouse of this file's own whose etl_writer and qtickets_reader hold
# exactly the statements Initialize-QTicketsClickHouse -Grants -WhatIf prints for its database (taken from a child
# pwsh, as a user would copy them into users.xml) and no readonly profile, so the grants alone decide.
Describe 'Grants: the writer loads, the reader selects' {
    BeforeAll {
        $script:grantsWork = New-TestDirectory -Prefix 'qt-pester-grantsplan-'
        $plan = Join-Path $grantsWork 'plan.ps1'
        Set-Content -LiteralPath $plan -Value @'
param([string] $Manifest, [string] $EnvFile)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
Initialize-QTicketsClickHouse -EnvFile $EnvFile -Database qtickets -Grants -WriterUser etl_writer -ReaderUser qtickets_reader -WhatIf
'@
        $adminEnv = New-TestEnvFile (Join-Path $grantsWork 'admin.env') -NoToken -ClickHouse $script:ch
        $planned = Invoke-TestScript $plan @((Get-TestModuleManifest), $adminEnv)
        $planned.ExitCode | Should -Be 0 -Because ($planned.Errors -join "`n")
        $grants = @($planned.Lines | ForEach-Object { if ($_ -match '^What if: Grant on .*?: (GRANT .+);$') { $Matches[1] } })
        $grants.Count | Should -BeGreaterThan 5 -Because ($planned.Lines -join "`n")
        $script:grantsServer = Start-TestGrantsClickHouse -Grant $grants
        $script:g = Get-TestClickHouse -Path $grantsServer.EnvFile
        $script:gdb = $script:g.CLICKHOUSE_DB
        $script:writerConn = Get-TestClickHouseParameter $script:g $script:gdb -As Writer
        $script:adminConn = Get-TestClickHouseParameter $script:g $script:gdb -As Admin
        # 'ok', 'denied' (ACCESS_DENIED, code 497) or the other error, for one statement as writer or reader.
        function script:Get-GrantOutcome([ValidateSet('writer', 'reader')][string]$As, [string]$Sql) {
            try {
                Invoke-TestClickHouse $script:g $Sql -As $As | Out-Null
                'ok'
            } catch {
                $text = "$($_.ErrorDetails.Message) $($_.Exception.Message)"
                if ($text -match 'Code: 497\.|ACCESS_DENIED') { 'denied' } else { "other error: $text" }
            }
        }
        Initialize-QTicketsClickHouse @adminConn | Out-Null
    }

    AfterAll {
        Stop-TestGrantsClickHouse $script:grantsServer
        if ($script:grantsWork) { Remove-Item -LiteralPath $script:grantsWork -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'the writer writes dim_events and recomputes daily facts' {
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ event_id = "grants$_"; event_name = 'Show'; city = 'томск'; _ver = [uint64]1 } }
        ($rows | Write-QTicketsClickHouse -Table dim_events @writerConn -PassThru).Rows | Should -Be 3
        $facts = Update-QTicketsDailyFacts -Day ([datetime]'2026-11-01') @writerConn
        $facts | Should -Not -BeNullOrEmpty
    }

    It 'the writer may <Sql>' -ForEach @(
        @{ Sql = "SELECT order_id, sale_ts, tickets_sold, revenue, _ver FROM {db}.stg_qtickets_api_orders_raw FINAL LIMIT 1" }
        @{ Sql = "SELECT * FROM {db}.qtickets_loader_state LIMIT 1" }
        @{ Sql = "SELECT job, status, started_at FROM {db}.meta_job_runs LIMIT 1" }
    ) {
        Get-GrantOutcome writer $Sql.Replace('{db}', $script:gdb) | Should -Be 'ok'
    }

    It 'the writer is refused <Sql>' -ForEach @(
        @{ Sql = "SELECT payload_json FROM {db}.stg_qtickets_api_orders_raw LIMIT 1" }
        @{ Sql = "SELECT sum(revenue) FROM {db}.fact_qtickets_sales_daily" }
        @{ Sql = "SELECT * FROM {db}.dim_events LIMIT 1" }
        @{ Sql = "SELECT * FROM {db}.v_qtickets_sales_dashboard LIMIT 1" }
        @{ Sql = "DROP TABLE {db}.dim_events" }
        # It may delete where a run replaces rows (facts, inventory, a legacy loader's rows), never change them.
        @{ Sql = "ALTER TABLE {db}.stg_qtickets_api_orders_raw UPDATE revenue = 0 WHERE 1" }
        @{ Sql = "ALTER TABLE {db}.meta_job_runs DELETE WHERE 1" }
        @{ Sql = "CREATE TABLE {db}.grants_x (a UInt8) ENGINE = Memory" }
        @{ Sql = "SELECT * FROM file('/etc/passwd', 'LineAsString')" }
    ) {
        Get-GrantOutcome writer $Sql.Replace('{db}', $script:gdb) | Should -Be 'denied'
    }

    It 'the reader may <Sql>' -ForEach @(
        @{ Sql = "SELECT * FROM {db}.v_qtickets_sales_dashboard LIMIT 1" }
        @{ Sql = "SELECT * FROM {db}.v_qtickets_sales_utm_daily LIMIT 1" }
        @{ Sql = "SELECT * FROM {db}.v_qtickets_inventory LIMIT 1" }
        @{ Sql = "SELECT * FROM {db}.mv_qtickets_sales_latest LIMIT 1" }
    ) {
        Get-GrantOutcome reader $Sql.Replace('{db}', $script:gdb) | Should -Be 'ok'
    }

    It 'the reader is refused <Sql>' -ForEach @(
        @{ Sql = "INSERT INTO {db}.dim_events (event_id, _ver) VALUES ('x', 1)" }
        @{ Sql = "ALTER TABLE {db}.fact_qtickets_sales_daily UPDATE revenue = 0 WHERE 1" }
        @{ Sql = "TRUNCATE TABLE {db}.stg_qtickets_api_orders_raw" }
        @{ Sql = "DROP VIEW {db}.v_qtickets_sales_dashboard" }
    ) {
        Get-GrantOutcome reader $Sql.Replace('{db}', $script:gdb) | Should -Be 'denied'
    }
}
