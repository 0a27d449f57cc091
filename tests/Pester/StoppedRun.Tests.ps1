#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    A load stopped on purpose is 'stopped', not failed: against a sandbox that answers every request after 3 s, the
    scheduled loader script (and the reconcile script) gets SIGINT (what Ctrl+C sends) and an in-process Invoke-QTicketsLoad is stopped like
    Ctrl+C stops a pipeline (PowerShell.Stop: StopProcessing, PipelineStoppedException). Each leaves a meta_job_runs
    row with status 'stopped'; the script prints its two lines and exits 130; Test-QTicketsFreshness counts neither
    as a run nor as a failure (the ok run before them decides). Needs ./build.sh build and the test ClickHouse.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $manifest -Force -ErrorAction Stop
    $script:loader = Join-Path (Split-Path $manifest) 'scripts' 'Invoke-QTicketsLoader.ps1'
    $script:reconcile = Join-Path (Split-Path $manifest) 'scripts' 'Invoke-QTicketsReconcile.ps1'
    $script:ch = Get-TestClickHouse
    $script:db = New-TestDatabase $ch -Prefix 'qt_pester_stop_'
    $admin = Get-TestClickHouseParameter $ch $db
    Initialize-QTicketsClickHouse @admin -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null
    $script:sandbox = Start-TestSandbox -Argument '--orders', '600', '--history-days', '10'
    $script:work = New-TestDirectory -Prefix 'qt-pester-stop-'
    $script:envFile = New-TestEnvFile (Join-Path $work 'qtickets.env') -Sandbox $sandbox -ClickHouse $ch -Database $db
    $script:now = Get-TestSandboxClock $sandbox
    $script:lock = Join-Path $work 'load.lock'
    # Every load's status (the reconcile script records under a job of its own); each run here starts at the same
    # -Now, so they are counted, not ordered.
    function script:Get-Runs { @((Invoke-TestClickHouse $ch "SELECT status FROM $db.meta_job_runs WHERE job = 'qtickets_api'") -split "`n" | Where-Object { $_ }) }

    # A script run as cron runs it, sent SIGINT (what Ctrl+C sends) once its run is under way: the sandbox has been
    # asked for events or orders, whose 3-second answers it is awaiting.
    function script:Invoke-Interrupted([string] $Script, [string[]] $Arguments) {
        $start = [System.Diagnostics.ProcessStartInfo]::new((Get-TestPwshPath))
        foreach ($a in @('-NoProfile', '-NonInteractive', '-File', $Script) + $Arguments) { $start.ArgumentList.Add($a) }
        $start.Environment['TMPDIR'] = $work
        $null = $start.Environment.Remove('XDG_RUNTIME_DIR')
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        Reset-TestSandboxStatistic $sandbox | Out-Null
        $process = [System.Diagnostics.Process]::Start($start)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            # Under way: the API has been asked for events or orders (each answer takes 3 s, so it is still reading).
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            do {
                Start-Sleep -Milliseconds 250
                $asked = @((Get-TestSandboxStatistic $sandbox).byPath.PSObject.Properties.Name) -match '/(events|orders)'
            } until ($asked -or $process.HasExited -or [DateTime]::UtcNow -gt $deadline)
            Start-Sleep -Milliseconds 500
            $process.HasExited | Should -BeFalse -Because 'the run must still be reading when it is stopped'
            & kill -s INT $process.Id
            $process.WaitForExit(60000) | Should -BeTrue
            $process.WaitForExit()
            [pscustomobject]@{ ExitCode = $process.ExitCode; Lines = @("$($stdout.Result)" -split '\r?\n' | Where-Object { $_ }); Errors = "$($stderr.Result)" }
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.Dispose()
        }
    }

    # One ok run first: what freshness judges by.
    $ok = Invoke-QTicketsLoad -EnvFile $envFile -Now $now -LockPath $lock -WarningAction SilentlyContinue -ErrorAction Stop
    $ok.Status | Should -Be 'Ok'
    # From now on every answer takes 3 s: a run is still reading when it is stopped.
    Set-TestSandboxFault $sandbox '{"latency":{"minMs":3000,"maxMs":3000}}' | Out-Null
}

AfterAll {
    Stop-TestSandbox $sandbox
    Remove-TestDatabase $ch $db
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'A stopped load' {
    It 'SIGINT to the loader script: exit 130, a stopped line, a stopped run' {
        $run = Invoke-Interrupted $loader @('-EnvFile', $envFile, '-Now', $now.ToString('o'), '-SinceHours', '240')
        $run.ExitCode | Should -Be 130 -Because "stdout: $($run.Lines -join ' | '); stderr: $($run.Errors)"
        $run.Lines[-2] | Should -Match '^qtickets loader stopped \(exit 130\)'
        ($run.Lines[-1] | ConvertFrom-Json).status | Should -Be 'stopped'
        Get-Runs | Sort-Object | Should -Be @('ok', 'stopped') -Because 'the ok run and the stopped one'
    }

    It 'SIGINT to the reconcile script: exit 130 and a stopped line, not a clean comparison' {
        $run = Invoke-Interrupted $reconcile @('-EnvFile', $envFile, '-Now', $now.ToString('o'), '-Days', '3')
        $run.ExitCode | Should -Be 130 -Because "stdout: $($run.Lines -join ' | '); stderr: $($run.Errors)"
        $run.Lines[-2] | Should -Match '^qtickets reconcile stopped \(exit 130\)'
        ($run.Lines[-1] | ConvertFrom-Json).status | Should -Be 'stopped'
    }

    It 'Ctrl+C in a session (PowerShell.Stop): a stopped run' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($m, $e, $n, $l) Import-Module $m; Invoke-QTicketsLoad -EnvFile $e -Now $n -SinceHours 240 -LockPath $l').
                AddArgument($manifest).AddArgument($envFile).AddArgument($now).AddArgument($lock)
            $before = (Get-Runs).Count
            $async = $ps.BeginInvoke()
            Start-Sleep -Seconds 8
            $async.IsCompleted | Should -BeFalse -Because 'the run must still be reading when it is stopped'
            $ps.Stop()
            $runs = Get-Runs
            $runs.Count | Should -Be ($before + 1)
            @($runs | Where-Object { $_ -eq 'stopped' }).Count | Should -Be 2
            Invoke-TestClickHouse $ch "SELECT JSONExtractString(message, 'status') FROM $db.meta_job_runs WHERE status = 'stopped' ORDER BY finished_at DESC LIMIT 1" |
                Should -Be 'stopped'
        }
        finally { $ps.Dispose() }
    }

    It 'Test-QTicketsFreshness ignores stopped runs: neither runs nor failures' {
        Clear-TestSandboxFault $sandbox | Out-Null
        @(Get-Runs | Where-Object { $_ -eq 'stopped' }).Count | Should -Be 2
        $report = Test-QTicketsFreshness -EnvFile $envFile -Now $now -ErrorAction Stop
        $report.Healthy | Should -BeTrue -Because "$($report.Problems)"
        $report.Runs | Should -Be 1
        $report.FailedRuns | Should -Be 0
        $report.LastRunStatus | Should -Be 'ok'
    }
}
