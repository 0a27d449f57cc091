#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The scheduled load in users' pwsh: scripts/Invoke-QTicketsLoader.ps1 run as cron runs it (pwsh -File, its exit
    codes and its two lines), Invoke-QTicketsLoad -DryRun / -WhatIf, Test-QTicketsFreshness and its script.
    Starts the bundled sandbox on a free port with its own token; uses the ClickHouse of
    QTICKETS_TEST_CLICKHOUSE_ENV (build/clickhouse.sh format; default out/clickhouse/clickhouse.env) with a
    database of its own, loaded as the administrator (the test server's etl_writer is granted only `qtickets`).
    Needs ./build.sh build; no real token and no network.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force -ErrorAction Stop
    $repo = Get-TestRepositoryRoot
    $script:loader = Join-Path $repo 'scripts' 'Invoke-QTicketsLoader.ps1'
    $script:freshness = Join-Path $repo 'scripts' 'Test-QTicketsFreshness.ps1'

    # ClickHouse: a database of this run's own.
    $script:ch = Get-TestClickHouse
    $script:db = New-TestDatabase $ch -Prefix 'qt_pester_load_'
    function script:Invoke-Ch([string] $Sql) { Invoke-TestClickHouse $ch $Sql }
    $admin = Get-TestClickHouseParameter $ch $db
    Initialize-QTicketsClickHouse @admin -ErrorAction Stop | Out-Null

    # The sandbox: all its orders within the first backfill (720 h).
    $script:token = 'qt-pester-' + [guid]::NewGuid().ToString('N')
    $script:sandbox = Start-TestSandbox -Token $token -Argument '--seed', '43', '--orders', '800', '--history-days', '20'
    function script:Get-SandboxNow { Get-TestSandboxClock $sandbox }
    function script:Move-SandboxClock([int] $Minutes) { Move-TestSandboxClock $sandbox -Minutes $Minutes | Out-Null }
    function script:Set-SandboxFaults([string] $Spec) { Set-TestSandboxFault $sandbox $Spec | Out-Null }
    function script:Clear-SandboxFaults { Clear-TestSandboxFault $sandbox | Out-Null }

    # Env files (chmod 600 like a real one), in a folder of this run's own.
    $script:work = New-TestDirectory -Prefix 'qt-pester-load-'
    function script:New-EnvFile([string] $Name, [switch] $NoToken, [string] $Token = $script:token, [int] $Port = [int] $ch.CLICKHOUSE_PORT) {
        New-TestEnvFile (Join-Path $work $Name) -Sandbox $sandbox -Token $Token -NoToken:$NoToken -ClickHouse $ch -Database $db -ClickHousePort $Port
    }
    $script:envFile = New-EnvFile 'qtickets.env'

    # Every line any run printed, and every run's exit code, for the scan at the end.
    $script:printed = [System.Collections.Generic.List[string]]::new()
    $script:runs = [System.Collections.Generic.List[object]]::new()
    function script:Invoke-Script([string] $Script, [string[]] $Arguments) {
        # A token in the test's own environment must not stand in for a missing one. The runs' lock files go to this
        # file's own folder (their temp folder), removed with it at the end.
        $run = Invoke-TestScript $Script $Arguments -Environment @{
            QTICKETS_TOKEN = $null; QTICKETS_API_TOKEN = $null; TMPDIR = $script:work; XDG_RUNTIME_DIR = $null }
        $run.Lines + $run.Errors | ForEach-Object { $script:printed.Add([string] $_) }
        $script:runs.Add([pscustomobject]@{ Script = [System.IO.Path]::GetFileName($Script); ExitCode = $run.ExitCode })
        $run
    }
    function script:Invoke-Loader([string] $EnvFile = $script:envFile, [string[]] $More = @()) {
        Invoke-Script $loader (@('-EnvFile', $EnvFile, '-Now', (Get-SandboxNow).ToString('o')) + $More)
    }
    # The last two lines: the human one, and the JSON one parsed.
    function script:Get-RunLines($Run) {
        $Run.Lines.Count | Should -BeGreaterOrEqual 2
        [pscustomobject]@{ Human = $Run.Lines[-2]; Json = ($Run.Lines[-1] | ConvertFrom-Json) }
    }

    # Truth and ClickHouse per (Moscow day, event): tickets and revenue, all-zero cells left out.
    function script:Get-TruthCells {
        $cells = @{}
        foreach ($r in (Get-TestSandboxTruth $sandbox).rows) {
            if ($r.tickets -ne 0 -or $r.revenue -ne 0) { $cells["$($r.date) $($r.event_id)"] = '{0} {1:0.00}' -f $r.tickets, [decimal] $r.revenue }
        }
        $cells
    }
    function script:Get-ClickHouseCells([string] $Sql) {
        $cells = @{}
        foreach ($line in ((Invoke-Ch $Sql) -split "`n" | Where-Object { $_ })) {
            $f = $line -split "`t"
            $revenue = [decimal]::Parse($f[3], [Globalization.CultureInfo]::InvariantCulture)
            if ([long] $f[2] -ne 0 -or $revenue -ne 0) { $cells["$($f[0]) $($f[1])"] = '{0} {1:0.00}' -f [long] $f[2], $revenue }
        }
        $cells
    }
    function script:Assert-MatchesTruth {
        $truth = Get-TruthCells
        $facts = Get-ClickHouseCells "SELECT toString(sales_date), event_id, sum(tickets_sold), toString(round(sum(revenue), 2)) FROM $db.fact_qtickets_sales_daily FINAL GROUP BY sales_date, event_id"
        $staging = Get-ClickHouseCells "SELECT toString(toDate(sale_ts)), event_id, sum(tickets_sold), toString(sum(revenue)) FROM $db.stg_qtickets_api_orders_raw FINAL GROUP BY 1, event_id"
        $truth.Count | Should -BeGreaterThan 0
        foreach ($actual in $facts, $staging) {
            $keys = @($truth.Keys) + @($actual.Keys) | Sort-Object -Unique
            $diff = @($keys | Where-Object { $truth[$_] -ne $actual[$_] } | ForEach-Object { "${_}: truth $($truth[$_]), ClickHouse $($actual[$_])" })
            $diff | Should -BeNullOrEmpty
        }
    }
    function script:Get-Watermark { Invoke-Ch "SELECT argMax(value, _ver) FROM $db.qtickets_loader_state WHERE name = 'watermark'" }
    function script:Get-RowCounts { Invoke-Ch "SELECT name, total_rows FROM system.tables WHERE database = '$db' AND engine LIKE '%MergeTree' ORDER BY name" }
}

AfterAll {
    Stop-TestSandbox $sandbox
    Remove-TestDatabase $ch $db
    if ($work) { Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue }
    Remove-Module QTickets -ErrorAction SilentlyContinue
}

Describe 'scripts/Invoke-QTicketsLoader.ps1' {
    It 'backfills on an empty database: exit 0, one human line and one JSON line, facts equal to the truth' {
        $run = Invoke-Loader
        $run.ExitCode | Should -Be 0
        $run.Lines.Count | Should -Be 2
        $out = Get-RunLines $run
        $out.Human | Should -Match '^qtickets_api ok: \d+ orders -> \d+ sales rows'
        $out.Json.exit_code | Should -Be 0
        $out.Json.status | Should -Be 'ok'
        $out.Json.backfill | Should -BeTrue
        $out.Json.sales_rows | Should -BeGreaterThan 0
        Assert-MatchesTruth
    }

    It 'continues from the watermark after the clock moved (payments, refunds, cancellations)' {
        Move-SandboxClock -Minutes 180
        $out = Get-RunLines (Invoke-Loader)
        $out.Json.exit_code | Should -Be 0
        $out.Json.backfill | Should -BeFalse
        (Get-Watermark) | Should -Match '^2026-11-20T'
        Assert-MatchesTruth
    }

    It 'exits 2 with the names it looked for when there is no token' {
        $run = Invoke-Loader -EnvFile (New-EnvFile 'no-token.env' -NoToken)
        $run.ExitCode | Should -Be 2
        $run.Lines.Count | Should -Be 2
        $out = Get-RunLines $run
        $out.Json.error_kind | Should -Be 'ConfigError'
        $out.Json.message | Should -Match 'QTICKETS_TOKEN'
    }

    It 'exits 3 when QTickets rejects the token' {
        $run = Invoke-Loader -EnvFile (New-EnvFile 'bad-token.env' -Token ('qt-wrong-' + [guid]::NewGuid().ToString('N')))
        $run.ExitCode | Should -Be 3
        (Get-RunLines $run).Json.error_kind | Should -Be 'AuthError'
    }

    It 'exits 4, naming the holder, while another run holds the lock' {
        # The lock the script takes for this job and database (RunLock.DefaultPath in the runs' temp folder, named by
        # the database's UUID on the server, not by the host), held here as a run would.
        $dir = $script:work
        $uuid = Invoke-Ch "SELECT toString(uuid) FROM system.databases WHERE name = '$db'"
        $lockPath = Join-Path $dir "qtickets-qtickets_api-$db-$uuid.lock"
        $held = [System.IO.FileStream]::new($lockPath, 'OpenOrCreate', 'ReadWrite', 'None')
        try {
            Set-Content -Path "$lockPath.holder" -Value "pid $PID on $([Environment]::MachineName) since now"
            $run = Invoke-Loader
        }
        finally { $held.Dispose() }
        $run.ExitCode | Should -Be 4
        $out = Get-RunLines $run
        $out.Json.status | Should -Be 'locked'
        $out.Human | Should -Match "pid $PID "
    }

    It 'exits 5 and keeps the watermark when the API is down, and the next run restores the figures' {
        Move-SandboxClock -Minutes 15
        $watermark = Get-Watermark
        $errors = [long] (Invoke-Ch "SELECT count() FROM $db.meta_job_runs WHERE status = 'error'")
        Set-SandboxFaults 'down'
        try { $run = Invoke-Loader -More '-MaxAttempts', '1' }
        finally { Clear-SandboxFaults }
        $run.ExitCode | Should -Be 5
        (Get-RunLines $run).Json.error_kind | Should -BeLike 'Api*'
        [long] (Invoke-Ch "SELECT count() FROM $db.meta_job_runs WHERE status = 'error'") | Should -Be ($errors + 1)
        Get-Watermark | Should -Be $watermark

        (Invoke-Loader).ExitCode | Should -Be 0
        Assert-MatchesTruth
    }

    It 'exits 6 when ClickHouse does not answer' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $deadPort = $listener.LocalEndpoint.Port
        $listener.Stop()
        $run = Invoke-Loader -EnvFile (New-EnvFile 'dead-port.env' -Port $deadPort)
        $run.ExitCode | Should -Be 6
        (Get-RunLines $run).Json.error_kind | Should -BeLike 'ClickHouse*'
    }

    It 'prints the legacy dry-run summary and writes nothing with -DryRun' {
        Move-SandboxClock -Minutes 15
        $counts = Get-RowCounts
        $run = Invoke-Loader -More '-DryRun', '-SinceHours', '24'
        $run.ExitCode | Should -Be 0
        $run.Lines[0] | Should -Be '[qtickets_api] Dry-run complete:'
        @($run.Lines -like '  Sales rows: *').Count | Should -Be 1
        @($run.Lines -like '  Days touched: *').Count | Should -Be 1
        (Get-RunLines $run).Json.status | Should -Be 'dry-run'
        Get-RowCounts | Should -Be $counts
    }
}

Describe 'Invoke-QTicketsLoad' {
    It 'returns a dry-run summary with -DryRun and with -WhatIf, and writes nothing' {
        $counts = Get-RowCounts
        $now = Get-SandboxNow
        $dry = Invoke-QTicketsLoad -EnvFile $envFile -Now $now -DryRun
        $dry | Should -BeOfType ([QTickets.Core.Load.LoadSummary])
        $dry.Status | Should -Be 'DryRun'
        $dry.Orders | Should -BeGreaterThan 0
        @($dry.DryRunReport())[0] | Should -Be '[qtickets_api] Dry-run complete:'
        $whatIf = Invoke-QTicketsLoad -EnvFile $envFile -Now $now -WhatIf
        $whatIf.Status | Should -Be 'DryRun'
        Get-RowCounts | Should -Be $counts
    }

    It 'shows runs in a table view' {
        $now = Get-SandboxNow
        $table = Invoke-QTicketsLoad -EnvFile $envFile -Now $now -DryRun | Format-Table | Out-String
        $table | Should -Match 'Status\s+Exit\s+Window \(UTC\)'
        $table | Should -Match 'dry-run'
    }
}

Describe 'Test-QTicketsFreshness' {
    BeforeAll {
        $script:now = Get-SandboxNow
        # A fresh run right now, so the newest snapshot is 0 minutes old.
        (Invoke-Loader).ExitCode | Should -Be 0
    }

    It 'is healthy right after a run, and says why not three hours later' {
        $fresh = Test-QTicketsFreshness -EnvFile $envFile -Now $now -MaxFailedPercent 60
        $fresh | Should -BeOfType ([QTickets.Core.Load.FreshnessReport])
        $fresh.Healthy | Should -BeTrue
        $fresh.InventoryAge | Should -Be ([TimeSpan]::Zero)
        $fresh.Runs | Should -BeGreaterThan 0

        $stale = Test-QTicketsFreshness -EnvFile $envFile -Now $now.AddHours(3) -MaxFailedPercent 60 -ErrorVariable problems -ErrorAction SilentlyContinue
        $stale.Healthy | Should -BeFalse
        $stale.Problems | Should -Match 'newest sale is'
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'QTickets.Freshness.Unhealthy*'
        (Test-QTicketsFreshness -EnvFile $envFile -Now $now.AddHours(3) -MaxAge '04:00:00' -MaxFailedPercent 60).Healthy | Should -BeTrue
    }

    It 'counts failed runs against -MaxFailedPercent' {
        # Two runs above failed after reaching ClickHouse (the rejected token, the API outage) and were recorded;
        # the configuration error, the locked run and the dead ClickHouse port could not be.
        $report = Test-QTicketsFreshness -EnvFile $envFile -Now $now -ErrorAction SilentlyContinue
        $report.FailedRuns | Should -Be 2
        $report.FailedPercent | Should -BeGreaterThan 5
        $report.Healthy | Should -BeFalse
        $report.Problems | Should -Match "2 of $($report.Runs) runs in the last 24 h failed"
        (Test-QTicketsFreshness -EnvFile $envFile -Now $now -MaxFailedPercent 60).Healthy | Should -BeTrue
    }

    It 'has a script for cron that exits 0 when fresh and 1 past a threshold' {
        $ok = Invoke-Script $freshness @('-EnvFile', $envFile, '-Now', $now.ToString('o'), '-MaxFailedPercent', '60')
        $ok.ExitCode | Should -Be 0
        $ok.Lines.Count | Should -Be 2
        $ok.Lines[0] | Should -Match '^qtickets_api fresh: '
        ($ok.Lines[1] | ConvertFrom-Json).healthy | Should -BeTrue

        $late = Invoke-Script $freshness @('-EnvFile', $envFile, '-Now', $now.AddHours(3).ToString('o'), '-MaxFailedPercent', '60')
        $late.ExitCode | Should -Be 1
        $late.Lines[0] | Should -Match '^qtickets_api NOT fresh: '
    }
}

Describe 'No token and no personal data anywhere' {
    It 'appears in no output line, meta_job_runs row or staging payload' {
        # A scan of runs that failed before they printed, stored or loaded anything would prove nothing: the loads
        # and freshness checks it scans must have succeeded, and ClickHouse must hold what they loaded.
        @($runs | Where-Object { $_.Script -eq 'Invoke-QTicketsLoader.ps1' -and $_.ExitCode -eq 0 }).Count | Should -BeGreaterOrEqual 2
        @($runs | Where-Object { $_.Script -eq 'Test-QTicketsFreshness.ps1' -and $_.ExitCode -eq 0 }).Count | Should -BeGreaterOrEqual 1
        [long] (Invoke-Ch "SELECT count() FROM $db.meta_job_runs WHERE status = 'ok'") | Should -BeGreaterOrEqual 2
        [long] (Invoke-Ch "SELECT count() FROM $db.stg_qtickets_api_orders_raw WHERE payload_json != ''") | Should -BeGreaterThan 100
        $all = $printed -join "`n"
        $all | Should -Not -BeNullOrEmpty
        $all | Should -Not -Match ([regex]::Escape($token))
        $all | Should -Not -Match '@example\.test|\+7000000|\bName\d+\b'
        $stored = (Invoke-Ch "SELECT message, metrics FROM $db.meta_job_runs FORMAT TSVRaw") + "`n" +
            (Invoke-Ch "SELECT payload_json FROM $db.stg_qtickets_api_orders_raw FORMAT TSVRaw")
        $stored | Should -Not -Match ([regex]::Escape($token))
        $stored | Should -Not -Match '@example\.test|\+7000000|\bName\d+\b'
    }
}
