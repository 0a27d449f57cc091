using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.ClickHouse;

/// <summary>
/// Recomputes fact_qtickets_sales_daily and fact_qtickets_sales_utm_daily for whole days from staging FINAL
/// (what the loader does for every day a load touched); use it after a manual fix of staging rows.
/// </summary>
[Cmdlet(VerbsData.Update, "QTicketsDailyFacts", SupportsShouldProcess = true)]
[OutputType(typeof(DailyFactsResult))]
public sealed class UpdateQTicketsDailyFactsCommand : ClickHouseCmdlet
{
    /// <summary>Sale days (the date part of sale_ts, Moscow wall-clock) to recompute.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public DateTime[] Day { get; set; } = Array.Empty<DateTime>();

    /// <summary>_ver of the fact rows (epoch seconds, what the health check reads); default now.</summary>
    [Parameter] public ulong Version { get; set; }

    readonly List<DateOnly> _days = new();

    protected override void ProcessRecord() => _days.AddRange(Day.Select(DateOnly.FromDateTime));

    protected override void EndProcessing()
    {
        var days = _days.Distinct().Order().ToList();
        if (days.Count == 0) return;
        var version = Version != 0 ? Version : (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var config = LoadConfig(ConfigNeeds.ClickHouse);
        if (!ShouldProcess($"Recompute the daily sales facts of {days.Count} days ({days[0]:yyyy-MM-dd} .. {days[^1]:yyyy-MM-dd}) " +
                           $"in {WriteTarget.Of(config, KnownTables.SalesDaily)} (one row per day and event, replacing that day's rows) " +
                           $"from {WriteTarget.Table(config, KnownTables.OrdersStaging)} FINAL, _ver {version}",
                $"Recompute {days.Count} days of {WriteTarget.Of(config, KnownTables.SalesDaily)}?", "Update-QTicketsDailyFacts"))
            return;
        try
        {
            WriteObject(Run(Store, (store, ct) => store.RecomputeDailyFactsAsync(days, version, ct)));
        }
        catch (ClickHouseStoreException ex)
        {
            Fail(ex);
        }
    }
}
