using System.Threading.Channels;
using QTickets.Core.Json;
using QTickets.Core.Contracts;
using QTickets.Core.Transform;

namespace QTickets.Core.Webhooks;

/// <summary>
/// Puts delivered orders' sales rows into staging, many deliveries per INSERT (group commit): each delivery waits
/// for the insert that carries its row, so it is answered 200 only once the row is in ClickHouse, and a burst of
/// hundreds of deliveries a second makes a few inserts a second, not hundreds of parts.
/// <para>
/// The version rule is the loader's: the newer source state wins. An order's source version is
/// <see cref="RowVersion"/> (its newest updated_at); the state staging holds is read back from the staged row's
/// payload. A delivery whose state is not newer than the staged one changes nothing (a duplicate, a retry, a late
/// or out-of-order delivery). A newer one is written with a _ver of at least one above the staged row's, so it
/// replaces that row even when the scheduled load raised it to its floor. Of several states of one order in a batch
/// only the newest is written. Batches run one at a time, so two deliveries of one order never race.
/// </para>
/// <para>
/// What the rule cannot tell apart: a source clock that ran ahead and was corrected makes the corrected states look
/// older than the one stamped ahead, so deliveries of them change nothing; the scheduled load, whose floor takes
/// each of its readings as the newest, corrects that order on its next run.
/// </para>
/// </summary>
/// <param name="linger">How long the first delivery of a batch waits for others to join it.</param>
public sealed class StagingCommitter(IClickHouseStore store, IRunObserver observer, int maxBatch = 1000, TimeSpan? linger = null, int capacity = 10_000)
{
    readonly TimeSpan _linger = linger ?? TimeSpan.FromMilliseconds(5);
    readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity) { SingleReader = true });

    sealed record Pending(SalesRow Row, ulong SourceVersion, TaskCompletionSource<StageResult> Done);

    /// <summary>Inserts that succeeded and rows they carried (for the summary).</summary>
    public long Batches => Interlocked.Read(ref _batches);
    long _batches;

    /// <summary>
    /// Stages <paramref name="row"/> (converted with its source version) and returns once it is in staging, or
    /// staging holds a state as new. Throws the store's exception when ClickHouse fails.
    /// </summary>
    public async Task<StageResult> StageAsync(SalesRow row, CancellationToken cancellation)
    {
        var done = new TaskCompletionSource<StageResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _pending.Writer.WriteAsync(new Pending(row, row._ver, done), cancellation).ConfigureAwait(false);
        return await done.Task.WaitAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Commits batches until <see cref="Complete"/> is called and the queue is empty.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        var reader = _pending.Reader;
        var batch = new List<Pending>(maxBatch);
        while (await reader.WaitToReadAsync(cancellation).ConfigureAwait(false))
        {
            if (_linger > TimeSpan.Zero && reader.Count < maxBatch)
                await Task.Delay(_linger, cancellation).ConfigureAwait(false);
            while (batch.Count < maxBatch && reader.TryRead(out var p)) batch.Add(p);
            try
            {
                var results = await CommitAsync(batch, cancellation).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            }
            catch (Exception ex)
            {
                foreach (var p in batch) p.Done.TrySetException(ex);
                if (ex is OperationCanceledException && cancellation.IsCancellationRequested) throw;
            }
            batch.Clear();
        }
    }

    /// <summary>No more deliveries: <see cref="RunAsync"/> returns once the queued ones are committed.</summary>
    public void Complete() => _pending.Writer.TryComplete();

    async Task<StageResult[]> CommitAsync(List<Pending> batch, CancellationToken cancellation)
    {
        var ids = batch.Select(p => long.Parse(p.Row.order_id, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        var staged = (await store.GetStagedOrdersAsync(ids, cancellation).ConfigureAwait(false)).ToDictionary(s => s.OrderId, StringComparer.Ordinal);
        var results = new StageResult[batch.Count];
        var writes = new List<(SalesRow Row, ulong Version)>();
        foreach (var group in Enumerable.Range(0, batch.Count).GroupBy(i => batch[i].Row.order_id, StringComparer.Ordinal))
        {
            // The newest state in the batch; of equal ones the last delivered.
            var newest = group.Aggregate((a, b) => batch[b].SourceVersion >= batch[a].SourceVersion ? b : a);
            var row = batch[newest].Row;
            var day = DateOnly.FromDateTime(row.sale_ts);
            staged.TryGetValue(group.Key, out var current);
            StageResult result;
            if (current is not null && batch[newest].SourceVersion <= SourceVersionOf(current))
            {
                result = new StageResult(StageOutcome.AlreadyStaged, current.Version, Array.Empty<DateOnly>());
            }
            else
            {
                var version = current is null ? row._ver : Math.Max(row._ver, checked(current.Version + 1));
                writes.Add((row, version));
                // A changed payment time moves the order to another day: both days' facts change.
                var days = current is null || current.SaleDay == day ? new[] { day } : new[] { day, current.SaleDay };
                result = new StageResult(StageOutcome.Written, version, days);
            }
            foreach (var i in group)
                results[i] = i == newest || result.Outcome == StageOutcome.AlreadyStaged
                    ? result
                    : result with { Outcome = StageOutcome.Superseded, Days = Array.Empty<DateOnly>() };
        }
        if (writes.Count > 0) await WriteAsync(writes, cancellation).ConfigureAwait(false);
        Interlocked.Increment(ref _batches);
        return results;
    }

    async Task WriteAsync(List<(SalesRow Row, ulong Version)> rows, CancellationToken cancellation)
    {
        // A token scope of its own per batch: a retried insert of this batch is kept once, and a later batch with the
        // same bytes (a row restored after a repair deleted it) is still inserted.
        var options = new WriteOptions { BatchSize = Math.Max(rows.Count, 1), ProgressId = 19, DeduplicationScope = Guid.NewGuid().ToString("N") };
        await using var writer = await store.OpenWriterAsync<SalesRow>(KnownTables.OrdersStaging, options, NullRunObserver.Instance, cancellation).ConfigureAwait(false);
        foreach (var (row, version) in rows)
            await writer.AddAsync(row._ver == version ? row : WithVersion(row, version), cancellation).ConfigureAwait(false);
        await writer.CompleteAsync(cancellation).ConfigureAwait(false);
        observer.Verbose($"Staged {rows.Count} order(s) from webhooks in {KnownTables.OrdersStaging}");
    }

    static SalesRow WithVersion(SalesRow r, ulong version) => new()
    {
        order_id = r.order_id, event_id = r.event_id, city = r.city, utm_source = r.utm_source, utm_medium = r.utm_medium,
        utm_campaign = r.utm_campaign, utm_content = r.utm_content, utm_term = r.utm_term, sale_ts = r.sale_ts,
        tickets_sold = r.tickets_sold, revenue = r.revenue, currency = r.currency, PayloadUtf8 = r.PayloadUtf8,
        _ver = version, _dedup_key = r._dedup_key, SaleUtc = r.SaleUtc,
    };

    /// <summary>The source version of the staged state: its payload's newest updated_at (0 for a row without one).</summary>
    static ulong SourceVersionOf(StagedOrder staged)
    {
        if (staged.PayloadJson.Length < 2) return 0;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(staged.PayloadJson);
            return RowVersion.Of(QTicketsJson.ParseOrder(doc.RootElement, includePersonalData: false));
        }
        catch (System.Text.Json.JsonException)
        {
            return 0;
        }
    }
}
