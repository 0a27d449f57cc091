#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The help-example runner: every example of every help topic runs as written. Examples are taken from the built
    module (Get-Help <cmdlet> -Examples for every exported cmdlet) and from the about topics' PowerShell code blocks
    (docs/help/about_*.md with the pages they include). Each runs in a fresh child pwsh, the way a user meets it:
      * the module installed by name (out/ first on PSModulePath, so `Import-Module QTickets` and
        `Get-Module QTickets -ListAvailable` find the built one) and the test's pwsh first on PATH;
      * the session defaults set as README ("Connection defaults for a session") documents them:
        $PSDefaultParameterValues['*-QTickets*:EnvFile'] = <the working folder's qtickets.env>;
      * the working folder holds the files examples name: qtickets.env (the sandbox, token sandbox-token-0000, and a
        throwaway ClickHouse database of this run, as its administrator), reader.env (the same database; the test
        server's reader may read only its own database, so the administrator stands in), admin.env (the administrator), override.env, orders.json (a saved /orders answer) and plan.csv
        (a sales plan for plan_sales).
    The sandbox's virtual clock is this machine's clock, so examples that count back from Get-Date find orders.
    An example fails on a terminating error, any error record, or a non-zero exit code ($LASTEXITCODE included),
    naming the topic, the example number and the first error.
    Examples that serve until stopped (Start-QTicketsWebhookReceiver) pass once they announce that they listen, and
    are then stopped. Not run (only parsed), each for the reason given in $notRunnable below: two examples that
    need a ClickHouse the test server cannot be (a cluster; SQL-managed users for GRANT). Needs ./build.sh build and the test ClickHouse; starts the sandbox.
#>

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $manifest = Get-TestModuleManifest
    Import-Module $manifest -Force -ErrorAction Stop
    $examples = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($name in (Import-PowerShellDataFile $manifest).CmdletsToExport) {
        $n = 0
        foreach ($example in @((Get-Help $name -Examples).examples.example)) {
            $n++
            $examples.Add(@{ Topic = $name; Number = $n; Code = "$($example.code)".Trim() })
        }
    }
    # The about topics as their source says (the built text indents code and drops the fences); includes expanded.
    $help = Join-Path (Get-TestRepositoryRoot) 'docs' 'help'
    foreach ($about in Get-ChildItem -LiteralPath $help -Filter 'about_*.md' | Sort-Object Name) {
        $lines = foreach ($line in Get-Content -LiteralPath $about.FullName) {
            if ($line.Trim() -match '^<!-- include: (.+) -->$') { Get-Content -LiteralPath (Join-Path $help $Matches[1]) } else { $line }
        }
        $n = 0
        $code = $null
        foreach ($line in $lines) {
            if ($null -eq $code -and $line.Trim() -eq '```powershell') { $code = [System.Collections.Generic.List[string]]::new(); continue }
            if ($null -ne $code -and $line.Trim() -eq '```') {
                $n++
                $examples.Add(@{ Topic = $about.BaseName; Number = $n; Code = ($code -join "`n").Trim() })
                $code = $null
                continue
            }
            if ($null -ne $code) { $code.Add($line) }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $manifest -Force -ErrorAction Stop

    # Examples not run, each with its reason; keep it tiny.
    $script:notRunnable = @{
        'Initialize-QTicketsClickHouse 2' = 'GRANT needs SQL access management; the test ClickHouse (clickhouse-local under chDB) reads its users from users.xml only, and -Grants then stops with GrantsNeedUsersXml (ClickHouse.Tests covers -Grants with a ClickHouse of granted users)'
        'Initialize-QTicketsClickHouse 3' = 'ON CLUSTER needs a ClickHouse cluster with Keeper; the test ClickHouse is one server'
    }
    # Examples that serve until stopped: they pass once they say they listen.
    $script:serving = 'Start-QTicketsWebhookReceiver'

    $script:ch = Get-TestClickHouse
    $script:db = New-TestDatabase $ch -Prefix 'qt_pester_examples_'
    $admin = Get-TestClickHouseParameter $ch $db
    Initialize-QTicketsClickHouse @admin -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null
    # The sandbox where README and the examples say it is (127.0.0.1:8765, token sandbox-token-0000), its virtual
    # clock on this machine's clock.
    $probe = [System.Net.Sockets.TcpClient]::new()
    try { $probe.Connect('127.0.0.1', 8765); throw 'Port 8765 is taken: the help examples use the sandbox at its documented address; stop what listens there.' }
    catch [System.Net.Sockets.SocketException] { } finally { $probe.Dispose() }
    $now = [DateTimeOffset]::UtcNow.ToOffset([TimeSpan]::FromHours(3))
    $script:sandbox = Start-TestSandbox -Token 'sandbox-token-0000' -Argument '--port', '8765', '--now', $now.ToString('yyyy-MM-ddTHH:mm:sszzz')
    $script:work = New-TestDirectory -Prefix 'qt-pester-examples-'
    $receiverPort = Get-TestFreePort
    $script:envFile = New-TestEnvFile (Join-Path $work 'qtickets.env') -Sandbox $sandbox -ClickHouse $ch -Database $db -Setting ([ordered]@{
            QTICKETS_WEBHOOK_SECRET = 'help-examples-secret-0123456789abcdef'; QTICKETS_WEBHOOK_PORT = [string] $receiverPort })
    # The test server's reader is granted its own database only, not this run's: the administrator stands in.
    $null = New-TestEnvFile (Join-Path $work 'reader.env') -NoToken -ClickHouse $ch -Database $db
    $null = New-TestEnvFile (Join-Path $work 'admin.env') -NoToken -ClickHouse $ch -Database $db
    $null = New-TestEnvFile (Join-Path $work 'override.env') -NoToken -Setting @{ QTICKETS_SINCE_HOURS = '6' }
    $auth = @{ Authorization = "Bearer $($sandbox.Token)" }
    Invoke-WebRequest -Uri "$($sandbox.BaseUrl)/orders" -Headers $auth -OutFile (Join-Path $work 'orders.json')
    $firstEvent = (Invoke-RestMethod -Uri "$($sandbox.BaseUrl)/events" -Headers $auth).data[0].id
    Set-Content -LiteralPath (Join-Path $work 'plan.csv') -Value "Date,EventId,Revenue`n2026-12-01,$firstEvent,150000`n"
    # What the monitoring and reconciliation examples read: one load of the sandbox's orders.
    Invoke-QTicketsLoad -EnvFile $envFile -LockPath (Join-Path $work 'load.lock') -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null

    $script:wrapper = Join-Path $work 'run-example.ps1'
    Set-Content -LiteralPath $wrapper -Value @'
param([string] $Example, [string] $EnvFile)
Import-Module QTickets -ErrorAction Stop
$PSDefaultParameterValues['*-QTickets*:EnvFile'] = $EnvFile
$Error.Clear()
$global:LASTEXITCODE = 0
$thrown = $null
try { . $Example | Out-Default } catch { $thrown = $_ }
$first = if ($thrown) { $thrown } elseif ($Error.Count) { $Error[$Error.Count - 1] }
if ($first) {
    "EXAMPLE FAILED: $($first.FullyQualifiedErrorId): $($first.Exception.Message)"
    exit 101
}
if ($LASTEXITCODE) { "EXAMPLE FAILED: exit code $LASTEXITCODE"; exit 102 }
'@
    $script:childEnvironment = @{
        PATH = "$PSHOME$([System.IO.Path]::PathSeparator)$env:PATH"
        PSModulePath = "$(Split-Path (Split-Path $manifest))$([System.IO.Path]::PathSeparator)$env:PSModulePath"
        TMPDIR = $work; XDG_RUNTIME_DIR = $null; QTICKETS_TOKEN = $null; QTICKETS_API_TOKEN = $null
    }

    function script:Invoke-Example([string] $Topic, [int] $Number, [string] $Code) {
        $file = Join-Path $work "$Topic-$Number.ps1"
        Set-Content -LiteralPath $file -Value $Code
        Push-Location $work
        try { Invoke-TestScript $wrapper @('-Example', $file, '-EnvFile', $envFile) -Environment $childEnvironment -TimeoutSeconds 300 }
        finally { Pop-Location }
    }

    function script:Invoke-ServingExample([string] $Topic, [int] $Number, [string] $Code) {
        $file = Join-Path $work "$Topic-$Number.ps1"
        Set-Content -LiteralPath $file -Value $Code
        $start = [System.Diagnostics.ProcessStartInfo]::new((Get-TestPwshPath))
        foreach ($a in '-NoProfile', '-NonInteractive', '-File', $wrapper, '-Example', $file, '-EnvFile', $envFile) { $start.ArgumentList.Add($a) }
        $start.WorkingDirectory = $work
        foreach ($k in $childEnvironment.Keys) {
            if ($null -eq $childEnvironment[$k]) { $null = $start.Environment.Remove($k) } else { $start.Environment[$k] = $childEnvironment[$k] }
        }
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $lines = [System.Collections.Generic.List[string]]::new()
        $stderr = $process.StandardError.ReadToEndAsync()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            $read = $process.StandardOutput.ReadLineAsync()
            while ([DateTime]::UtcNow -lt $deadline) {
                if (-not $read.Wait(500)) { continue }
                if ($null -eq $read.Result) { break }
                $lines.Add($read.Result)
                if ($read.Result -match 'webhook receiver listening on ') { break }
                $read = $process.StandardOutput.ReadLineAsync()
            }
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            $null = $process.WaitForExit(10000)
        }
        [pscustomobject]@{ Lines = $lines.ToArray(); Errors = @("$($stderr.Result)" -split '\r?\n' | Where-Object { $_ }); ExitCode = $process.ExitCode }
    }
}

AfterAll {
    Stop-TestSandbox $sandbox
    Remove-TestDatabase $ch $db
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Help examples' {
    It 'finds the examples of every cmdlet and about topic (<Count>)' -ForEach @{ Count = $examples.Count; Topics = @($examples.Topic | Sort-Object -Unique) } {
        $Count | Should -BeGreaterThan 30
        $Topics | Should -Contain 'about_QTickets'
        $Topics | Should -Contain 'about_QTickets_Troubleshooting'
    }

    It '<Topic> example <Number> runs as written' -ForEach $examples {
        $key = "$Topic $Number"
        if ($notRunnable.ContainsKey($key)) {
            # Not run, for a reason a reviewer can check; the example must at least parse.
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $errors)
            $errors | Should -BeNullOrEmpty -Because "$key does not run here ($($notRunnable[$key])) but must parse"
            return
        }
        if ($Topic -in $serving) {
            $run = Invoke-ServingExample $Topic $Number $Code
            $said = (($run.Lines + $run.Errors) -join "`n") -replace '[\x00-\x08\x0b\x0c\x0e-\x1f]', ''
            $run.Lines -match 'webhook receiver listening on ' | Should -Not -BeNullOrEmpty -Because "$key must start listening; it said: $said"
            return
        }
        $run = Invoke-Example $Topic $Number $Code
        $said = (($run.Lines + $run.Errors) -join "`n") -replace '[\x00-\x08\x0b\x0c\x0e-\x1f]', ''
        $failure = @($run.Lines -match '^EXAMPLE FAILED: ')
        $failure | Should -BeNullOrEmpty -Because "$key failed; it said:`n$said"
        $run.ExitCode | Should -Be 0 -Because "$key failed; it said:`n$said"
    }
}
