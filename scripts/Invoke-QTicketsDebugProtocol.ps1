<#
.SYNOPSIS
    The QTickets API debug protocol in one command: the legacy team's manual steps A–F (plus a baseline, HEAD and
    the documented GET-with-JSON-body form), their artifacts, and a verdict on why the API returns no sales.

.DESCRIPTION
    Runs Test-QTicketsEndpoint and writes, into -OutputDir:
      step00_env.txt                      token fingerprint, base URL, organisation, clock (UTC and Moscow)
      step<ID>_<name>.json|.html          each answer's body (personal data masked unless -IncludePersonalData)
      step<ID>_<name>.headers.txt         the request (token as a fingerprint) and the response headers
      step<ID>_<name>.outcome.txt         hypothesis, status, counts, and what the answer shows
      final_report.md                     table step -> HTTP code -> items -> note, then the verdict
      README_TESTING.md                   how this run differs from the manual protocol
      support_ticket_draft.md             a ready-to-send request to QTickets support (fingerprint, times, requests)
    and the whole folder as <OutputDir>.tar.gz beside it. The token appears in no file.

    Exit codes: 0 the report is written and a request form returned paid orders in the window;
                2 the report is written but no form did (API unavailable, token rejected, everything ignored/failing);
                1 no report (configuration error, output folder refused, ...).

.PARAMETER EnvFile
    Dotenv file(s) with QTICKETS_TOKEN, QTICKETS_BASE_URL, ORG_NAME (as for every QTickets cmdlet).
.PARAMETER OutputDir
    The folder for the artifacts; default ./qtickets_debug_<UTC timestamp>. A non-empty folder is refused without -Force.
.PARAMETER Force
    Clears a non-empty -OutputDir first.
.PARAMETER IncludeWriteProbes
    Also sends E1/E2 (POST /orders/filter, POST /orders with a filter body). POST /orders may create an order on the real API.
.PARAMETER IncludePersonalData
    Saves bodies as received, with buyers' names, e-mails and phones. Do not share such a folder.
.PARAMETER RetryDelaySeconds
    How long step F waits before repeating the first request that got 503.
.PARAMETER RunLoader
    Step G: when a request form returned paid orders, run scripts/Invoke-QTicketsLoader.ps1 for that window
    (-SinceHours covering it, the same -EnvFile files) and save its summary (rows written to ClickHouse) and exit
    code in stepG_loader.txt. This WRITES to the configured ClickHouse.
.PARAMETER BaseUrl
    Overrides QTICKETS_BASE_URL (e.g. a local sandbox).
.PARAMETER Step
    Runs only these steps (see Test-QTicketsEndpoint -Step).

.EXAMPLE
    ./scripts/Invoke-QTicketsDebugProtocol.ps1 -EnvFile ./secrets/.env.qtickets_api
.EXAMPLE
    pwsh -File scripts/Invoke-QTicketsDebugProtocol.ps1 -EnvFile qtickets.env -OutputDir ./debug -Force -RetryDelaySeconds 30
#>
[CmdletBinding()]
param(
    [string[]] $EnvFile,
    [string] $OutputDir,
    [switch] $Force,
    [switch] $IncludeWriteProbes,
    [switch] $IncludePersonalData,
    [ValidateRange(0, 600)]
    [int] $RetryDelaySeconds = 10,
    [switch] $RunLoader,
    [string] $BaseUrl,
    [string[]] $Step
)

# Cron, systemd and Task Scheduler keep raw bytes: every stream of this script is plain text (no ANSI colour codes),
# whatever TERM says. Set before anything can write; pwsh's own parameter errors come earlier and are kept plain by
# NO_COLOR=1, which the schedule templates set.
$PSStyle.OutputRendering = [System.Management.Automation.OutputRendering]::PlainText

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

. ([System.IO.Path]::Combine($PSScriptRoot, 'Import-QTicketsModule.ps1'))

$invariant = [System.Globalization.CultureInfo]::InvariantCulture
if (-not $OutputDir) {
    $OutputDir = 'qtickets_debug_' + [DateTime]::UtcNow.ToString('yyyyMMdd_HHmmss', $invariant)
}
$dir = [System.IO.Path]::TrimEndingDirectorySeparator(
    [System.IO.Path]::GetFullPath($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputDir)))

function Assert-OutputDir {
    # Refuses a non-empty folder without -Force, and never clears a root, the home folder or a repository.
    if (-not [System.IO.Directory]::Exists($dir)) { return }
    if ([System.IO.Directory]::GetFileSystemEntries($dir).Length -eq 0) { return }
    if (-not $Force) {
        throw "The output folder '$dir' is not empty. Give another -OutputDir, or -Force to clear it first."
    }
    $userHome = [System.IO.Path]::TrimEndingDirectorySeparator([Environment]::GetFolderPath('UserProfile'))
    if ($dir -eq [System.IO.Path]::GetPathRoot($dir) -or $dir -eq $userHome -or
        [System.IO.Directory]::Exists([System.IO.Path]::Combine($dir, '.git'))) {
        throw "Refusing to clear '$dir' (a root, the home folder or a git checkout). Give a dedicated -OutputDir."
    }
}

Assert-OutputDir

$probe = @{
    IncludeWriteProbes  = $IncludeWriteProbes.IsPresent
    IncludePersonalData = $IncludePersonalData.IsPresent
    RetryDelaySeconds   = $RetryDelaySeconds
}
if ($EnvFile) { $probe['EnvFile'] = $EnvFile }
if ($BaseUrl) { $probe['BaseUrl'] = $BaseUrl }
if ($Step) { $probe['Step'] = $Step }

# Results are shown as they come; the verdict is the last object.
$verdict = $null
Test-QTicketsEndpoint @probe 3>&1 | Split-WarningToStdErr | ForEach-Object {
    if ($_ -is [QTickets.Core.Diagnostics.EndpointVerdict]) { $verdict = $_ }
    $_
}
if ($null -eq $verdict) { throw 'Test-QTicketsEndpoint produced no verdict.' }

# Step G: load the window where data was found with the loader script and record what it wrote to ClickHouse.
$notes = [System.Collections.Generic.List[string]]::new()
$loader = [System.IO.Path]::Combine($PSScriptRoot, 'Invoke-QTicketsLoader.ps1')
$found = @($verdict.Results | Where-Object { $verdict.WorkingSteps -contains $_.Step -and $null -ne $_.Window } | ForEach-Object { $_.Window })
$stepG = $null
if (-not $RunLoader) {
    $notes.Add('Step G (run the loader for the window where data was found, then count rows in ClickHouse) was not run: -RunLoader was not given.')
}
elseif ($found.Count -eq 0) {
    $notes.Add('Step G was not run: no request form returned paid orders, so there is no window to load.')
}
elseif (-not [System.IO.File]::Exists($loader)) {
    $notes.Add("Step G was not run: $loader does not exist.")
}
else {
    $window = $found[0]
    $hours = [int][Math]::Ceiling(($window.End - $window.Start).TotalHours)
    $loaderArgs = @{ SinceHours = $hours }
    if ($EnvFile) { $loaderArgs['EnvFile'] = $EnvFile[0] }
    if ($EnvFile -and $EnvFile.Count -gt 1) { $loaderArgs['ChEnvFile'] = $EnvFile[1] }
    $startedG = [DateTime]::UtcNow
    $global:LASTEXITCODE = 0
    $lines = @(& $loader @loaderArgs 2>&1 | ForEach-Object { "$_" })
    $exitG = $LASTEXITCODE
    $stepG = [System.Text.StringBuilder]::new()
    [void]$stepG.AppendLine('Step G: the loader for the window where data was found')
    [void]$stepG.AppendLine("Window:      $window (loader -SinceHours $hours)")
    [void]$stepG.AppendLine("Started:     $($startedG.ToString('yyyy-MM-dd HH:mm:ss', $invariant)) UTC")
    [void]$stepG.AppendLine("Command:     scripts/Invoke-QTicketsLoader.ps1 -SinceHours $hours$(if ($EnvFile) { ' -EnvFile <env file>' })")
    [void]$stepG.AppendLine("Exit code:   $exitG (0 ok, 1 failed, 2 configuration, 3 token rejected, 4 locked, 5 API unavailable, 6 ClickHouse)")
    [void]$stepG.AppendLine('Output (summary line and JSON with the rows written to ClickHouse):')
    foreach ($line in $lines) { [void]$stepG.AppendLine($line) }
    $notes.Add("Step G ran the loader for $window (-SinceHours $hours): exit code $exitG; see stepG_loader.txt.")
}
$notes.Add("Produced by scripts/Invoke-QTicketsDebugProtocol.ps1 in $($Host.Name) at $([DateTime]::UtcNow.ToString('yyyy-MM-dd HH:mm:ss', $invariant)) UTC.")

Assert-OutputDir
if ([System.IO.Directory]::Exists($dir)) { [System.IO.Directory]::Delete($dir, $true) }
[void][System.IO.Directory]::CreateDirectory($dir)
if ($stepG) {
    [System.IO.File]::WriteAllText([System.IO.Path]::Combine($dir, 'stepG_loader.txt'), $stepG.ToString())
}

$verdict | Save-QTicketsEndpointReport -Path $dir -Note $notes.ToArray() 3>&1 | Split-WarningToStdErr

if ($verdict.Kind -eq [QTickets.Core.Diagnostics.VerdictKind]::WorkingFormFound) { exit 0 }
exit 2
