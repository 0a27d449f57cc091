using System.Globalization;
using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Load;
using QTickets.Core.Reconcile;
using QTickets.Core.Transform;
using QTickets.Cmdlets.ClickHouse;

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
public sealed class CompareQTicketsClickHouseCommand : QTicketsLoadCmdlet
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
                Status = ReconcileStatus.Error, ExitCode = LoadExitCode.ConfigError, ErrorKind = "ConfigError", Message = ex.Message.ReplaceLineEndings(" "),
                StartedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow,
            };
            Finish(failed);
            return;
        }
        var clock = WallClock.For(config.TimeZone);
        var time = Time;
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

        using var api = Engine.CreateApi(config, ApiParameters.OptionsFor(config), Queue);
        var reconciler = new Reconciler(api, Store, options, Queue);
        var summary = reconciler.Start();
        try
        {
            summary.RowsBefore = Run(ct => reconciler.CompareAsync(summary, ct));
            summary.Rows = summary.RowsBefore;
            summary.DifferingDaysBefore = ReconcileComparer.DifferingDays(summary.RowsBefore);
            var days = summary.DifferingDaysBefore;
            if (Repair && days.Count > 0 &&
                ShouldProcess($"{WriteTarget.Table(config, KnownTables.OrdersStaging)} and the daily facts on {WriteTarget.Server(config)}",
                    $"Reload {days.Count} sale day(s) ({summary.RowsBefore.Count(r => r.differs)} differing rows) from the QTickets API and recompute their facts: {DayList(days)}"))
            {
                var reload = ReloadDays(config, options, api, days);
                if (reload.ExitCode != LoadExitCode.Ok)
                    throw new ReloadFailedException(reload);
                summary.RepairedDays = days;
                summary.Rows = Run(ct => reconciler.CompareAsync(summary, ct));
                foreach (var row in summary.Rows) row.repaired = days.Contains(row.sales_date);
            }
            summary.DifferingDays = ReconcileComparer.DifferingDays(summary.Rows);
            summary.Decide();
        }
        catch (PipelineStoppedException) { throw; }
        catch (Exception ex) when (ex is not OperationCanceledException || !StopToken.IsCancellationRequested)
        {
            summary.Status = ReconcileStatus.Error;
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
            try { Run(ct => reconciler.RecordAsync(summary, ct)); }
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
        if (summary.Status == ReconcileStatus.Drift) WriteWarning(summary.HumanLine);
        if (summary.Status == ReconcileStatus.Error)
            WriteError(new ErrorRecord(new ReconcileFailedException(summary.Message), "QTickets.Reconcile." + summary.ErrorKind,
                CategoryOf(summary.ExitCode), summary.Job));
    }

    const string KnownTablesJobRuns = QTickets.Core.Contracts.KnownTables.JobRuns;

    /// <summary>The loader's reload of whole days, under the loader's run lock so no scheduled run writes meanwhile.</summary>
    LoadSummary ReloadDays(QTicketsConfig config, ReconcileOptions options, IQTicketsApi api, IReadOnlyList<DateOnly> days)
    {
        var path = LockPath ?? RunLock.DefaultPath(config.JobName, Run(Store.GetDatabaseIdentityAsync));
        using var runLock = RunLock.Acquire(path, options.Time.GetUtcNow());
        var loadOptions = new LoadOptions { JobName = config.JobName, Clock = options.Clock, Time = options.Time, SkipInventory = true };
        return Run(Store, (store, ct) => new QTicketsLoader(new ApiLoadSource(api), store, loadOptions, Queue).ReloadDaysAsync(days, ct));
    }

    static string DayList(IEnumerable<DateOnly> days) => string.Join(", ", days.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

    sealed class ReloadFailedException(LoadSummary summary) : Exception(summary.Message)
    {
        public LoadSummary Summary { get; } = summary;
    }
}

/// <summary>A reconciliation that could not finish; the message is the summary's (no secret, no personal datum).</summary>
public sealed class ReconcileFailedException(string message) : Exception(message);
