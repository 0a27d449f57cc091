# Dot-sourced by the scripts in this folder. Imports, first found: the module this folder ships in (the installed
# module's scripts/ folder, or out/QTickets/scripts after a build), the module built next to this checkout
# (out/QTickets, when the scripts run from a clone), else the installed module by name. Throws when none imports;
# each script turns that into its exit code.
if (-not (Get-Module QTickets)) {
    $candidates = @(
        [System.IO.Path]::Combine($PSScriptRoot, '..', 'QTickets.psd1')
        [System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'QTickets', 'QTickets.psd1')
    )
    $manifest = $candidates | Where-Object { [System.IO.File]::Exists($_) } | Select-Object -First 1
    if ($manifest) { Import-Module ([System.IO.Path]::GetFullPath($manifest)) -ErrorAction Stop } else { Import-Module QTickets -ErrorAction Stop }
}

# These scripts run under cron, systemd and Task Scheduler, whose logs keep raw bytes: no ANSI colour codes.
$PSStyle.OutputRendering = [System.Management.Automation.OutputRendering]::PlainText

function Split-WarningToStdErr {
    # pwsh writes warnings to stdout when stdout is redirected; stdout is kept for each script's result lines (one
    # human line and one JSON line for the loader), so there a command's warnings, merged in with 3>&1, leave for
    # stderr as plain 'WARNING: ...' lines. In a terminal, or a script run inside another host, they stay warnings.
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] [AllowNull()] [object] $InputObject)
    process {
        if ($InputObject -isnot [System.Management.Automation.WarningRecord]) { $PSCmdlet.WriteObject($InputObject); return }
        if ($Host.Name -eq 'ConsoleHost' -and [Console]::IsOutputRedirected) { [Console]::Error.WriteLine("WARNING: $($InputObject.Message)") }
        else { $PSCmdlet.WriteWarning($InputObject.Message) }
    }
}
