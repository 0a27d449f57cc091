using System.Globalization;
using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Load;
using QTickets.Core.Reconcile;
using QTickets.Core.Transform;

namespace QTickets.Cmdlets.Reconcile;

/// <summary>
/// Reconciliation: recomputes from the API what each sale day (Moscow) should hold and compares it with ClickHouse
/// (staging FINAL and the daily facts FINAL). Emits one <see cref="ReconcileRow"/> per day and event, or with
/// -Summary one <see cref="ReconcileSummary"/> (which carries the rows). Read-only on both sides and never writes
/// to QTickets; -Repair reloads exactly the days that differ through the loader (under the loader's run lock, with
/// ShouldProcess), then compares again. The verdict goes to meta_job_runs as &lt;job&gt;_reconcile unless -WhatIf.
/// </summary>
[Cmdlet(VerbsData.Compare, "QTicketsClickHouse", SupportsShouldProcess = true, DefaultParameterSetName = DaysSet)]
[OutputType(typeof(ReconcileRow), typeof(ReconcileSummary))]
public sealed class CompareQTicketsClickHouseCommand : QTicketsCmdlet
{
    const string DaysSet = "Days";
    const string RangeSet = "Range";

    /// <summary>First sale day compared (its date part; a Moscow wall-clock day).</summary>
    [Parameter(Mandatory = true, ParameterSetName = RangeSet)] public DateTime From { get; set; }

    /// <summary>Last sale day compared, inclusive. Default: -From (one day).</summary>
    [Parameter(ParameterSetName = RangeSet)] public DateTime? To { get; set; }

    /// <summary>The N whole days before today, and today too with -IncludeToday or -Repair. Default 7.</summary>
    [Parameter(ParameterSetName = DaysSet)] [ValidateRange(1, 400)] public int Days { get; set; } = 7;

    /// <summary>
    /// -Days also covers today. Without it a comparison leaves today out: orders paid since the last load read as
    /// drift until the next load. -Repair implies it: reloading today is what the next load would do anyway, and
    /// today is where a fact written on a clock ahead shows on the dashboard.
    /// </summary>
    [Parameter(ParameterSetName = DaysSet)] public SwitchParameter IncludeToday { get; set; }

    /// <summary>Only these events.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public long[]? EventId { get; set; }

    /// <summary>Reload the days that differ through the loader, then compare again.</summary>
    [Parameter] public SwitchParameter Repair { get; set; }

    /// <summary>Emit one summary object (with the rows in .Rows) instead of the rows.</summary>
    [Parameter] public SwitchParameter Summary { get; set; }

    [Parameter] [ValidateNotNullOrEmpty] public string? Token { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? BaseUrl { get; set; }

    /// <summary>The instant treated as now (sandboxes with a virtual clock); it decides "today" for -Days.</summary>
    [Parameter] public DateTimeOffset? Now { get; set; }

    /// <summary>The loader's run lock, taken by -Repair. Default: the one Invoke-QTicketsLoad takes.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? LockPath { get; set; }

    [Parameter] [ValidateRange(1, 16)] public int Parallelism { get; set; } = 4;
    [Parameter] [ValidateRange(1, 20)] public int MaxAttempts { get; set; } = new ApiOptions().MaxAttempts;

    protected override void AddParameters(ConfigLoader loader) => loader
        .WithParameter("Token", Token)
        .WithParameter("BaseUrl", BaseUrl);

    protected override void EndProcessing()
    {
        QTicketsConfig config;
        try
        {
            config = BuildConfig(ConfigNeeds.All);
        }
        catch (ConfigurationException ex)
        {
            var failed = new ReconcileSummary
            {
                Status = "error", ExitCode = LoadExitCode.ConfigError, ErrorKind = "ConfigError", Message = ex.Message.ReplaceLineEndings(" "),
                StartedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow,
            };
            Finish(failed);
            return;
        }
        var clock = WallClock.For(config.TimeZone);
        TimeProvider time = Now is { } fixedNow ? new ShiftedTimeProvider(fixedNow) : TimeProvider.System;
        var today = DateOnly.FromDateTime(clock.Of(time.GetUtcNow()));
        var (from, to) = ParameterSetName == RangeSet
            ? (DateOnly.FromDateTime(From), DateOnly.FromDateTime(To ?? From))
            : (today.AddDays(-Days), IncludeToday || Repair ? today : today.AddDays(-1));
        if (to < from)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-To {to:yyyy-MM-dd} is before -From {from:yyyy-MM-dd}."),
                "QTickets.Reconcile.BadRange", ErrorCategory.InvalidArgument, To));
        var options = new ReconcileOptions
        {
            From = from, To = to, JobName = config.JobName, Clock = clock, Time = time,
            EventIds = (EventId ?? Array.Empty<long>()).Distinct().Select(e => e.ToString(CultureInfo.InvariantCulture)).ToList(),
        };
        var target = $"{config.ClickHouseUrl}/{config.ClickHouseDatabase}";

        var observer = new SwitchableObserver();
        using var api = Engine.CreateApi(config, new ApiOptions { Parallelism = Parallelism, MaxAttempts = MaxAttempts }, observer);
        using var store = Engine.CreateClickHouseStore(config, observer);
        var reconciler = new Reconciler(api, store, options, observer);
        var summary = reconciler.Start();
        try
        {
            summary.RowsBefore = Run(observer, ct => reconciler.CompareAsync(summary, ct));
            summary.Rows = summary.RowsBefore;
            summary.DifferingDaysBefore = ReconcileComparer.DifferingDays(summary.RowsBefore);
            var days = summary.DifferingDaysBefore;
            if (Repair && days.Count > 0 &&
                ShouldProcess(target, $"Reload {days.Count} sale day(s) from the QTickets API and recompute their facts: {DayList(days)}"))
            {
                var reload = ReloadDays(config, options, api, store, observer, days);
                if (reload.ExitCode != LoadExitCode.Ok)
                    throw new ReloadFailedException(reload);
                summary.RepairedDays = days;
                summary.Rows = Run(observer, ct => reconciler.CompareAsync(summary, ct));
                foreach (var row in summary.Rows) row.repaired = days.Contains(row.sales_date);
            }
            summary.DifferingDays = ReconcileComparer.DifferingDays(summary.Rows);
            summary.Decide();
        }
        catch (PipelineStoppedException) { throw; }
        catch (Exception ex) when (ex is not OperationCanceledException || !StopToken.IsCancellationRequested)
        {
            summary.Status = "error";
            if (ex is ReloadFailedException reload)
            {
                (summary.ExitCode, summary.ErrorKind) = (reload.Summary.ExitCode, reload.Summary.ErrorKind);
                summary.Message = "the repair's reload failed: " + reload.Summary.Message;
            }
            else
            {
                (summary.ExitCode, summary.ErrorKind) = QTicketsLoader.Classify(ex, StopToken);
                summary.Message = ex.Message.ReplaceLineEndings(" ");
            }
        }
        summary.FinishedAt = time.GetUtcNow();

        if (ShouldProcess($"{target} {KnownTablesJobRuns}", $"Record the verdict ({summary.Status}) as job {summary.Job}"))
        {
            try { Run(observer, async ct => { await reconciler.RecordAsync(summary, ct).ConfigureAwait(false); return 0; }); }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteWarning($"The verdict could not be recorded in meta_job_runs: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }

        Finish(summary);
    }

    /// <summary>The output (rows, or the summary with -Summary), the verdict line, and one error record for a failure.</summary>
    void Finish(ReconcileSummary summary)
    {
        if (Summary) WriteObject(summary);
        else foreach (var row in summary.Rows) WriteObject(row);
        WriteVerbose(summary.HumanLine);
        if (summary.Status == "drift") WriteWarning(summary.HumanLine);
        if (summary.Status == "error")
            WriteError(new ErrorRecord(new ReconcileFailedException(summary.Message), "QTickets.Reconcile." + summary.ErrorKind,
                summary.ExitCode switch
                {
                    LoadExitCode.ConfigError => ErrorCategory.InvalidArgument,
                    LoadExitCode.AuthError => ErrorCategory.AuthenticationError,
                    LoadExitCode.Locked => ErrorCategory.ResourceBusy,
                    LoadExitCode.LockFailed => ErrorCategory.ResourceUnavailable,
                    LoadExitCode.ApiUnavailable => ErrorCategory.ConnectionError,
                    LoadExitCode.ClickHouseError => ErrorCategory.ReadError,
                    _ => ErrorCategory.OperationStopped,
                }, summary.Job));
    }

    const string KnownTablesJobRuns = QTickets.Core.Contracts.KnownTables.JobRuns;

    /// <summary>The loader's reload of whole days, under the loader's run lock so no scheduled run writes meanwhile.</summary>
    LoadSummary ReloadDays(QTicketsConfig config, ReconcileOptions options, IQTicketsApi api, IClickHouseStore store,
        SwitchableObserver observer, IReadOnlyList<DateOnly> days)
    {
        var path = LockPath ?? RunLock.DefaultPath(config.JobName, Run(observer, store.GetDatabaseIdentityAsync));
        using var runLock = RunLock.Acquire(path, options.Time.GetUtcNow());
        var loadOptions = new LoadOptions { JobName = config.JobName, Clock = options.Clock, Time = options.Time, SkipInventory = true };
        return Run(observer, ct => new QTicketsLoader(new ApiLoadSource(api), store, loadOptions, observer).ReloadDaysAsync(days, ct));
    }

    /// <summary>Engine work off the pipeline thread; what it reports is written on the pipeline thread meanwhile.</summary>
    T Run<T>(SwitchableObserver observer, Func<CancellationToken, Task<T>> work)
    {
        T result = default!;
        try
        {
            RunOnPipeline(async (queue, ct) =>
            {
                observer.Target = queue;
                try { result = await work(ct).ConfigureAwait(false); }
                finally { observer.Target = NullRunObserver.Instance; }
            });
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        return result;
    }

    static string DayList(IEnumerable<DateOnly> days) => string.Join(", ", days.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

    /// <summary>Forwards to the current pipeline queue (each Run has its own), or drops between runs.</summary>
    sealed class SwitchableObserver : IRunObserver
    {
        public volatile IRunObserver Target = NullRunObserver.Instance;
        public void Verbose(string message) => Target.Verbose(message);
        public void Warning(string message) => Target.Warning(message);
        public void Progress(ProgressUpdate update) => Target.Progress(update);
    }

    /// <summary>A clock that starts at -Now and runs at the real pace.</summary>
    sealed class ShiftedTimeProvider(DateTimeOffset start) : TimeProvider
    {
        readonly global::System.Diagnostics.Stopwatch _running = global::System.Diagnostics.Stopwatch.StartNew();
        public override DateTimeOffset GetUtcNow() => start.ToUniversalTime() + _running.Elapsed;
    }

    sealed class ReloadFailedException(LoadSummary summary) : Exception(summary.Message)
    {
        public LoadSummary Summary { get; } = summary;
    }
}

/// <summary>A reconciliation that could not finish; the message is the summary's (no secret, no personal datum).</summary>
public sealed class ReconcileFailedException(string message) : Exception(message);
