using System.Management.Automation;
using QTickets.Core.Scheduling;

namespace QTickets.Cmdlets.Load;

/// <summary>
/// The systemd units, the crontab line, the Task Scheduler command and the companion scripts' command lines of
/// this installation: the templates in the module's scripts/ folder with its own paths filled in, so a package
/// user never needs a source checkout to schedule the load.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QTicketsSchedule")]
[OutputType(typeof(ScheduleFile))]
public sealed class GetQTicketsScheduleCommand : PSCmdlet
{
    // Not a QTicketsCmdlet (no connection): its error records get their fix the same way (ErrorRemedy).
    new void WriteError(ErrorRecord errorRecord) => base.WriteError(ErrorRemedy.Attach(errorRecord, MyInvocation));

    new void ThrowTerminatingError(ErrorRecord errorRecord) => base.ThrowTerminatingError(ErrorRemedy.Attach(errorRecord, MyInvocation));

    /// <summary>Only these kinds (default: all).</summary>
    [Parameter(Position = 0)]
    public ScheduleKind[]? Kind { get; set; }

    /// <summary>The env file the scheduled runs read (token, ClickHouse); made a full path.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EnvFile { get; set; }

    /// <summary>The account systemd runs the load as.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string User { get; set; } = "qtickets";

    /// <summary>The pwsh the scheduler starts; default the one running this command.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PwshPath { get; set; }

    /// <summary>The file cron appends the runs' lines to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LogFile { get; set; } = "/var/log/qtickets/loader.log";

    protected override void EndProcessing()
    {
        var windows = OperatingSystem.IsWindows();
        var settings = new ScheduleSettings(
            ModuleDirectory: MyInvocation.MyCommand.Module?.ModuleBase ?? Path.GetDirectoryName(typeof(GetQTicketsScheduleCommand).Assembly.Location)!,
            PwshPath: PwshPath is null ? RunningPwsh(windows) : FullPath(PwshPath),
            EnvFile: FullPath(EnvFile ?? (windows ? @"C:\qtickets\qtickets.env" : "/etc/qtickets/qtickets.env")),
            User: User,
            LogFile: FullPath(LogFile),
            Windows: windows);
        try
        {
            WriteObject(ScheduleTemplates.Render(settings, Kind), enumerateCollection: true);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.Schedule.InvalidValue", ErrorCategory.InvalidArgument, settings));
        }
        catch (FileNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.Schedule.ModuleIncomplete", ErrorCategory.ObjectNotFound, ex.FileName));
        }
    }

    string FullPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    // The pwsh in $PSHOME is the one this module runs in; a host without one (an embedded runspace) gets the
    // usual package location.
    string RunningPwsh(bool windows)
    {
        var home = SessionState.PSVariable.GetValue("PSHOME") as string;
        var candidate = string.IsNullOrEmpty(home) ? null : Path.Combine(home, windows ? "pwsh.exe" : "pwsh");
        if (candidate is not null && File.Exists(candidate)) return candidate;
        return windows ? "pwsh.exe" : "/usr/bin/pwsh";
    }
}
