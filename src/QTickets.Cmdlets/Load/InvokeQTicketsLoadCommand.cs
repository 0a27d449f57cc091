using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Load;
using QTickets.Core.Transform;

namespace QTickets.Cmdlets.Load;

/// <summary>
/// The scheduled load (scripts/Invoke-QTicketsLoader.ps1 calls it every 15 minutes): one run of
/// <see cref="QTicketsLoader"/> under the run lock. It always returns a <see cref="LoadSummary"/>, also for a
/// failed run, and then writes one error record, so a script can print the summary and exit with its code.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "QTicketsLoad", SupportsShouldProcess = true)]
[OutputType(typeof(LoadSummary))]
public sealed class InvokeQTicketsLoadCommand : QTicketsCmdlet
{
    /// <summary>Load exactly the last N hours, whatever the watermark (a repair or a replay).</summary>
    [Parameter] [ValidateRange(1, 24 * 366 * 5)] public int? SinceHours { get; set; }

    /// <summary>Fetch and transform, write nothing (also DRY_RUN=true, and -WhatIf).</summary>
    [Parameter] public SwitchParameter DryRun { get; set; }

    /// <summary>Load events.json and orders.json from this folder instead of calling the API.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? OfflineFixturesDir { get; set; }

    [Parameter] [ValidateNotNullOrEmpty] public string? Token { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? BaseUrl { get; set; }

    /// <summary>The instant treated as now (replays, and sandboxes whose clock is virtual). Default: the system clock.</summary>
    [Parameter] public DateTimeOffset? Now { get; set; }

    /// <summary>
    /// The run lock file. Default: one per job and ClickHouse database (named by the database's identity on the
    /// server, so every spelling of the host shares it) in $XDG_RUNTIME_DIR or the temp folder.
    /// </summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? LockPath { get; set; }

    [Parameter] [ValidateRange(1, 16)] public int Parallelism { get; set; } = 4;
    [Parameter] [ValidateRange(1, 1_000_000)] public int BatchSize { get; set; } = 50_000;
    [Parameter] [ValidateRange(1, 20)] public int MaxAttempts { get; set; } = new ApiOptions().MaxAttempts;
    /// <summary>Take no inventory snapshot this run (QTICKETS_SKIP_INVENTORY=true does the same).</summary>
    [Parameter] public SwitchParameter SkipInventory { get; set; }

    protected override void AddParameters(ConfigLoader loader) => loader
        .WithParameter("Token", Token)
        .WithParameter("BaseUrl", BaseUrl);

    protected override void EndProcessing()
    {
        var started = Now ?? DateTimeOffset.UtcNow;
        QTicketsConfig config;
        try
        {
            config = BuildConfig(OfflineFixturesDir is null ? ConfigNeeds.All : ConfigNeeds.ClickHouse);
        }
        catch (ConfigurationException ex)
        {
            Fail(new LoadSummary { Job = "qtickets_api", RunId = Guid.NewGuid(), StartedAt = started, FinishedAt = started },
                ex, LoadExitCode.ConfigError, "ConfigError", ErrorCategory.InvalidArgument);
            return;
        }

        var dryRun = DryRun || config.DryRun ||
                     !ShouldProcess($"{config.ClickHouseUrl}/{config.ClickHouseDatabase}", "Load QTickets orders, events and inventory");
        var options = new LoadOptions
        {
            JobName = config.JobName,
            Clock = WallClock.For(config.TimeZone),
            ForcedSinceHours = SinceHours,
            LookbackHours = config.SinceHours,
            InitialBackfillHours = config.InitialBackfillHours,
            DryRun = dryRun,
            SkipInventory = SkipInventory || IsTrue(Environment.GetEnvironmentVariable("QTICKETS_SKIP_INVENTORY")),
            InventoryParallelism = Parallelism,
            BatchSize = BatchSize,
            Time = Now is { } fixedNow ? new ShiftedTimeProvider(fixedNow) : TimeProvider.System,
        };

        var fixtures = OfflineFixturesDir is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OfflineFixturesDir);
        LoadSummary? summary = null;
        try
        {
            RunOnPipeline(async (queue, cancellation) =>
            {
                using var api = fixtures is null
                    ? Engine.CreateApi(config, new ApiOptions { Parallelism = Parallelism, MaxAttempts = MaxAttempts }, queue)
                    : null;
                using var store = dryRun ? null : Engine.CreateClickHouseStore(config, queue);
                RunLock? runLock = null;
                try
                {
                    if (store is not null)
                    {
                        // Keyed on the database as the server names it, so any spelling of the host takes the same lock. The
                        // question is also the run's first contact: a port that is not ClickHouse's fails here, before any
                        // API request. A ClickHouse that does not answer fails the run unlocked; it could not write anyway.
                        var database = await store.GetDatabaseIdentityAsync(cancellation).ConfigureAwait(false);
                        runLock = RunLock.Acquire(LockPath ?? RunLock.DefaultPath(config.JobName, database), started);
                    }
                    ILoadSource source = api is null ? new FixtureLoadSource(fixtures!) : new ApiLoadSource(api);
                    summary = await new QTicketsLoader(source, store, options, queue).RunAsync(cancellation).ConfigureAwait(false);
                }
                finally
                {
                    runLock?.Dispose();
                }
            });
        }
        catch (Exception ex) when (ex is not PipelineStoppedException && (ex is not OperationCanceledException || !StopToken.IsCancellationRequested))
        {
            // The lock, the first ClickHouse contact, or anything unexpected: still one summary with a reason.
            var (code, kind) = QTicketsLoader.Classify(ex, StopToken);
            var failed = new LoadSummary { Job = config.JobName, RunId = Guid.NewGuid(), StartedAt = started, FinishedAt = started };
            Fail(failed, ex, code, kind, Category(code));
            return;
        }
        if (summary!.ExitCode == LoadExitCode.Ok) WriteObject(summary);
        else Fail(summary, new LoadFailedException(summary.Message), summary.ExitCode, summary.ErrorKind, Category(summary.ExitCode));
    }

    /// <summary>The summary first (the script prints it), then one error record for interactive users and -ErrorAction.</summary>
    void Fail(LoadSummary summary, Exception ex, LoadExitCode code, string kind, ErrorCategory category)
    {
        summary.Status = code switch { LoadExitCode.Locked => "locked", LoadExitCode.Rejected => "partial", _ => "error" };
        summary.ExitCode = code;
        summary.ErrorKind = kind;
        // Never an empty reason: the line on stdout is all a cron mail or a journal shows.
        if (summary.Message.Length == 0) summary.Message = ex.Message.ReplaceLineEndings(" ").Trim();
        if (summary.Message.Length == 0) summary.Message = $"{ex.GetType().Name} without a message (run with -Verbose for details)";
        WriteObject(summary);
        WriteError(new ErrorRecord(ex, "QTickets.Load." + kind, category, summary.Job));
    }

    static ErrorCategory Category(LoadExitCode code) => code switch
    {
        LoadExitCode.ConfigError => ErrorCategory.InvalidArgument,
        LoadExitCode.AuthError => ErrorCategory.AuthenticationError,
        LoadExitCode.Locked => ErrorCategory.ResourceBusy,
        LoadExitCode.LockFailed => ErrorCategory.ResourceUnavailable,
        LoadExitCode.ApiUnavailable => ErrorCategory.ConnectionError,
        LoadExitCode.ClickHouseError => ErrorCategory.WriteError,
        LoadExitCode.Rejected => ErrorCategory.InvalidData,
        _ => ErrorCategory.OperationStopped,
    };

    static bool IsTrue(string? value) => value?.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";

    /// <summary>A clock that starts at -Now and runs at the real pace, so durations stay true.</summary>
    sealed class ShiftedTimeProvider(DateTimeOffset start) : TimeProvider
    {
        readonly global::System.Diagnostics.Stopwatch _running = global::System.Diagnostics.Stopwatch.StartNew();
        public override DateTimeOffset GetUtcNow() => start.ToUniversalTime() + _running.Elapsed;
    }
}

/// <summary>A load that ended with an error; the message is the summary's (no secret, no personal datum).</summary>
public sealed class LoadFailedException(string message) : Exception(message);
