<#
.SYNOPSIS
    Monitoring check for the scheduled QTickets load: exits non-zero when the data is stale or runs fail.
.DESCRIPTION
    Runs Test-QTicketsFreshness and prints two lines on stdout: a human verdict and the same as one line of
    JSON. Exit codes: 0 fresh, 1 past a threshold (no sale or inventory snapshot newer than -MaxAgeMinutes, or
    more than -MaxFailedPercent of the runs in the last -RunWindowHours failed, or any rejected order still open in
    qtickets_rejected_orders), 2 configuration error,
    6 ClickHouse error. Use the read-only user's credentials (the loader's writer cannot read the inventory).
.PARAMETER EnvFile
    Env file with CLICKHOUSE_HOST, CLICKHOUSE_PORT, CLICKHOUSE_DB, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD (chmod 600).
.PARAMETER MaxAgeMinutes
    The newest sale and inventory snapshot may be this old (default 120).
.PARAMETER MaxFailedPercent
    At most this share of the recent runs may have failed (default 5).
.PARAMETER RunWindowHours
    Runs started in this many last hours are counted (default 24).
.PARAMETER SkipInventory
    Do not judge the inventory snapshot (loads that run with -SkipInventory).
.PARAMETER Now
    The instant treated as now (ISO 8601), for sandboxes with a virtual clock.
.EXAMPLE
    */10 * * * * pwsh -NoProfile -File /opt/qtickets/scripts/Test-QTicketsFreshness.ps1 -EnvFile /etc/qtickets/monitor.env || notify-admin
#>
[CmdletBinding()]
param(
    [string] $EnvFile,
    [int] $MaxAgeMinutes = 120,
    [double] $MaxFailedPercent = 5,
    [int] $RunWindowHours = 24,
    [switch] $SkipInventory,
    [string] $Job,
    [string] $Now
)

# Cron, systemd and Task Scheduler keep raw bytes: every stream of this script is plain text (no ANSI colour codes),
# whatever TERM says. Set before anything can write; pwsh's own parameter errors come earlier and are kept plain by
# NO_COLOR=1, which the schedule templates set.
$PSStyle.OutputRendering = [System.Management.Automation.OutputRendering]::PlainText

try { . ([System.IO.Path]::Combine($PSScriptRoot, 'Import-QTicketsModule.ps1')) }
catch {
    "qtickets freshness unknown (exit 2): the QTickets module could not be imported: $($_.Exception.Message)"
    exit 2
}

$check = @{
    MaxAge           = [TimeSpan]::FromMinutes($MaxAgeMinutes)
    MaxFailedPercent = $MaxFailedPercent
    RunWindow        = [TimeSpan]::FromHours($RunWindowHours)
}
if ($EnvFile) { $check.EnvFile = $EnvFile }
if ($SkipInventory) { $check.SkipInventory = $true }
if ($Job) { $check.Job = $Job }
if ($Now) { $check.Now = [DateTimeOffset]::Parse($Now, [Globalization.CultureInfo]::InvariantCulture) }

try {
    # Unhealthy is reported by the report and the exit code; only a failure to check at all lands in catch.
    $report = Test-QTicketsFreshness @check -ErrorAction SilentlyContinue 3>&1 | Split-WarningToStdErr
}
catch {
    $code = if ($_.FullyQualifiedErrorId -like 'QTickets.Configuration.*') { 2 } else { 6 }
    "qtickets freshness unknown (exit $code): $($_.Exception.Message)"
    exit $code
}
if (-not $report) {
    "qtickets freshness unknown (exit 6): no report"
    exit 6
}
$report.ToString()
$report.ToJson()
exit $report.ExitCode
