<#
.SYNOPSIS
    The scheduled QTickets -> ClickHouse load: run it every 15 minutes from cron, a systemd timer or Task Scheduler.
.DESCRIPTION
    One run of Invoke-QTicketsLoad, with the legacy loader's interface (-EnvFile, -ChEnvFile, -SinceHours,
    -DryRun, -Verbose, -OfflineFixturesDir). It prints exactly two lines on stdout: a human summary and the same
    as one line of JSON, and exits with the run's code:
      0 ok, 1 failed, 2 configuration error, 3 token rejected (403), 4 another run holds the lock,
      5 QTickets API unavailable, 6 ClickHouse error, 8 partial (loaded, but orders were rejected; they are
      kept in qtickets_rejected_orders and fetched by id on every later run).
      9 the run lock could not be taken (lock folder missing, read-only, full or not permitted: fix it, every
      run fails until then).
      10 the legacy Python loader still writes into the database (its rows were removed and their days
      recomputed): stop its timer, every run fails until it stops.
      130 stopped by Ctrl+C or SIGINT before it finished: recorded as 'stopped' (freshness ignores it); nothing
      to fix, the next run covers its window.
.PARAMETER EnvFile
    Env file with QTICKETS_TOKEN, QTICKETS_BASE_URL, CLICKHOUSE_* ... (chmod 600).
.PARAMETER ChEnvFile
    A second env file read after -EnvFile (ClickHouse settings), like the legacy --ch-env.
.PARAMETER SinceHours
    Load exactly the last N hours instead of continuing from the watermark.
.PARAMETER DryRun
    Fetch and transform, write nothing; prints the legacy dry-run summary.
.PARAMETER OfflineFixturesDir
    Load events.json and orders.json from this folder instead of calling the API.
.PARAMETER Now
    The instant treated as now (ISO 8601), for replays and sandboxes with a virtual clock.
.PARAMETER MaxAttempts
    Attempts per API request before the run gives up with exit code 5 (default 6, about 30 s of back-off).
.EXAMPLE
    pwsh -NoProfile -File /opt/qtickets/scripts/Invoke-QTicketsLoader.ps1 -EnvFile /etc/qtickets/qtickets.env
.EXAMPLE
    pwsh -File scripts/Invoke-QTicketsLoader.ps1 -EnvFile ./qtickets.env -DryRun -SinceHours 24
#>
[CmdletBinding()]
param(
    [string] $EnvFile,
    [string] $ChEnvFile,
    [int] $SinceHours,
    [switch] $DryRun,
    [string] $OfflineFixturesDir,
    [string] $Now,
    [int] $MaxAttempts
)

# Cron, systemd and Task Scheduler keep raw bytes: every stream of this script is plain text (no ANSI colour codes),
# whatever TERM says. Set before anything can write; pwsh's own parameter errors come earlier and are kept plain by
# NO_COLOR=1, which the schedule templates set.
$PSStyle.OutputRendering = [System.Management.Automation.OutputRendering]::PlainText

try { . ([System.IO.Path]::Combine($PSScriptRoot, 'Import-QTicketsModule.ps1')) }
catch {
    "qtickets loader failed (exit 2): the QTickets module could not be imported: $($_.Exception.Message)"
    exit 2
}

$load = @{}
$files = @($EnvFile, $ChEnvFile) | Where-Object { $_ }
if ($files) { $load.EnvFile = [string[]] $files }
if ($PSBoundParameters.ContainsKey('SinceHours')) { $load.SinceHours = $SinceHours }
if ($DryRun) { $load.DryRun = $true }
if ($OfflineFixturesDir) { $load.OfflineFixturesDir = $OfflineFixturesDir }
if ($MaxAttempts) { $load.MaxAttempts = $MaxAttempts }
if ($Now) { $load.Now = [DateTimeOffset]::Parse($Now, [Globalization.CultureInfo]::InvariantCulture) }

# Failures are reported by the summary (two lines on stdout) and the exit code, not by a red error block.
# Ctrl+C or SIGINT stops the pipeline: Invoke-QTicketsLoad records the run as 'stopped', then nothing after this
# block runs but its finally, which prints the two lines of a stopped run and ends the process with 130. Not `exit`:
# while the pipeline stops, pwsh ignores it and exits 0, which cron would take for a run that went well.
$loadErrors = @()
$finished = $false
try {
    try { $summary = Invoke-QTicketsLoad @load -ErrorAction SilentlyContinue -ErrorVariable loadErrors 3>&1 | Split-WarningToStdErr }
    catch { $summary = $null; $loadErrors = @($_) }
    $finished = $true
}
finally {
    if (-not $finished) {
        [Console]::Out.WriteLine('qtickets loader stopped (exit 130): stopped by Ctrl+C or SIGINT before it finished; recorded in meta_job_runs as ''stopped''. Nothing to fix: the next run covers its window.')
        [Console]::Out.WriteLine('{"status":"stopped","exit_code":130}')
        [Console]::Out.Flush()
        [Environment]::Exit(130)
    }
}
if (-not $summary) {
    # The reason goes on the one stdout line (cron mails and journals show it), never an empty one.
    $reason = if ($loadErrors) { "$($loadErrors[0].Exception.Message)".Trim() } else { '' }
    if (-not $reason) { $reason = if ($loadErrors) { "$($loadErrors[0].Exception.GetType().Name) without a message" } else { 'Invoke-QTicketsLoad returned no summary' } }
    "qtickets loader failed (exit 1): $($reason -replace '\s*[\r\n]+\s*', ' ')"
    exit 1
}
if ($summary.Status -eq 'DryRun') { $summary.DryRunReport() }
$summary.HumanLine
$summary.ToJson()
exit [int] $summary.ExitCode
