namespace QTickets.Core.Scheduling;

/// <summary>How the scheduled load (or one of its companion scripts) is started on a machine.</summary>
public enum ScheduleKind
{
    /// <summary>A systemd service and timer (Linux).</summary>
    Systemd,

    /// <summary>A crontab line (Linux, macOS).</summary>
    Cron,

    /// <summary>A Windows Task Scheduler task, registered by a script of the module.</summary>
    TaskScheduler,

    /// <summary>A script of the module run by hand or by a monitoring agent: freshness, reconciliation, the debug protocol.</summary>
    Script,
}
