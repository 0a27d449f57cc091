# Dot-sourced by the scripts in this folder: imports the module built next to this checkout (out/QTickets) when
# there is one, else the installed module. Throws when neither imports; each script turns that into its exit code.
# Core cmdlets and .NET only, so it runs under pwsh and out/qtickets-pwsh alike.
if (-not (Get-Module QTickets)) {
    $builtModule = [System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'QTickets', 'QTickets.psd1')
    if ([System.IO.File]::Exists($builtModule)) { Import-Module $builtModule -ErrorAction Stop } else { Import-Module QTickets -ErrorAction Stop }
}
