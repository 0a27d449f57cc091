using System.Globalization;
using System.Text.Json;

namespace QTickets.Core.Load;

/// <summary>
/// What one loader run did, success or failure: the object Invoke-QTicketsLoad returns, the two lines the
/// scheduled script prints (<see cref="HumanLine"/>, <see cref="ToJson"/>), and the figures of meta_job_runs.
/// Counts, times and error kinds only: never a secret, never a personal datum.
/// </summary>
public sealed class LoadSummary : JobSummary
{
    public LoadStatus Status { get; set; } = LoadStatus.Ok;

    public override string StatusText => Load.StatusText.Of(Status);
    public DateTimeOffset? WindowStart { get; set; }
    public DateTimeOffset? WindowEnd { get; set; }
    public string WindowReason { get; set; } = "";
    public bool Backfill { get; set; }
    public int Events { get; set; }
    public int Orders { get; set; }
    public int SalesRows { get; set; }
    /// <summary>
    /// Orders open in qtickets_rejected_orders after this run: rejected by it (in the window or again on retry), or
    /// still open from earlier runs. Above 0 the run is "partial" (exit 8): their sales are not in ClickHouse.
    /// </summary>
    public int RejectedOrders { get; set; }
    /// <summary>Earlier rejected orders fetched again by id (GET /orders/{id}) in this run.</summary>
    public int RetriedOrders { get; set; }
    /// <summary>Earlier rejected orders that loaded in this run (by retry or in the window).</summary>
    public int ReloadedOrders { get; set; }
    /// <summary>Rejections of orders a person marked ignored: reported, but they do not make the run partial.</summary>
    public int IgnoredOrders { get; set; }
    public long Tickets { get; set; }
    public decimal Revenue { get; set; }
    public IReadOnlyList<DateOnly> DaysTouched { get; set; } = Array.Empty<DateOnly>();
    public long SalesDailyRows { get; set; }
    public long SalesUtmDailyRows { get; set; }
    public int InventoryRows { get; set; }
    public int InventoryShows { get; set; }
    /// <summary>Discounts, promo codes and price colours written to the legacy's auxiliary tables.</summary>
    public int ReferenceRows { get; set; }
    /// <summary>The API pages in flight the run used (adaptive or pinned); null offline.</summary>
    public QTickets.Core.Contracts.PagesInFlightReport? PagesInFlight { get; set; }


    public ulong RowsProcessed => (ulong)(SalesRows + InventoryRows + SalesDailyRows + SalesUtmDailyRows);

    /// <summary>The run committed its data and moved the watermark: ok, or partial (some orders rejected, kept for retry).</summary>
    public bool Committed => Status is LoadStatus.Ok or LoadStatus.Partial;

    /// <summary>ok, partial, error, dry-run or locked, then the figures or the failure.</summary>
    public override string HumanLine
    {
        get
        {
            var window = WindowStart is { } s && WindowEnd is { } e
                ? $", window {s.UtcDateTime:yyyy-MM-dd HH:mm}–{e.UtcDateTime:yyyy-MM-dd HH:mm} UTC"
                : "";
            return Status switch
            {
                LoadStatus.Ok or LoadStatus.DryRun or LoadStatus.Partial =>
                    $"{Job} {StatusText}{(Status == LoadStatus.Partial ? $" (exit {(int)ExitCode} {ExitCode})" : "")}: {Orders} orders -> {SalesRows} sales rows " +
                    $"({RejectedOrders} rejected{Retries}), {Tickets} tickets, " +
                    $"{Revenue.ToString("0.##", CultureInfo.InvariantCulture)} revenue, {DaysTouched.Count} days, {Events} events, " +
                    $"{InventoryRows} inventory rows{window}, {Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" +
                    (PagesInFlight is { } p ? $", {p}" : "") +
                    (Status == LoadStatus.Partial ? $"; {Message}" : ""),
                _ => $"{Job} {StatusText} (exit {(int)ExitCode} {ExitCode}): {Message}{window}",
            };
        }
    }

    string Retries =>
        (RetriedOrders > 0 || ReloadedOrders > 0 ? $", {RetriedOrders} retried, {ReloadedOrders} reloaded" : "") +
        (IgnoredOrders > 0 ? $", {IgnoredOrders} ignored" : "");

    protected override void WriteFigures(Utf8JsonWriter w)
    {
        if (WindowStart is { } s) w.WriteString("window_start", s.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        if (WindowEnd is { } e) w.WriteString("window_end", e.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        w.WriteBoolean("backfill", Backfill);
        w.WriteNumber("events", Events);
        w.WriteNumber("orders", Orders);
        w.WriteNumber("sales_rows", SalesRows);
        w.WriteNumber("rejected_orders", RejectedOrders);
        w.WriteNumber("retried_orders", RetriedOrders);
        w.WriteNumber("reloaded_orders", ReloadedOrders);
        w.WriteNumber("ignored_orders", IgnoredOrders);
        w.WriteNumber("tickets", Tickets);
        w.WriteNumber("revenue", Revenue);
        w.WriteNumber("days_touched", DaysTouched.Count);
        w.WriteNumber("sales_daily_rows", SalesDailyRows);
        w.WriteNumber("sales_utm_daily_rows", SalesUtmDailyRows);
        w.WriteNumber("inventory_rows", InventoryRows);
        WritePagesInFlight(w);
    }

    void WritePagesInFlight(Utf8JsonWriter w)
    {
        if (PagesInFlight is not { } p) return;
        w.WriteStartObject("pages_in_flight");
        w.WriteString("mode", p.Mode);
        w.WriteNumber("ceiling", p.Ceiling);
        w.WriteNumber("min", p.Min);
        w.WriteNumber("max", p.Max);
        w.WriteNumber("mean", p.Mean);
        w.WriteNumber("final", p.Final);
        w.WriteNumber("requests", p.Requests);
        w.WriteNumber("throttled", p.Throttled);
        w.WriteNumber("unavailable", p.Unavailable);
        w.WriteNumber("timed_out", p.TimedOut);
        w.WriteNumber("cuts", p.Cuts);
        if (p.Pace is double pace)
        {
            w.WriteNumber("pace_per_second", pace);
            w.WriteNumber("pace_min_per_second", p.PaceMin ?? pace);
        }
        w.WriteEndObject();
    }

    /// <summary>meta_job_runs.message, with the legacy keys first.</summary>
    public string JobRunMessage() => Json(w =>
    {
        w.WriteString("status", Committed || Status == LoadStatus.Stopped ? StatusText : "error");
        if (!Committed)
        {
            w.WriteStartObject("error");
            w.WriteString("error_type", ErrorKind);
            w.WriteString("message", Message);
            w.WriteEndObject();
            return;
        }
        w.WriteNumber("orders", Orders);
        w.WriteNumber("events", Events);
        w.WriteNumber("sales_rows", SalesRows);
        w.WriteNumber("inventory_rows", InventoryRows);
        w.WriteNumber("sales_daily_rows", SalesDailyRows);
        w.WriteNumber("sales_utm_daily_rows", SalesUtmDailyRows);
        w.WriteNumber("rejected_orders", RejectedOrders);
    });

    /// <summary>meta_job_runs.metrics: the legacy keys plus the window, rejections and days.</summary>
    public string JobRunMetrics(int lookbackHours) => Json(w =>
    {
        if (!Committed)
        {
            w.WriteString("error", Message);
            w.WriteStartObject("error_details");
            w.WriteString("error_type", ErrorKind);
            w.WriteNumber("exit_code", (int)ExitCode);
            w.WriteEndObject();
        }
        w.WriteNumber("events", Events);
        w.WriteNumber("orders", Orders);
        w.WriteNumber("sales_rows", SalesRows);
        w.WriteNumber("inventory_rows", InventoryRows);
        w.WriteNumber("sales_daily_rows", SalesDailyRows);
        w.WriteNumber("sales_utm_daily_rows", SalesUtmDailyRows);
        w.WriteNumber("lookback_hours", lookbackHours);
        w.WriteBoolean("backfill_mode", Backfill);
        w.WriteNumber("rows_processed", RowsProcessed);
        w.WriteNumber("rejected_orders", RejectedOrders);
        w.WriteNumber("retried_orders", RetriedOrders);
        w.WriteNumber("reloaded_orders", ReloadedOrders);
        w.WriteNumber("ignored_orders", IgnoredOrders);
        if (Status == LoadStatus.Partial) w.WriteString("rejections", Message);
        w.WriteNumber("tickets", Tickets);
        w.WriteNumber("revenue", Revenue);
        if (WindowStart is { } s) w.WriteString("window_start", s.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
        if (WindowEnd is { } e) w.WriteString("window_end", e.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
        WriteArray(w, "days_touched", DaysTouched.Select(Day));
        w.WriteNumber("duration_ms", (long)Elapsed.TotalMilliseconds);
        WritePagesInFlight(w);
    });

    /// <summary>The legacy dry-run block, one figure per line.</summary>
    public IEnumerable<string> DryRunReport()
    {
        yield return $"[{Job}] Dry-run complete:";
        yield return $"  Window: {WindowStart:yyyy-MM-dd HH:mm:ss zzz} .. {WindowEnd:yyyy-MM-dd HH:mm:ss zzz} ({WindowReason})";
        yield return $"  Events: {Events}";
        yield return $"  Orders: {Orders}";
        yield return $"  Sales rows: {SalesRows} (rejected orders: {RejectedOrders})";
        yield return $"  Tickets: {Tickets}";
        yield return $"  Revenue: {Revenue.ToString("0.##", CultureInfo.InvariantCulture)}";
        yield return $"  Inventory shows processed: {InventoryShows}";
        yield return $"  Inventory rows: {InventoryRows}";
        yield return $"  Days touched: {(DaysTouched.Count == 0 ? "none" : string.Join(", ", DaysTouched.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))))}";
    }
}
