<#
.SYNOPSIS
    The QTickets webhook receiver as a service: sales reach ClickHouse seconds after payment. Runs until stopped.
.DESCRIPTION
    Start-QTicketsWebhookReceiver for systemd, Task Scheduler or a terminal. Settings come from the env file (the
    same one as the scheduled load, plus QTICKETS_WEBHOOK_SECRET and optionally QTICKETS_WEBHOOK_LISTEN,
    QTICKETS_WEBHOOK_PORT, QTICKETS_WEBHOOK_PATH). It prints one line per delivery on stdout (no body, no personal
    data), warnings on stderr, and a summary line when stopped (SIGTERM or Ctrl+C). Keep the scheduled load running
    beside it: it is the backstop for deliveries QTickets gave up on.
    Exit codes: 0 stopped cleanly, 1 failed (e.g. the port is in use), 2 configuration error.
.PARAMETER EnvFile
    Env file(s) with QTICKETS_TOKEN, QTICKETS_BASE_URL, CLICKHOUSE_*, QTICKETS_WEBHOOK_SECRET ... (chmod 600).
.PARAMETER ListenAddress
    Overrides QTICKETS_WEBHOOK_LISTEN (default 127.0.0.1: put a TLS reverse proxy in front).
.PARAMETER Port
    Overrides QTICKETS_WEBHOOK_PORT (default 8088).
.PARAMETER Path
    Overrides QTICKETS_WEBHOOK_PATH (default /qtickets/webhook).
.EXAMPLE
    pwsh -NoProfile -File /opt/qtickets/scripts/Start-QTicketsWebhookReceiver.ps1 -EnvFile /etc/qtickets/qtickets.env
#>
[CmdletBinding()]
param(
    [string[]] $EnvFile,
    [string] $ListenAddress,
    [int] $Port,
    [string] $Path
)

# Cron, systemd and Task Scheduler keep raw bytes: every stream of this script is plain text (no ANSI colour codes),
# whatever TERM says. Set before anything can write; pwsh's own parameter errors come earlier and are kept plain by
# NO_COLOR=1, which the schedule templates set.
$PSStyle.OutputRendering = [System.Management.Automation.OutputRendering]::PlainText

try { . ([System.IO.Path]::Combine($PSScriptRoot, 'Import-QTicketsModule.ps1')) }
catch {
    "qtickets webhook receiver failed (exit 2): the QTickets module could not be imported: $($_.Exception.Message)"
    exit 2
}

$serve = @{}
if ($EnvFile) { $serve.EnvFile = $EnvFile }
if ($ListenAddress) { $serve.ListenAddress = $ListenAddress }
if ($Port) { $serve.Port = $Port }
if ($Path) { $serve.Path = $Path }

$serveErrors = @()
try {
    # Delivery lines arrive as information records: each becomes one stdout line at once (journald, a log file).
    Start-QTicketsWebhookReceiver @serve -ErrorAction SilentlyContinue -ErrorVariable serveErrors 3>&1 6>&1 |
        Split-WarningToStdErr |
        ForEach-Object {
            if ($_ -is [System.Management.Automation.InformationRecord]) { [Console]::Out.WriteLine([string] $_.MessageData) }
            else { [Console]::Out.WriteLine($_.ToString()) }
        }
}
catch { $serveErrors += $_ }

if ($serveErrors) {
    $first = @($serveErrors | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })[0]
    if (-not $first) { $first = $Error[0] }
    $code = if ($first.FullyQualifiedErrorId -like 'QTickets.Configuration.*') { 2 } else { 1 }
    $why = $first.Exception.Message -replace '\s*\r?\n\s*', ' '
    if (-not $why) { $why = "$($first.Exception.GetType().FullName) ($($first.FullyQualifiedErrorId))" }
    [Console]::Error.WriteLine(($Error | Select-Object -First 3 | Format-List * -Force | Out-String))
    "qtickets webhook receiver failed (exit $code): $why"
    exit $code
}
exit 0
