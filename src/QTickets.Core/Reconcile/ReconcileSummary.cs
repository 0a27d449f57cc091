using System.Globalization;
using System.Text.Json;
using QTickets.Core.Load;

namespace QTickets.Core.Reconcile;

/// <summary>
/// The verdict of one Compare-QTicketsClickHouse run: what Compare-QTicketsClickHouse -Summary returns, the two
/// lines scripts/Invoke-QTicketsReconcile.ps1 prints (<see cref="HumanLine"/>, <see cref="ToJson"/>), and the
/// meta_job_runs row (job &lt;job&gt;_reconcile). Counts, days and error kinds only: never a secret or personal datum.
/// </summary>
public sealed class ReconcileSummary : JobSummary
{
    /// <summary>
    /// Job: the loader's job name + "_reconcile" (meta_job_runs). Status: clean, every day matches; drift, some day
    /// differs (after the repair, with -Repair); repaired, days differed and match after -Repair reloaded them;
    /// error, the comparison (or the repair) failed. ExitCode: Ok for clean and repaired, Drift (7) for drift, else
    /// the loader's code for the failure.
    /// </summary>
    public ReconcileSummary() => Job = "qtickets_api_reconcile";

    public ReconcileStatus Status { get; set; } = ReconcileStatus.Clean;

    public override string StatusText => Status.ToString().ToLowerInvariant();

    public DateOnly From { get; init; }
    public DateOnly To { get; init; }
    /// <summary>The events compared, or empty for all.</summary>
    public IReadOnlyList<string> EventIds { get; init; } = Array.Empty<string>();
    /// <summary>Calendar days in [From, To], whether or not anything was sold on them.</summary>
    public int DaysCompared => To.DayNumber - From.DayNumber + 1;
    /// <summary>Days that differ in the final comparison.</summary>
    public int DaysDiffering => DifferingDays.Count;
    public IReadOnlyList<DateOnly> DifferingDays { get; set; } = Array.Empty<DateOnly>();
    /// <summary>Days that differed in the first comparison (the ones -Repair reloads).</summary>
    public IReadOnlyList<DateOnly> DifferingDaysBefore { get; set; } = Array.Empty<DateOnly>();
    /// <summary>Days -Repair reloaded (empty without -Repair, or with -WhatIf).</summary>
    public IReadOnlyList<DateOnly> RepairedDays { get; set; } = Array.Empty<DateOnly>();
    /// <summary>The final comparison, one row per day and event.</summary>
    public IReadOnlyList<ReconcileRow> Rows { get; set; } = Array.Empty<ReconcileRow>();
    /// <summary>The first comparison when -Repair reloaded days (else the same as <see cref="Rows"/>).</summary>
    public IReadOnlyList<ReconcileRow> RowsBefore { get; set; } = Array.Empty<ReconcileRow>();
    /// <summary>Orders the API served for the days (each once), and those the loader would reject.</summary>
    public int ApiOrdersRead { get; set; }
    public int ApiOrdersRejected { get; set; }

    public int RowsCompared => Rows.Count;
    public int RowsDiffering => Rows.Count(r => r.differs);
    public long ApiOrders => Rows.Sum(r => r.api_orders);
    public long ApiTickets => Rows.Sum(r => r.api_tickets);
    public decimal ApiRevenue => Rows.Sum(r => r.api_revenue);
    public long StagingOrders => Rows.Sum(r => r.staging_orders);
    public long StagingTickets => Rows.Sum(r => r.staging_tickets);
    public decimal StagingRevenue => Rows.Sum(r => r.staging_revenue);
    public long FactsTickets => Rows.Sum(r => r.facts_tickets);
    public decimal FactsRevenue => Rows.Sum(r => r.facts_revenue);

    /// <summary>Sets <see cref="Status"/> and <see cref="ExitCode"/> from the comparisons.</summary>
    public void Decide()
    {
        if (Status == ReconcileStatus.Error) return;
        Status = DifferingDays.Count > 0 ? ReconcileStatus.Drift : RepairedDays.Count > 0 ? ReconcileStatus.Repaired : ReconcileStatus.Clean;
        ExitCode = Status == ReconcileStatus.Drift ? LoadExitCode.Drift : LoadExitCode.Ok;
    }

    static string Days(IEnumerable<DateOnly> days) => string.Join(", ", days.Select(Day));
    static string Money(decimal m) => m.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>The one line a person reads in a cron log.</summary>
    public override string HumanLine
    {
        get
        {
            var range = From == To ? Day(From) : $"{Day(From)}..{Day(To)}";
            var events = EventIds.Count > 0 ? $", events {string.Join(",", EventIds)}" : "";
            var totals = $"api {ApiOrders} orders/{ApiTickets} tickets/{Money(ApiRevenue)}, staging {StagingOrders}/{StagingTickets}/{Money(StagingRevenue)}, " +
                         $"facts {FactsTickets}/{Money(FactsRevenue)}";
            return Status switch
            {
                ReconcileStatus.Clean => $"{Job} clean: {DaysCompared} days {range}{events} match ({RowsCompared} day-event rows; {totals})",
                ReconcileStatus.Repaired => $"{Job} repaired: {RepairedDays.Count} of {DaysCompared} days {range}{events} differed and were reloaded " +
                              $"({Days(RepairedDays)}); now all match ({totals})",
                ReconcileStatus.Drift => $"{Job} drift (exit {(int)ExitCode}): {DaysDiffering} of {DaysCompared} days {range}{events} differ: {Days(DifferingDays)} " +
                           $"({RowsDiffering} day-event rows; {totals})" +
                           (RepairedDays.Count > 0 ? $"; reloaded {Days(RepairedDays)}" : ""),
                _ => $"{Job} {StatusText} (exit {(int)ExitCode} {ExitCode}): {Message}",
            };
        }
    }

    /// <summary>meta_job_runs.message: the legacy status key first, then the verdict.</summary>
    public string JobRunMessage() => Json(w =>
    {
        w.WriteString("status", Status is ReconcileStatus.Clean or ReconcileStatus.Repaired ? "ok" : "error");
        w.WriteString("verdict", StatusText);
        w.WriteNumber("days_compared", DaysCompared);
        w.WriteNumber("days_differing", DaysDiffering);
        if (ErrorKind.Length > 0)
        {
            w.WriteStartObject("error");
            w.WriteString("error_type", ErrorKind);
            w.WriteString("message", Message);
            w.WriteEndObject();
        }
    });

    /// <summary>meta_job_runs.metrics: the range, the drift (days and their differing rows) and the totals.</summary>
    public string JobRunMetrics() => Json(w =>
    {
        WriteFigures(w);
        w.WriteStartArray("drift");
        foreach (var r in (RepairedDays.Count > 0 ? RowsBefore : Rows).Where(r => r.differs).Take(200))
        {
            w.WriteStartObject();
            w.WriteString("sales_date", Day(r.sales_date));
            w.WriteString("event_id", r.event_id);
            w.WriteNumber("api_orders", r.api_orders);
            w.WriteNumber("api_tickets", r.api_tickets);
            w.WriteNumber("api_revenue", r.api_revenue);
            w.WriteNumber("staging_orders", r.staging_orders);
            w.WriteNumber("staging_tickets", r.staging_tickets);
            w.WriteNumber("staging_revenue", r.staging_revenue);
            w.WriteNumber("facts_tickets", r.facts_tickets);
            w.WriteNumber("facts_revenue", r.facts_revenue);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("duration_ms", (long)Elapsed.TotalMilliseconds);
    });

    protected override void WriteFigures(Utf8JsonWriter w)
    {
        w.WriteString("from", Day(From));
        w.WriteString("to", Day(To));
        WriteArray(w, "event_ids", EventIds);
        w.WriteNumber("days_compared", DaysCompared);
        w.WriteNumber("days_differing", DaysDiffering);
        WriteArray(w, "differing_days", DifferingDays.Select(Day));
        WriteArray(w, "differing_days_before", DifferingDaysBefore.Select(Day));
        WriteArray(w, "repaired_days", RepairedDays.Select(Day));
        w.WriteNumber("rows_compared", RowsCompared);
        w.WriteNumber("rows_differing", RowsDiffering);
        w.WriteNumber("api_orders_read", ApiOrdersRead);
        w.WriteNumber("api_orders_rejected", ApiOrdersRejected);
        w.WriteNumber("api_orders", ApiOrders);
        w.WriteNumber("api_tickets", ApiTickets);
        w.WriteNumber("api_revenue", ApiRevenue);
        w.WriteNumber("staging_orders", StagingOrders);
        w.WriteNumber("staging_tickets", StagingTickets);
        w.WriteNumber("staging_revenue", StagingRevenue);
        w.WriteNumber("facts_tickets", FactsTickets);
        w.WriteNumber("facts_revenue", FactsRevenue);
    }
}

/// <summary>What a reconciliation found (<see cref="ReconcileSummary.Status"/>).</summary>
public enum ReconcileStatus
{
    /// <summary>Every compared day matches.</summary>
    Clean,
    /// <summary>Some days differed, were reloaded, and now match.</summary>
    Repaired,
    /// <summary>Some days differ (exit 7).</summary>
    Drift,
    Error,
}
