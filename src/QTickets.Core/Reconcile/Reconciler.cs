using QTickets.Core.Load;
using QTickets.Core.Contracts;
using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Core.Reconcile;

/// <summary>
/// Compares what the API says each sale day should hold with what ClickHouse holds (staging FINAL and the daily
/// facts FINAL), and records the verdict in meta_job_runs. It only reads, on both sides; the repair of the days
/// that differ is the loader's (<see cref="QTickets.Core.Load.QTicketsLoader.ReloadDaysAsync"/>), called by the cmdlet
/// between two comparisons so that -WhatIf and -Confirm can stop it.
/// </summary>
public sealed class Reconciler(IQTicketsApi api, IClickHouseStore store, ReconcileOptions options, IRunObserver observer)
{
    readonly ReconcileOptions _options = options.To >= options.From
        ? options
        : throw new ArgumentException($"-To {options.To:yyyy-MM-dd} is before -From {options.From:yyyy-MM-dd}.");

    public ReconcileSummary Start() => new()
    {
        Job = _options.ReconcileJob,
        From = _options.From,
        To = _options.To,
        EventIds = _options.EventIds,
        StartedAt = _options.Time.GetUtcNow(),
    };

    /// <summary>
    /// One comparison: every order paid in [From 00:00, To+1 00:00) of the loader's zone, cancelled and refunded
    /// ones included (they count zero, as the loader stages them), summed per day and event by the loader's
    /// rules; then the same days from staging FINAL and fact_qtickets_sales_daily FINAL.
    /// </summary>
    public async Task<IReadOnlyList<ReconcileRow>> CompareAsync(ReconcileSummary summary, CancellationToken cancellation)
    {
        var events = new List<Event>();
        await foreach (var e in api.GetEventsAsync(cancellation).ConfigureAwait(false)) events.Add(e);
        var directory = new EventDirectory(events);
        var wanted = _options.EventIds.Count > 0 ? new HashSet<string>(_options.EventIds, StringComparer.Ordinal) : null;
        var expected = new ApiTotals(_options.Clock, _options.From, _options.To, wanted);
        var query = OrderQuery.PaidBetween(_options.Clock.StartOf(_options.From), _options.Clock.StartOf(_options.To.AddDays(1)))
            with { IncludeCancelled = true };
        observer.Verbose($"Reading the orders paid {query.Since:O} .. {query.Until:O} (cancelled and refunded ones included)");
        await foreach (var order in api.GetOrdersAsync(query, cancellation).ConfigureAwait(false))
        {
            directory.TryGet(order.EventId, out var ev);
            expected.Add(order, ev);
        }
        summary.ApiOrdersRead = expected.Orders;
        summary.ApiOrdersRejected = expected.Rejected;

        var staging = await store.GetStagingTotalsAsync(_options.From, _options.To, _options.EventIds, cancellation).ConfigureAwait(false);
        var facts = await store.GetFactsTotalsAsync(_options.From, _options.To, _options.EventIds, cancellation).ConfigureAwait(false);
        var rows = ReconcileComparer.Compare(expected.Totals(), staging, facts);
        observer.Verbose($"Compared {rows.Count} day-event rows: {expected.Orders} orders read ({expected.Rejected} the loader rejects), " +
                         $"{staging.Count} staging and {facts.Count} facts day-event groups");
        return rows;
    }

    /// <summary>The verdict as a meta_job_runs row: ok when every day matches (at the end), error otherwise.</summary>
    public async Task RecordAsync(ReconcileSummary summary, CancellationToken cancellation)
    {
        var run = summary.ToRun(_options.Clock, summary.Status is ReconcileStatus.Clean or ReconcileStatus.Repaired ? LoadStatus.Ok : LoadStatus.Error,
            (ulong)summary.RowsCompared, summary.JobRunMessage(), summary.JobRunMetrics());
        await store.RecordRunAsync(run, cancellation).ConfigureAwait(false);
    }
}
