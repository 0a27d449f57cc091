<#
.SYNOPSIS
    Scheduled reconciliation: are the last days in ClickHouse what the QTickets API says they should be?
.DESCRIPTION
    One run of Compare-QTicketsClickHouse over the last -Days whole days (today, still being loaded, is left out
    unless -Repair, which reloads today too),
    or over -From/-To. Schedule it after a loader run (e.g. nightly at 04:10, the loader at 04:00), so a
    payment or refund made since the last load does not look like drift. It prints exactly two lines on stdout:
    a human verdict and the same as one line of JSON, records the verdict in meta_job_runs as <job>_reconcile,
    and exits with:
      0 clean (or, with -Repair, every differing day was reloaded and now matches),
      7 drift (days differ; after -Repair: still differ),
      1 failed, 2 configuration error, 3 token rejected (403), 4 the loader's lock is held (-Repair only),
      5 QTickets API unavailable, 6 ClickHouse error, 9 the loader's lock could not be taken (-Repair only;
      its folder is missing, read-only, full or not permitted) (the loader's codes),
      130 stopped by Ctrl+C or SIGINT before it finished.
.PARAMETER EnvFile
    Env file with QTICKETS_TOKEN, QTICKETS_BASE_URL, CLICKHOUSE_* ... (the loader's).
.PARAMETER ChEnvFile
    A second env file read after -EnvFile (ClickHouse settings), like the loader's.
.PARAMETER Days
    Compare the N whole days before today (default 3), and today as well with -Repair.
.PARAMETER From
    First day to compare (yyyy-MM-dd, Moscow); with -To instead of -Days.
.PARAMETER To
    Last day to compare, inclusive (default: -From).
.PARAMETER EventId
    Only these events.
.PARAMETER Repair
    Reload the days that differ through the loader, then compare again.
.PARAMETER Now
    The instant treated as now (ISO 8601), for sandboxes with a virtual clock.
.EXAMPLE
    pwsh -NoProfile -File /opt/qtickets/scripts/Invoke-QTicketsReconcile.ps1 -EnvFile /etc/qtickets/qtickets.env -Days 3 -Repair
.EXAMPLE
    pwsh -File scripts/Invoke-QTicketsReconcile.ps1 -EnvFile ./qtickets.env -From 2026-11-01 -To 2026-11-07
#>
[CmdletBinding()]
param(
    [string] $EnvFile,
    [string] $ChEnvFile,
    [int] $Days = 3,
    [string] $From,
    [string] $To,
    [long[]] $EventId,
    [switch] $Repair,
    [string] $Now
)

# Cron, systemd and Task Scheduler keep raw bytes: every stream of this script is plain text (no ANSI colour codes),
# whatever TERM says. Set before anything can write; pwsh's own parameter errors come earlier and are kept plain by
# NO_COLOR=1, which the schedule templates set.
$PSStyle.OutputRendering = [System.Management.Automation.OutputRendering]::PlainText

try { . ([System.IO.Path]::Combine($PSScriptRoot, 'Import-QTicketsModule.ps1')) }
catch {
    "qtickets reconcile failed (exit 2): the QTickets module could not be imported: $($_.Exception.Message)"
    exit 2
}

$compare = @{ Summary = $true }
$files = @($EnvFile, $ChEnvFile) | Where-Object { $_ }
if ($files) { $compare.EnvFile = [string[]] $files }
$culture = [Globalization.CultureInfo]::InvariantCulture
try {
    if ($From) {
        $compare.From = [datetime]::ParseExact($From, 'yyyy-MM-dd', $culture)
        if ($To) { $compare.To = [datetime]::ParseExact($To, 'yyyy-MM-dd', $culture) }
    }
    else { $compare.Days = $Days }
    if ($Now) { $compare.Now = [DateTimeOffset]::Parse($Now, $culture) }
}
catch {
    "qtickets reconcile failed (exit 2): -From, -To or -Now is not a date: $($_.Exception.Message)"
    exit 2
}
if ($EventId) { $compare.EventId = $EventId }
if ($Repair) { $compare.Repair = $true }

# A failure is reported by the summary (two lines on stdout) and the exit code, not by a red error block. Ctrl+C or
# SIGINT stops the pipeline: only the finally runs, which prints a stopped line and ends the process with 130 (not
# `exit`: while the pipeline stops pwsh ignores it and exits 0, which cron would take for a clean comparison).
$finished = $false
try {
    $summary = Compare-QTicketsClickHouse @compare -ErrorAction SilentlyContinue -ErrorVariable compareErrors 3>&1 | Split-WarningToStdErr
    $finished = $true
}
finally {
    if (-not $finished) {
        [Console]::Out.WriteLine('qtickets reconcile stopped (exit 130): stopped by Ctrl+C or SIGINT before it finished. Nothing to fix: a repair reloads whole days, run it again.')
        [Console]::Out.WriteLine('{"status":"stopped","exit_code":130}')
        [Console]::Out.Flush()
        [Environment]::Exit(130)
    }
}
if (-not $summary) {
    "qtickets reconcile failed (exit 1): $(if ($compareErrors) { $compareErrors[0].Exception.Message } else { 'no summary' })"
    exit 1
}
$summary.HumanLine
$summary.ToJson()
exit [int] $summary.ExitCode
