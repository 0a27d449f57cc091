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
public sealed class InvokeQTicketsLoadCommand : QTicketsLoadCmdlet
{
    /// <summary>Load exactly the last N hours, whatever the watermark (a repair or a replay).</summary>
    [Parameter] [ValidateRange(1, 24 * 366 * 5)] public int? SinceHours { get; set; }

    /// <summary>Fetch and transform, write nothing (also DRY_RUN=true, and -WhatIf).</summary>
    [Parameter] public SwitchParameter DryRun { get; set; }

    /// <summary>Load events.json and orders.json from this folder instead of calling the API.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? OfflineFixturesDir { get; set; }




    [Parameter] [ValidateRange(1, 1_000_000)] public int BatchSize { get; set; } = 50_000;
    /// <summary>Take no inventory snapshot this run (QTICKETS_SKIP_INVENTORY=true does the same).</summary>
    [Parameter] public SwitchParameter SkipInventory { get; set; }


    protected override void EndProcessing()
    {
        var started = Time.GetUtcNow();
        QTicketsConfig config;
        try
        {
            config = BuildConfig(OfflineFixturesDir is null ? ConfigNeeds.All : ConfigNeeds.ClickHouse);
        }
        catch (ConfigurationException ex)
        {
            Fail(new LoadSummary { Job = "qtickets_api", RunId = Guid.NewGuid(), StartedAt = started, FinishedAt = started },
                ex, LoadExitCode.ConfigError, "ConfigError");
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
            InventoryParallelism = ApiParameters.Parallelism ?? new LoadOptions().InventoryParallelism,
            BatchSize = BatchSize,
            Time = Time,
        };

        var fixtures = OfflineFixturesDir is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OfflineFixturesDir);
        LoadSummary? summary = null;
        try
        {
            Run(async cancellation =>
            {
                using var api = fixtures is null
                    ? Engine.CreateApi(config, ApiParameters.OptionsFor(config), Queue)
                    : null;
                using var store = dryRun ? null : Engine.CreateClickHouseStore(config, Queue);
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
                    summary = await new QTicketsLoader(source, store, options, Queue).RunAsync(cancellation).ConfigureAwait(false);
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
            Fail(failed, ex, code, kind);
            return;
        }
        if (summary!.ExitCode == LoadExitCode.Ok) WriteObject(summary);
        else Fail(summary, new LoadFailedException(summary.Message), summary.ExitCode, summary.ErrorKind);
    }

    /// <summary>The summary first (the script prints it), then one error record for interactive users and -ErrorAction.</summary>
    void Fail(LoadSummary summary, Exception ex, LoadExitCode code, string kind)
    {
        summary.Status = code switch { LoadExitCode.Locked => LoadStatus.Locked, LoadExitCode.Rejected => LoadStatus.Partial, _ => LoadStatus.Error };
        summary.ExitCode = code;
        summary.ErrorKind = kind;
        // Never an empty reason: the line on stdout is all a cron mail or a journal shows.
        if (summary.Message.Length == 0) summary.Message = ex.Message.ReplaceLineEndings(" ").Trim();
        if (summary.Message.Length == 0) summary.Message = $"{ex.GetType().Name} without a message (run with -Verbose for details)";
        WriteObject(summary);
        WriteError(new ErrorRecord(ex, "QTickets.Load." + kind, CategoryOf(code), summary.Job));
    }

    static bool IsTrue(string? value) => value?.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";

}

/// <summary>A load that ended with an error; the message is the summary's (no secret, no personal datum).</summary>
public sealed class LoadFailedException(string message) : Exception(message);
