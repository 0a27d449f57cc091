using System.Management.Automation;
using QTickets.Cmdlets.ClickHouse;
using QTickets.Core.Contracts;
using QTickets.Core.Load;
using QTickets.Core.Transform;

namespace QTickets.Cmdlets.Load;

/// <summary>
/// Monitoring for the scheduled load: the age of the newest sale and inventory snapshot and the share of failed
/// runs in meta_job_runs, judged against thresholds. Returns one <see cref="FreshnessReport"/>; when it is not
/// healthy it also writes an error (so `$?` is false); scripts/Test-QTicketsFreshness.ps1 exits with
/// <see cref="FreshnessReport.ExitCode"/>. Run it as the read-only user: the writer cannot read the inventory.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "QTicketsFreshness")]
[OutputType(typeof(FreshnessReport))]
public sealed class TestQTicketsFreshnessCommand : ClickHouseCmdlet
{
    /// <summary>Older newest sale or inventory snapshot than this is stale (default 2 h).</summary>
    [Parameter] public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(2);

    /// <summary>More failed runs than this percentage of the runs in -RunWindow is unhealthy (default 5).</summary>
    [Parameter] [ValidateRange(0.0, 100.0)] public double MaxFailedPercent { get; set; } = 5;

    /// <summary>How far back runs are counted (default 24 h).</summary>
    [Parameter] public TimeSpan RunWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>meta_job_runs job name (default: the configured job, qtickets_api).</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? Job { get; set; }

    /// <summary>Do not judge the inventory snapshot (loads run with -SkipInventory or QTICKETS_SKIP_INVENTORY).</summary>
    [Parameter] public SwitchParameter SkipInventory { get; set; }

    /// <summary>The instant ages are measured from (replays, sandboxes with a virtual clock). Default: now.</summary>
    [Parameter] public DateTimeOffset? Now { get; set; }

    protected override void EndProcessing()
    {
        if (MaxAge <= TimeSpan.Zero) ThrowTerminatingError(Invalid("-MaxAge must be positive.", MaxAge));
        if (RunWindow <= TimeSpan.Zero) ThrowTerminatingError(Invalid("-RunWindow must be positive.", RunWindow));
        var config = LoadConfig(QTickets.Core.Configuration.ConfigNeeds.ClickHouse);
        var clock = WallClock.For(config.TimeZone);
        var now = clock.Of(Now ?? DateTimeOffset.UtcNow);
        var job = Job ?? config.JobName;
        try
        {
            var facts = Run(Store, (store, ct) => store.GetFreshnessAsync(job, now - RunWindow, ct));
            var checkInventory = !SkipInventory && !IsTrue(Environment.GetEnvironmentVariable("QTICKETS_SKIP_INVENTORY"));
            var report = FreshnessReport.Judge(job, facts, now, MaxAge, MaxFailedPercent, RunWindow, checkInventory, clock.Zone);
            WriteObject(report);
            if (!report.Healthy)
                WriteError(new ErrorRecord(
                    new InvalidOperationException($"QTickets data in {Store.Endpoint} is not fresh: {report.Problems}."),
                    "QTickets.Freshness.Unhealthy", ErrorCategory.InvalidResult, job));
        }
        catch (ClickHouseStoreException ex)
        {
            Fail(ex);
        }
    }

    static ErrorRecord Invalid(string message, object value) =>
        new(new ArgumentException(message), "QTickets.Freshness.InvalidThreshold", ErrorCategory.InvalidArgument, value);

    static bool IsTrue(string? value) => value?.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";
}
