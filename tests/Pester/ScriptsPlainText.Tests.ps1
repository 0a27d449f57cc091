#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The shipped scripts write plain text on every stream, the way cron, systemd and Task Scheduler keep it: each
    script of the built module's scripts/ folder runs in a child pwsh with stdout and stderr redirected, TERM set to
    a colour terminal and NO_COLOR removed (the suite itself sets it), once in a run that writes output, warnings
    (an env file readable by others), verbose and information records, and once in a run that fails (an error
    record); no byte of either stream may be ESC. The schedule templates set NO_COLOR=1 for pwsh's own messages
    (a parameter that does not bind fails before the script's first line), which is checked the same way.
    Needs ./build.sh build and the test ClickHouse; starts the sandbox.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force -ErrorAction Stop
    $script:scripts = Join-Path (Split-Path (Get-TestModuleManifest)) 'scripts'
    $script:ch = Get-TestClickHouse
    $script:db = New-TestDatabase $ch -Prefix 'qt_pester_plain_'
    $admin = Get-TestClickHouseParameter $ch $db
    Initialize-QTicketsClickHouse @admin -ErrorAction Stop | Out-Null
    $script:sandbox = Start-TestSandbox -Argument '--seed', '43', '--orders', '300', '--history-days', '10'
    $script:work = New-TestDirectory -Prefix 'qt-pester-plain-'
    $script:envFile = New-TestEnvFile (Join-Path $work 'qtickets.env') -Sandbox $sandbox -ClickHouse $ch -Database $db -Setting @{
        QTICKETS_WEBHOOK_SECRET = 'plain-text-test-secret-0123456789'; QTICKETS_WEBHOOK_PORT = [string] (Get-TestFreePort) }
    # Readable by others: every script that reads it warns (chmod 600).
    [System.IO.File]::SetUnixFileMode($envFile, [System.IO.UnixFileMode] 'UserRead, UserWrite, GroupRead, OtherRead')
    $script:missingEnv = Join-Path $work 'missing.env'
    $script:colourTerminal = @{ TERM = 'xterm-256color'; COLORTERM = 'truecolor'; NO_COLOR = $null; TMPDIR = $work; XDG_RUNTIME_DIR = $null
        QTICKETS_TOKEN = $null; QTICKETS_API_TOKEN = $null }
    $script:common = @('-Verbose', '-InformationAction', 'Continue')

    function script:Assert-PlainText($Run, [string] $What) {
        foreach ($stream in 'Lines', 'Errors') {
            foreach ($line in $Run.$stream) {
                $line.Contains([char] 27) | Should -BeFalse -Because "$What wrote an ANSI escape on $(if ($stream -eq 'Lines') { 'stdout' } else { 'stderr' }): '$($line -replace "`e", '<ESC>')'"
            }
        }
    }
}

AfterAll {
    Stop-TestSandbox $sandbox
    Remove-TestDatabase $ch $db
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Shipped scripts in a colour terminal, streams redirected' {
    BeforeAll {
        # Per script: a run that writes on the output, warning, verbose and information streams, and one that fails.
        $script:cases = @{
            'Invoke-QTicketsLoader.ps1'          = @{ Works = @('-EnvFile', $envFile, '-DryRun', '-SinceHours', '24'); Fails = @('-EnvFile', $missingEnv) }
            'Invoke-QTicketsReconcile.ps1'       = @{ Works = @('-EnvFile', $envFile, '-Days', '1'); Fails = @('-EnvFile', $missingEnv) }
            'Test-QTicketsFreshness.ps1'         = @{ Works = @('-EnvFile', $envFile); Fails = @('-EnvFile', $missingEnv) }
            'Invoke-QTicketsDebugProtocol.ps1'   = @{ Works = @('-EnvFile', $envFile, '-OutputDir', (Join-Path $work 'debug'), '-Force', '-Step', 'A1'); Fails = @('-EnvFile', $missingEnv, '-OutputDir', (Join-Path $work 'debug2')) }
            # Serves until stopped: the failing run (no such env file) is the one that ends by itself.
            'Start-QTicketsWebhookReceiver.ps1'  = @{ Fails = @('-EnvFile', $missingEnv) }
            # Windows only: on Linux it stops with an error record, which is the stream checked here.
            'Register-QTicketsLoaderTask.ps1'    = @{ Fails = @('-EnvFile', $envFile) }
        }
    }

    It 'every shipped entry script has a case here' {
        $shipped = Get-ChildItem -LiteralPath $scripts -Filter *.ps1 | Where-Object Name -ne 'Import-QTicketsModule.ps1' | ForEach-Object Name
        $shipped | Should -Not -BeNullOrEmpty
        foreach ($name in $shipped) { $cases.Keys | Should -Contain $name -Because "$name ships and must be checked for ANSI codes" }
    }

    It '<_> writes no ANSI escape on any stream' -ForEach @(
        'Invoke-QTicketsLoader.ps1', 'Invoke-QTicketsReconcile.ps1', 'Test-QTicketsFreshness.ps1',
        'Invoke-QTicketsDebugProtocol.ps1', 'Start-QTicketsWebhookReceiver.ps1', 'Register-QTicketsLoaderTask.ps1') {
        $case = $cases[$_]
        if ($case.Works) {
            $run = Invoke-TestScript (Join-Path $scripts $_) ($case.Works + $common) -Environment $colourTerminal
            Assert-PlainText $run "$_ (a working run)"
            # The run did write on the streams whose colour is in question.
            ($run.Lines + $run.Errors) -match '^WARNING: ' | Should -Not -BeNullOrEmpty -Because 'the env file is readable by others'
            ($run.Lines + $run.Errors) -match '^VERBOSE: ' | Should -Not -BeNullOrEmpty
        }
        $run = Invoke-TestScript (Join-Path $scripts $_) ($case.Fails + $common) -Environment $colourTerminal
        $run.ExitCode | Should -Not -Be 0
        Assert-PlainText $run "$_ (a failing run)"
    }

    It 'Write-Error, Write-Warning and Write-Verbose would be coloured in this environment without it' {
        # The check above can fail: the same child pwsh colours these streams when nothing turns the colour off.
        $probe = Join-Path $work 'probe.ps1'
        Set-Content -LiteralPath $probe -Value 'Write-Warning w; Write-Verbose v -Verbose; Write-Error e'
        $run = Invoke-TestScript $probe -Environment $colourTerminal
        (($run.Lines + $run.Errors) -join "`n").Contains([char] 27) | Should -BeTrue
    }

    It 'the cron line and the systemd units set NO_COLOR=1, which keeps pwsh''s own parameter errors plain' {
        $cron = (Get-QTicketsSchedule -Kind Cron -EnvFile $envFile).Content
        ($cron -split "`n" | Where-Object { $_ -like '`*/15 *' }) | Should -Match ' NO_COLOR=1 '
        foreach ($unit in Get-QTicketsSchedule -Kind Systemd -EnvFile $envFile -User qtickets | Where-Object Name -like '*.service') {
            $unit.Content | Should -Match '(?m)^Environment=NO_COLOR=1$' -Because "$($unit.Name) runs a script"
        }
        $plain = $colourTerminal.Clone()
        $plain.NO_COLOR = '1'
        $run = Invoke-TestScript (Join-Path $scripts 'Invoke-QTicketsLoader.ps1') @('-SinceHours', 'not-a-number') -Environment $plain
        $run.ExitCode | Should -Not -Be 0
        ($run.Lines + $run.Errors) -join ' ' | Should -Match 'SinceHours'
        Assert-PlainText $run 'pwsh binding -SinceHours under NO_COLOR=1'
    }
}
