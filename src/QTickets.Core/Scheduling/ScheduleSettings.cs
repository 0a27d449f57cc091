namespace QTickets.Core.Scheduling;

/// <summary>The values a schedule is made of: where the module and pwsh are, which env file, which account.</summary>
/// <param name="ModuleDirectory">The installed module's folder (the one with QTickets.psd1 and scripts/).</param>
/// <param name="PwshPath">The pwsh 7.6 executable the scheduler starts.</param>
/// <param name="EnvFile">The env file with the token and ClickHouse settings (mode 600).</param>
/// <param name="User">The account systemd runs the load as.</param>
/// <param name="LogFile">The file cron appends each run's two lines to.</param>
/// <param name="Windows">Whether command lines are for cmd/PowerShell on Windows rather than a POSIX shell.</param>
public sealed record ScheduleSettings(string ModuleDirectory, string PwshPath, string EnvFile, string User, string LogFile, bool Windows);
