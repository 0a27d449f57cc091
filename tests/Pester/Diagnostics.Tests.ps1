#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Test-QTicketsEndpoint, Save-QTicketsEndpointReport and scripts/Invoke-QTicketsDebugProtocol.ps1 in a real
    pwsh against the bundled sandbox (out/sandbox, laid out by ./build.sh build or ./build.ps1 build).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:protocol = Join-Path (Get-TestRepositoryRoot) 'scripts/Invoke-QTicketsDebugProtocol.ps1'

    function New-EnvFile($Sandbox, [string] $Name) {
        New-TestEnvFile (Join-Path $TestDrive "$Name.env") -Sandbox $Sandbox -Setting @{ ORG_NAME = 'org-pester' }
    }

    function Get-AllText([string] $Dir, [string] $Archive) {
        $texts = @{}
        Get-ChildItem -File $Dir | ForEach-Object { $texts[$_.Name] = Get-Content -Raw $_.FullName }
        $extract = Join-Path $TestDrive ('x' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory $extract | Out-Null
        $gz = [System.IO.Compression.GZipStream]::new([System.IO.File]::OpenRead($Archive), [System.IO.Compression.CompressionMode]::Decompress)
        try { [System.Formats.Tar.TarFile]::ExtractToDirectory($gz, $extract, $false) } finally { $gz.Dispose() }
        Get-ChildItem -File -Recurse $extract | ForEach-Object { $texts['archive:' + $_.Name] = Get-Content -Raw $_.FullName }
        $texts
    }

    $script:live = Start-TestSandbox -Argument '--seed', '7'
    $script:down = Start-TestSandbox -Argument '--seed', '7', '--faults', 'down'
    $script:liveEnv = New-EnvFile $live 'live'
    $script:downEnv = New-EnvFile $down 'down'
}

AfterAll {
    Stop-TestSandbox $script:live, $script:down
}

Describe 'Test-QTicketsEndpoint' {
    It 'emits one result per step, then a verdict naming GET with a JSON body as the working form' {
        $out = @(Test-QTicketsEndpoint -EnvFile $liveEnv -IncludeWriteProbes -RetryDelaySeconds 0)
        $verdict = $out[-1]
        $verdict | Should -BeOfType ([QTickets.Core.Diagnostics.EndpointVerdict])
        $out[0..($out.Count - 2)] | ForEach-Object { $_ | Should -BeOfType ([QTickets.Core.Diagnostics.EndpointProbeResult]) }
        $verdict.Kind | Should -Be 'WorkingFormFound'
        $verdict.WorkingSteps | Should -Be @('J1')
        $verdict.IgnoredSteps | Should -Be @('A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'C1', 'C2')
        $verdict.FailedSteps | Should -Be @('E1', 'E2', 'F')
        $verdict.Text | Should -Match 'Flat query parameters are ignored: A1 returned the default first page, 50 orders of all statuses'
        ($out | Where-Object Step -EQ 'E1').Finding | Should -Be '404 HTML page: no such route'
    }

    It 'sends no POST without -IncludeWriteProbes and says so' {
        $verdict = Test-QTicketsEndpoint -EnvFile $liveEnv -Verdict
        $verdict.SkippedSteps | Should -Be @('E1', 'E2')
        $verdict.Text | Should -Match 'Not sent: E1 \(POST /orders/filter\), E2'
    }

    It 'reports a rejected token as a verdict and a warning, not an error' {
        $bad = New-TestEnvFile (Join-Path $TestDrive 'bad.env') -Sandbox $live -Token 'qt-wrong-token-0123456789'
        $verdict = Test-QTicketsEndpoint -EnvFile $bad -Step J1 -Verdict -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        $verdict.Kind | Should -Be 'TokenRejected'
        $verdict.Headline | Should -Match '^The token qt\*\*\*89 is rejected'
        $warnings | Should -HaveCount 1
    }

    It 'completes -Step with the step ids' {
        $line = 'Test-QTicketsEndpoint -Step E'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('E1', 'E2')
    }

    It 'rejects an unknown step' {
        { Test-QTicketsEndpoint -EnvFile $liveEnv -Step Z9 -ErrorAction Stop } | Should -Throw '*Unknown step Z9*'
    }

    It 'formats results in a table that fits 120 columns' {
        $text = Test-QTicketsEndpoint -EnvFile $liveEnv -Step A1, J1 | Where-Object { $_ -is [QTickets.Core.Diagnostics.EndpointProbeResult] } |
            Format-Table | Out-String -Width 120
        $text | Should -Match 'Step Method HTTP Items'
        $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
    }
}

Describe 'Save-QTicketsEndpointReport' {
    It 'writes the artifacts and an archive that hold neither the token nor personal data' {
        $dir = Join-Path $TestDrive 'report'
        $report = Test-QTicketsEndpoint -EnvFile $liveEnv -IncludeWriteProbes -RetryDelaySeconds 0 | Save-QTicketsEndpointReport -Path $dir
        $report.Archive | Should -Be "$dir.tar.gz"
        foreach ($name in 'step00_env.txt', 'stepA1_get_orders.json', 'stepA1_get_orders.headers.txt', 'stepA1_get_orders.outcome.txt',
            'final_report.md', 'README_TESTING.md', 'support_ticket_draft.md') {
            Join-Path $dir $name | Should -Exist
        }
        $texts = Get-AllText $dir $report.Archive
        $texts.Count | Should -BeGreaterThan 7
        ($texts.Values -join "`n") | Should -Match 'orders'
        foreach ($key in $texts.Keys) {
            $texts[$key] | Should -Not -Match ([regex]::Escape($live.Token)) -Because "$key must not hold the token"
            $texts[$key] | Should -Not -Match 'buyer\d+@example\.test|\+7\d{10}|Surname\d+' -Because "$key must not hold personal data"
        }
    }
}

Describe 'Invoke-QTicketsDebugProtocol.ps1' {
    It 'exits 0 with every artifact when a form works' {
        $dir = Join-Path $TestDrive 'script-live'
        & $protocol -EnvFile $liveEnv -OutputDir $dir -RetryDelaySeconds 0 | Out-Null
        $LASTEXITCODE | Should -Be 0
        Join-Path $dir 'final_report.md' | Should -Exist
        "$dir.tar.gz" | Should -Exist
        Get-Content -Raw (Join-Path $dir 'final_report.md') | Should -Match 'Step G .* was not run'
    }

    It 'exits 2 and drafts the support ticket when the API is down' {
        $dir = Join-Path $TestDrive 'script-down'
        & $protocol -EnvFile $downEnv -OutputDir $dir -RetryDelaySeconds 0 -WarningAction SilentlyContinue | Out-Null
        $LASTEXITCODE | Should -Be 2
        Get-Content -Raw (Join-Path $dir 'final_report.md') | Should -Match 'The QTickets API was unavailable: all \d+ requests failed between .+ UTC and .+ UTC \(.+ Moscow\)'
        Get-Content -Raw (Join-Path $dir 'support_ticket_draft.md') | Should -Match 'UNKNOWN_ERROR'
    }

    It 'refuses a non-empty folder without -Force and clears it with -Force' {
        $dir = Join-Path $TestDrive 'script-force'
        New-Item -ItemType Directory $dir | Out-Null
        Set-Content (Join-Path $dir 'old.txt') 'old'
        { & $protocol -EnvFile $liveEnv -OutputDir $dir -Step H } | Should -Throw '*not empty*-Force*'
        & $protocol -EnvFile $liveEnv -OutputDir $dir -Step H -Force | Out-Null
        $LASTEXITCODE | Should -Be 2
        Join-Path $dir 'old.txt' | Should -Not -Exist
        Join-Path $dir 'stepH_head_orders.outcome.txt' | Should -Exist
    }
}
