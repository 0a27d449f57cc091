using System.Management.Automation;
using QTickets.Cmdlets.ClickHouse;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Load;

namespace QTickets.Cmdlets;

/// <summary>
/// Base of the cmdlets that read the API and write ClickHouse in one run (Invoke-QTicketsLoad,
/// Compare-QTicketsClickHouse): the ClickHouse connection parameters from <see cref="ClickHouseCmdlet"/>, the API
/// parameters (<see cref="ApiReadParameters"/>), the run's clock (-Now), the run lock's path, and the one map from a
/// run's exit code to the error category PowerShell users filter on.
/// </summary>
public abstract class QTicketsLoadCmdlet : ClickHouseCmdlet
{
    protected override ApiReadParameters ApiParameters { get; } = new();

    /// <summary>The run's "now" (tests and replays); the clock runs on from it.</summary>
    [Parameter] public DateTimeOffset? Now { get; set; }

    /// <summary>The run lock's file instead of the default (one per job and database).</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? LockPath { get; set; }

    /// <summary>The run's clock: the machine's, or one started at -Now.</summary>
    protected TimeProvider Time => _time ??= Now is { } start ? new ShiftedTimeProvider(start) : TimeProvider.System;
    TimeProvider? _time;

    protected static ErrorCategory CategoryOf(LoadExitCode code) => code switch
    {
        LoadExitCode.ConfigError => ErrorCategory.InvalidArgument,
        LoadExitCode.AuthError => ErrorCategory.AuthenticationError,
        LoadExitCode.Locked => ErrorCategory.ResourceBusy,
        LoadExitCode.LockFailed => ErrorCategory.ResourceUnavailable,
        LoadExitCode.ApiUnavailable => ErrorCategory.ConnectionError,
        LoadExitCode.ClickHouseError => ErrorCategory.WriteError,
        LoadExitCode.Rejected => ErrorCategory.InvalidData,
        LoadExitCode.Drift => ErrorCategory.InvalidResult,
        LoadExitCode.LegacyLoader => ErrorCategory.ResourceExists,
        _ => ErrorCategory.OperationStopped,
    };

    /// <summary>A clock that starts at a given time and runs at the machine's pace.</summary>
    sealed class ShiftedTimeProvider(DateTimeOffset start) : TimeProvider
    {
        readonly global::System.Diagnostics.Stopwatch _running = global::System.Diagnostics.Stopwatch.StartNew();
        public override DateTimeOffset GetUtcNow() => start.ToUniversalTime() + _running.Elapsed;
    }
}
