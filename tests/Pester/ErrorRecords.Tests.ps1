#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Every error record the module writes carries its fix in ErrorDetails.RecommendedAction, not only in the message:
    the typical failures are provoked for real (a token the API rejects, an API nobody answers for, a ClickHouse
    that is down, env files that are missing or wrong, parameter values out of range, an id that does not exist)
    and each record's RecommendedAction must say what to do about that failure. Needs ./build.sh build and the
    test ClickHouse; starts the sandbox.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force -ErrorAction Stop
    $script:sandbox = Start-TestSandbox -Argument '--orders', '50', '--history-days', '2'
    $script:ch = Get-TestClickHouse
    $script:work = New-TestDirectory -Prefix 'qt-pester-errors-'
    $script:envFile = New-TestEnvFile (Join-Path $work 'qtickets.env') -Sandbox $sandbox -ClickHouse $ch -Database $ch.CLICKHOUSE_DB
    $script:badEnv = New-TestEnvFile (Join-Path $work 'bad.env') -Sandbox $sandbox -Setting @{ CLICKHOUSE_PORT = 'eighty' }
    $script:closedPort = Get-TestFreePort

    # What provokes each case (set up here: the -ForEach data is read at discovery, before BeforeAll ran).
    $script:provoke = @{
        'token rejected' = { Get-QTicketsEvent -EnvFile $envFile -Token 'qt-wrong-token-0123456789' }
        'API unreachable' = { Get-QTicketsEvent -EnvFile $envFile -BaseUrl "http://127.0.0.1:$closedPort/api/rest/v1" -MaxAttempts 1 }
        'ClickHouse down' = { Test-QTicketsClickHouse -EnvFile $envFile -ClickHousePort $closedPort }
        'env file missing' = { Get-QTicketsConfig -EnvFile (Join-Path $work 'nowhere.env') }
        'env file with a bad value' = { Test-QTicketsClickHouse -EnvFile $badEnv }
        'bad parameter value' = { Test-QTicketsFreshness -EnvFile $envFile -MaxAge ([timespan]::FromHours(-1)) }
        'dates the wrong way round' = { Compare-QTicketsClickHouse -EnvFile $envFile -From 2026-11-15 -To 2026-11-14 }
        'no such event' = { Get-QTicketsEvent -EnvFile $envFile -Id 999999999 }
    }

    # The record a command ends with, or the first it writes.
    function script:Get-ErrorRecord([scriptblock] $Command) {
        $written = $null
        try { & $Command -ErrorVariable written -ErrorAction SilentlyContinue | Out-Null } catch { return $_ }
        $written | Select-Object -First 1
    }
}

AfterAll {
    Stop-TestSandbox $sandbox
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'RecommendedAction of typical errors' {
    It '<Case>: <Id> says what to do' -ForEach @(
        @{ Case = 'token rejected'; Id = 'QTickets.Api.Unauthorized'; Fix = 'QTICKETS_TOKEN.*cabinet' }
        @{ Case = 'API unreachable'; Id = 'QTickets.Api.'; Fix = 'Try again later|Test-QTicketsEndpoint' }
        @{ Case = 'ClickHouse down'; Id = 'QTickets.ClickHouse.Unreachable'; Fix = 'Start ClickHouse.*CLICKHOUSE_PORT' }
        @{ Case = 'env file missing'; Id = 'QTickets.Configuration.EnvFileNotFound'; Fix = '-EnvFile.*existing env file' }
        @{ Case = 'env file with a bad value'; Id = 'QTickets.Configuration.Invalid'; Fix = 'Correct the setting.*Get-QTicketsConfig -Source' }
        @{ Case = 'bad parameter value'; Id = 'QTickets.Freshness.InvalidThreshold'; Fix = 'Correct the value.*Get-Help Test-QTicketsFreshness' }
        @{ Case = 'dates the wrong way round'; Id = 'QTickets.Reconcile.BadRange'; Fix = '-From a day on or before -To' }
        @{ Case = 'no such event'; Id = 'QTickets.Api.EventNotFound'; Fix = 'Check the id.*Get-QTicketsEvent' }
    ) {
        $record = Get-ErrorRecord $provoke[$Case]
        $record | Should -Not -BeNullOrEmpty -Because "$Case must fail"
        $record.FullyQualifiedErrorId | Should -BeLike "$Id*"
        $record.ErrorDetails.RecommendedAction | Should -Match $Fix
        # The message still says what happened; the fix is in its own field as well.
        $record.Exception.Message | Should -Not -BeNullOrEmpty
        "$($record.ErrorDetails.Message)" | Should -Be $record.Exception.Message
    }
}
