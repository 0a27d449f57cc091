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
        @{ Case = 'token rejected'; Id = 'QTickets.Api.Unauthorized'; Fix = 'QTICKETS_TOKEN.*cabinet'
            Command = { Get-QTicketsEvent -EnvFile $envFile -Token 'qt-wrong-token-0123456789' } }
        @{ Case = 'API unreachable'; Id = 'QTickets.Api.'; Fix = 'Try again later|Test-QTicketsEndpoint'
            Command = { Get-QTicketsEvent -EnvFile $envFile -BaseUrl "http://127.0.0.1:$closedPort/api/rest/v1" -MaxAttempts 1 } }
        @{ Case = 'ClickHouse down'; Id = 'QTickets.ClickHouse.Unreachable'; Fix = 'Start ClickHouse.*CLICKHOUSE_PORT'
            Command = { Test-QTicketsClickHouse -EnvFile $envFile -ClickHousePort $closedPort } }
        @{ Case = 'env file missing'; Id = 'QTickets.Configuration.EnvFileNotFound'; Fix = '-EnvFile.*existing env file'
            Command = { Get-QTicketsConfig -EnvFile (Join-Path $work 'nowhere.env') } }
        @{ Case = 'env file with a bad value'; Id = 'QTickets.Configuration.Invalid'; Fix = 'Correct the setting.*Get-QTicketsConfig -Source'
            Command = { Test-QTicketsClickHouse -EnvFile $badEnv } }
        @{ Case = 'bad parameter value'; Id = 'QTickets.Freshness.InvalidThreshold'; Fix = 'Correct the value.*Get-Help Test-QTicketsFreshness'
            Command = { Test-QTicketsFreshness -EnvFile $envFile -MaxAge ([timespan]::FromHours(-1)) } }
        @{ Case = 'dates the wrong way round'; Id = 'QTickets.Reconcile.BadRange'; Fix = '-From a day on or before -To'
            Command = { Compare-QTicketsClickHouse -EnvFile $envFile -From 2026-11-15 -To 2026-11-14 } }
        @{ Case = 'no such event'; Id = 'QTickets.Api.EventNotFound'; Fix = 'Check the id.*Get-QTicketsEvent'
            Command = { Get-QTicketsEvent -EnvFile $envFile -Id 999999999 } }
    ) {
        $record = Get-ErrorRecord $Command
        $record | Should -Not -BeNullOrEmpty -Because "$Case must fail"
        $record.FullyQualifiedErrorId | Should -BeLike "$Id*"
        $record.ErrorDetails.RecommendedAction | Should -Match $Fix
        # The message still says what happened; the fix is in its own field as well.
        $record.Exception.Message | Should -Not -BeNullOrEmpty
        "$($record.ErrorDetails.Message)" | Should -Be $record.Exception.Message
    }
}
