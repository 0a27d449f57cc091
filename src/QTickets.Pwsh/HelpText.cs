using System.Text;

namespace QTickets.Pwsh;

/// <summary>
/// -Help text. The command list is read live from the engine (Get-Command in a CreateDefault2 runspace); with
/// SMA 7.6.9 it is these 48 cmdlets + 10 functions:
///   Add-History Clear-History Debug-Job Disable-ExperimentalFeature Enable-ExperimentalFeature
///   Enter-PSHostProcess Enter-PSSession Exit-PSHostProcess Exit-PSSession Export-ModuleMember ForEach-Object
///   Get-Command Get-ExperimentalFeature Get-Help Get-History Get-Job Get-Module Get-PSHostProcessInfo
///   Get-PSSession Get-PSSubsystem Import-Module Invoke-Command Invoke-History New-Module New-ModuleManifest
///   New-PSRoleCapabilityFile New-PSSession New-PSSessionConfigurationFile New-PSSessionOption
///   New-PSTransportOption Out-Default Out-Host Out-Null Receive-Job Register-ArgumentCompleter Remove-Job
///   Remove-Module Remove-PSSession Save-Help Set-PSDebug Set-StrictMode Start-Job Stop-Job Switch-Process
///   Test-ModuleManifest Update-Help Wait-Job Where-Object
///   functions: cd.. cd\ cd~ Clear-Host exec help oss Pause prompt TabExpansion2
/// Write-Output, Write-Verbose, Write-Warning, Write-Error, Write-Host, Write-Information are NOT among them.
/// Start-Job does not work (it needs a pwsh executable in $PSHOME).
/// </summary>
internal static class HelpText
{
    public static string Build(Func<IReadOnlyList<string>> listCommands)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"qtickets-pwsh {Program.HostVersion()} - runs PowerShell scripts in the PowerShell {Program.EngineVersion()} engine");
        sb.AppendLine("""

            Usage:
              qtickets-pwsh [-NoProfile] [-NonInteractive] -File <script.ps1> [-Param value] [-Switch] [-Param:value] [positional...]
              qtickets-pwsh [-NoProfile] [-NonInteractive] -Command '<script text>'     (also -c; '-Command -' reads stdin)
              qtickets-pwsh -Version | -Help

            Options (case-insensitive, abbreviations as in pwsh: -f -c -nop -noni):
              -File, -f <path>           Run a script; every later argument is passed to the script, bound like pwsh -File.
              -Command, -c <text>        Run script text; the remaining arguments are joined with spaces.
              -NoProfile, -NonInteractive, -NoLogo, -ExecutionPolicy <x>
                                         Accepted for pwsh compatibility; no effect (no profiles, never prompts).
              -WorkingDirectory, -wd <d> Start in this directory.
              -Version, -v               Print the version.    -Help, -h, -?   Print this help.

            Exit codes: 'exit N' -> N; uncaught error -> 1; -Command: 1 if the last statement failed;
              SIGINT -> 130, SIGTERM -> 143 (the pipeline is stopped first); bad command line -> 64.

            What this is: a small host for the real PowerShell engine (System.Management.Automation), NOT pwsh.
            It has the engine's core cmdlets only. Microsoft.PowerShell.Utility/Management/Security are absent:
            no Write-Output, Write-Host, Write-Verbose, Write-Warning, Write-Error, Write-Information,
            Select-Object, Sort-Object, ConvertTo-Json, Get-Date, Join-Path, Test-Path, Get-ChildItem,
            Set-Content, New-Object, Add-Type, Start-Sleep, ... Scripts must use only the commands below,
            .NET ([IO.File]::Exists, [IO.Path]::Combine, [DateTime]::UtcNow, [Threading.Thread]::Sleep),
            implicit output, $PSCmdlet.WriteVerbose/WriteWarning/WriteError in [CmdletBinding()] scripts,
            and our module (Import-Module QTickets; found through PSModulePath, which starts with
            $QTICKETS_MODULE_PATH or the folder above this runner).
            Prompts (-Confirm, Read-Host-like calls) fail at once; progress is shown only on a terminal.

            Commands available in this engine:
            """);
        var cmds = listCommands();
        var line = new StringBuilder("  ");
        foreach (string c in cmds)
        {
            if (line.Length + c.Length + 2 > 110)
            {
                sb.AppendLine(line.ToString().TrimEnd());
                line.Clear().Append("  ");
            }

            line.Append(c).Append(", ");
        }

        if (line.Length > 2)
        {
            sb.AppendLine(line.ToString().TrimEnd(' ', ','));
        }

        return sb.ToString();
    }
}
