using System.Globalization;
using System.Text.Json;
using QTickets.Core.Contracts;
using QTickets.Core.Transform;

namespace QTickets.Core.Load;

/// <summary>
/// Test-QTicketsFreshness's answer: how old the newest sale and inventory snapshot are, how many recent runs
/// failed, how many rejected orders wait for a reload, and whether that is within the thresholds. Scalar properties in a fixed order (Export-Csv, monitoring).
/// </summary>
public sealed class FreshnessReport
{
    public string Job { get; init; } = "";
    /// <summary>The wall-clock time the ages are measured from (the configured zone, Moscow by default).</summary>
    public DateTime CheckedAt { get; init; }
    public bool Healthy { get; init; }
    /// <summary>0 healthy, 1 past a threshold (what scripts/Test-QTicketsFreshness.ps1 exits with).</summary>
    public int ExitCode => Healthy ? 0 : 1;
    public DateTime? NewestSale { get; init; }
    public TimeSpan? SaleAge { get; init; }
    public DateTime? NewestInventory { get; init; }
    /// <summary>Null when there is no snapshot, or when inventory was not checked (-SkipInventory).</summary>
    public TimeSpan? InventoryAge { get; init; }
    public long Runs { get; init; }
    public long FailedRuns { get; init; }
    /// <summary>Failed runs in percent of the runs in the window; 0 when there were none.</summary>
    public double FailedPercent { get; init; }
    public string LastRunStatus { get; init; } = "";
    public DateTime? LastRunAt { get; init; }
    public DateTime? LastOkRunAt { get; init; }
    /// <summary>Orders open in qtickets_rejected_orders: their sales are missing, so any is unhealthy.</summary>
    public long OpenRejectedOrders { get; init; }
    public TimeSpan MaxAge { get; init; }
    public double MaxFailedPercent { get; init; }
    public TimeSpan RunWindow { get; init; }
    /// <summary>Each threshold passed, as one sentence each joined with "; "; empty when healthy.</summary>
    public string Problems { get; init; } = "";

    /// <summary>The zone (IANA id) of the wall-clock times above, the configured TZ: the JSON line writes each time with its offset.</summary>
    public string TimeZone { get; init; } = WallClock.DefaultZone;

    /// <summary>Judges <paramref name="facts"/> at wall-clock <paramref name="now"/>.</summary>
    public static FreshnessReport Judge(string job, FreshnessFacts facts, DateTime now, TimeSpan maxAge, double maxFailedPercent,
        TimeSpan runWindow, bool checkInventory, TimeZoneInfo? zone = null)
    {
        var problems = new List<string>();
        TimeSpan? saleAge = facts.NewestSale is { } s ? now - s : null;
        TimeSpan? inventoryAge = checkInventory && facts.NewestInventory is { } i ? now - i : null;
        if (saleAge is null) problems.Add("no sales loaded at all");
        else if (saleAge > maxAge) problems.Add($"the newest sale is {Hours(saleAge.Value)} old (limit {Hours(maxAge)})");
        if (checkInventory)
        {
            if (inventoryAge is null) problems.Add("no inventory snapshot at all");
            else if (inventoryAge > maxAge) problems.Add($"the newest inventory snapshot is {Hours(inventoryAge.Value)} old (limit {Hours(maxAge)})");
        }
        if (facts.OpenRejectedOrders > 0)
            problems.Add($"{facts.OpenRejectedOrders} rejected order(s) wait for a reload (their sales are missing; see {QTickets.Core.Contracts.KnownTables.RejectedOrders})");
        var percent = facts.Runs == 0 ? 0 : 100.0 * facts.FailedRuns / facts.Runs;
        if (facts.Runs == 0) problems.Add($"no runs in the last {Hours(runWindow)}");
        else if (percent > maxFailedPercent)
            problems.Add($"{facts.FailedRuns} of {facts.Runs} runs in the last {Hours(runWindow)} failed " +
                         $"({percent.ToString("0.#", CultureInfo.InvariantCulture)}% > {maxFailedPercent.ToString("0.#", CultureInfo.InvariantCulture)}%)");
        return new FreshnessReport
        {
            Job = job, CheckedAt = now, TimeZone = (zone ?? WallClock.Moscow.Zone).Id, Healthy = problems.Count == 0,
            NewestSale = facts.NewestSale, SaleAge = saleAge,
            NewestInventory = facts.NewestInventory, InventoryAge = inventoryAge,
            Runs = facts.Runs, FailedRuns = facts.FailedRuns, FailedPercent = Math.Round(percent, 2),
            LastRunStatus = facts.LastRunStatus ?? "", LastRunAt = facts.LastRunAt, LastOkRunAt = facts.LastOkRunAt,
            OpenRejectedOrders = facts.OpenRejectedOrders,
            MaxAge = maxAge, MaxFailedPercent = maxFailedPercent, RunWindow = runWindow,
            Problems = string.Join("; ", problems),
        };
    }

    static string Hours(TimeSpan t) => t.TotalHours >= 1
        ? t.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h"
        : Math.Round(t.TotalMinutes).ToString(CultureInfo.InvariantCulture) + " min";

    /// <summary>The one line a monitoring log reads.</summary>
    public override string ToString() => Healthy
        ? $"{Job} fresh: newest sale {Age(SaleAge)} ago, inventory {Age(InventoryAge)} ago, {FailedRuns}/{Runs} runs failed in {Hours(RunWindow)}, {OpenRejectedOrders} rejected orders open"
        : $"{Job} NOT fresh: {Problems}";

    static string Age(TimeSpan? t) => t is { } v ? Hours(v) : "n/a";

    /// <summary>The report as one line of JSON (the script's second line; ages in seconds, times with their offset).</summary>
    public string ToJson() => JobSummary.Json(w =>
    {
        w.WriteString("job", Job);
        w.WriteBoolean("healthy", Healthy);
        w.WriteNumber("exit_code", ExitCode);
        w.WriteString("checked_at", Stamp(CheckedAt));
        Time(w, "newest_sale", NewestSale);
        Seconds(w, "sale_age_s", SaleAge);
        Time(w, "newest_inventory", NewestInventory);
        Seconds(w, "inventory_age_s", InventoryAge);
        w.WriteNumber("runs", Runs);
        w.WriteNumber("failed_runs", FailedRuns);
        w.WriteNumber("failed_percent", FailedPercent);
        w.WriteString("last_run_status", LastRunStatus);
        Time(w, "last_ok_run", LastOkRunAt);
        w.WriteNumber("open_rejected_orders", OpenRejectedOrders);
        w.WriteNumber("max_age_s", (long)MaxAge.TotalSeconds);
        w.WriteNumber("max_failed_percent", MaxFailedPercent);
        w.WriteNumber("run_window_s", (long)RunWindow.TotalSeconds);
        if (Problems.Length > 0) w.WriteString("problems", Problems);
    });

    // Wall-clock in Zone, written with that zone's offset at the time, so a machine reading the line needs no zone.
    string Stamp(DateTime t)
    {
        var local = DateTime.SpecifyKind(t, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, WallClock.For(TimeZone).Zone.GetUtcOffset(local)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    void Time(Utf8JsonWriter w, string name, DateTime? t)
    {
        if (t is { } v) w.WriteString(name, Stamp(v));
        else w.WriteNull(name);
    }

    static void Seconds(Utf8JsonWriter w, string name, TimeSpan? t)
    {
        if (t is { } v) w.WriteNumber(name, (long)v.TotalSeconds);
        else w.WriteNull(name);
    }
}
