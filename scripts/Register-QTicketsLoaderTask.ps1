<#
.SYNOPSIS
    Registers the QTickets load as a Windows Task Scheduler task that runs every 15 minutes.
.DESCRIPTION
    The task runs scripts/Invoke-QTicketsLoader.ps1 under pwsh 7.6 with the given env file, as the given
    account, whether or not it is logged on. A run that finds another still active exits with code 4.
    Windows only (ScheduledTasks module).
.PARAMETER EnvFile
    The env file with QTICKETS_TOKEN and CLICKHOUSE_* (keep it readable by the task's account only).
.PARAMETER TaskName
    Name of the task. Default: QTickets loader.
.PARAMETER User
    Account that runs the task. Default: the current user.
.EXAMPLE
    ./Register-QTicketsLoaderTask.ps1 -EnvFile C:\qtickets\qtickets.env
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $EnvFile,
    [string] $TaskName = 'QTickets loader',
    [string] $User = "$env:USERDOMAIN\$env:USERNAME"
)

# Cron, systemd and Task Scheduler keep raw bytes: every stream of this script is plain text (no ANSI colour codes),
# whatever TERM says. Set before anything can write; pwsh's own parameter errors come earlier and are kept plain by
# NO_COLOR=1, which the schedule templates set.
$PSStyle.OutputRendering = [System.Management.Automation.OutputRendering]::PlainText
$ErrorActionPreference = 'Stop'
if (-not $IsWindows) { throw 'Register-QTicketsLoaderTask.ps1 is for Windows; use scripts/systemd or scripts/qtickets-loader.cron elsewhere.' }
$pwsh = (Get-Command pwsh).Source
$script = Join-Path $PSScriptRoot 'Invoke-QTicketsLoader.ps1'
$action = New-ScheduledTaskAction -Execute $pwsh -Argument "-NoProfile -NonInteractive -File `"$script`" -EnvFile `"$EnvFile`""
$trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).Date -RepetitionInterval (New-TimeSpan -Minutes 15)
$settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -ExecutionTimeLimit (New-TimeSpan -Minutes 14) -StartWhenAvailable
if ($PSCmdlet.ShouldProcess($TaskName, "Register a task running $script every 15 minutes as $User")) {
    $credential = Get-Credential -UserName $User -Message "Password of $User (the task runs whether or not it is logged on)"
    Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings `
        -User $credential.UserName -Password $credential.GetNetworkCredential().Password -RunLevel Limited | Out-Null
    Write-Host "Registered '$TaskName': every 15 minutes, log with Get-ScheduledTaskInfo -TaskName '$TaskName'."
}
