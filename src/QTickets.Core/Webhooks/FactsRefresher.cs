using QTickets.Core.Contracts;

namespace QTickets.Core.Webhooks;

/// <summary>
/// Recomputes the daily facts of the days webhook deliveries touched, batched: the first touched day waits
/// <see cref="Delay"/> for others, then one recomputation covers every day touched meanwhile (whole days from
/// staging FINAL, the loader's own statement and version rule). When ClickHouse fails the days stay pending and are
/// tried again with a growing pause, so facts catch up once it is back.
/// <para>
/// A receiver killed between staging a row and recomputing its day leaves that day's facts behind staging; the
/// next start finds such days by comparing staging with the facts (<see cref="CatchUpAsync"/>).
/// </para>
/// </summary>
public sealed class FactsRefresher(IClickHouseStore store, IRunObserver observer, TimeProvider? time = null, TimeSpan? delay = null)
{
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly SortedSet<DateOnly> _pending = new();
    readonly SemaphoreSlim _signal = new(0);
    readonly object _sync = new();
    long _recomputations;

    public TimeSpan Delay { get; } = delay ?? TimeSpan.FromMilliseconds(250);

    public long Recomputations => Interlocked.Read(ref _recomputations);

    /// <summary>Days whose facts are not yet recomputed.</summary>
    public int PendingDays { get { lock (_sync) return _pending.Count; } }

    public void Touch(IEnumerable<DateOnly> days)
    {
        var added = false;
        lock (_sync) foreach (var d in days) added |= _pending.Add(d);
        if (added) _signal.Release();
    }

    /// <summary>
    /// The sale days where staging FINAL and the daily facts disagree (tickets or revenue of an event), or whose facts
    /// are missing or half-replaced, queued for recomputation. Returns how many.
    /// </summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellation)
    {
        var from = new DateOnly(2000, 1, 1);
        var to = new DateOnly(2100, 1, 1);
        var staging = await store.GetStagingTotalsAsync(from, to, Array.Empty<string>(), cancellation).ConfigureAwait(false);
        var facts = await store.GetFactsTotalsAsync(from, to, Array.Empty<string>(), cancellation).ConfigureAwait(false);
        var factsByKey = facts.ToDictionary(f => (f.Day, f.EventId));
        var stagingKeys = new HashSet<(DateOnly, string)>();
        var days = new HashSet<DateOnly>();
        foreach (var s in staging)
        {
            stagingKeys.Add((s.Day, s.EventId));
            if (!factsByKey.TryGetValue((s.Day, s.EventId), out var f) || f.Tickets != s.Tickets || f.Revenue != s.Revenue) days.Add(s.Day);
        }
        foreach (var f in facts)
            if (!stagingKeys.Contains((f.Day, f.EventId)) && (f.Tickets != 0 || f.Revenue != 0)) days.Add(f.Day);
        // Days a killed receiver left with old and new sums side by side (FINAL reads them right, plain sums do not).
        days.UnionWith(await store.GetDaysWithoutFactsAsync(cancellation).ConfigureAwait(false));
        if (days.Count > 0) Touch(days);
        return days.Count;
    }

    /// <summary>
    /// Recomputes pending days until <paramref name="cancellation"/> fires; then recomputes what is still pending
    /// once more (best effort within <paramref name="finalFlush"/>) and returns.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellation, TimeSpan? finalFlush = null)
    {
        var pause = TimeSpan.FromSeconds(1);
        try
        {
            while (true)
            {
                await _signal.WaitAsync(cancellation).ConfigureAwait(false);
                await Task.Delay(Delay, _time, cancellation).ConfigureAwait(false);
                if (await RecomputePendingAsync(cancellation).ConfigureAwait(false))
                {
                    pause = TimeSpan.FromSeconds(1);
                    continue;
                }
                await Task.Delay(pause, _time, cancellation).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                _signal.Release();
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            using var flush = new CancellationTokenSource(finalFlush ?? TimeSpan.FromSeconds(10));
            if (PendingDays > 0) await RecomputePendingAsync(flush.Token).ConfigureAwait(false);
        }
    }

    /// <summary>One recomputation of every pending day; false (days kept) when ClickHouse failed.</summary>
    public async Task<bool> RecomputePendingAsync(CancellationToken cancellation)
    {
        DateOnly[] days;
        lock (_sync)
        {
            days = _pending.ToArray();
            _pending.Clear();
        }
        if (days.Length == 0) return true;
        try
        {
            var result = await store.RecomputeDailyFactsAsync(days, (ulong)_time.GetUtcNow().ToUnixTimeSeconds(), cancellation).ConfigureAwait(false);
            Interlocked.Increment(ref _recomputations);
            observer.Verbose($"Daily facts recomputed for {result}");
            return true;
        }
        catch (Exception ex) when (ex is ClickHouseStoreException or OperationCanceledException)
        {
            lock (_sync) _pending.UnionWith(days);
            if (ex is ClickHouseStoreException)
                observer.Warning($"Daily facts of {days.Length} day(s) not recomputed, retrying: {ex.Message}");
            return false;
        }
    }
}
