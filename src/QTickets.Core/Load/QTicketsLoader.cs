using System.Collections.Concurrent;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Core.Load;

/// <summary>
/// One scheduled load, start to finish: window from the watermark, events, orders → sales rows → staging,
/// daily facts recomputed for every day touched, dim_events, inventory snapshot, a meta_job_runs row, and only
/// then the watermark. Every write is idempotent (ReplacingMergeTree keys, content-hashed batch tokens), so a run
/// that dies anywhere leaves the watermark where it was and the next run repairs everything.
/// <para>
/// Versions never follow a clock backwards, the loader's or the source's. A staging row's _ver is its source's
/// newest updated_at (<see cref="RowVersion"/>), raised to at least one above every version staging holds when the
/// run starts: each run's reading of an order replaces the readings before it, also when the API's clock stamped
/// those ahead and was corrected since (runs never overlap: the run lock), and the loader's clock takes no part. A
/// dim_events row's _ver is its event's updated_at (names and cities only, no figures). The facts' _ver is this
/// run's clock in epoch seconds, raised above the highest version the facts tables hold (the store does it), so
/// each recomputation replaces the one before even when that one ran on a clock ahead; the watermark's version is raised the same way. A watermark ahead of the
/// clock, or one standing over an empty staging table, says nothing about what is loaded: such a run reloads like
/// a first run. Days with orders in staging but no facts (a dropped facts table) are recomputed by every run.
/// </para>
/// </summary>
/// <param name="store">Null for a dry run: nothing is read from or written to ClickHouse.</param>
public sealed class QTicketsLoader(ILoadSource source, IClickHouseStore? store, LoadOptions options, IRunObserver observer)
{
    readonly IClickHouseStore? _store = store is not null || options.DryRun
        ? store
        : throw new ArgumentNullException(nameof(store), "Only a dry run may go without ClickHouse.");
    readonly LoadOptions _options = options;

    /// <summary>Runs the load. Never throws for a failed run: the summary carries the status and exit code.</summary>
    public async Task<LoadSummary> RunAsync(CancellationToken cancellation)
    {
        var summary = await SummariseAsync("", (s, now) => LoadAsync(s, now, cancellation), cancellation).ConfigureAwait(false);
        if (_store is not null && summary.Status != LoadStatus.DryRun)
            await RecordAsync(summary, cancellation).ConfigureAwait(false);
        return summary;
    }

    /// <summary>Runs <paramref name="body"/> into a summary: ok (or dry-run) when it returns, the classified error when it throws.</summary>
    async Task<LoadSummary> SummariseAsync(string reason, Func<LoadSummary, DateTimeOffset, Task> body, CancellationToken cancellation)
    {
        var now = _options.Time.GetUtcNow();
        var summary = new LoadSummary { Job = _options.JobName, RunId = Guid.NewGuid(), StartedAt = now, WindowReason = reason };
        try
        {
            await body(summary, now).ConfigureAwait(false);
            summary.Status = _options.DryRun ? LoadStatus.DryRun : LoadStatus.Ok;
            summary.ExitCode = LoadExitCode.Ok;
            if (summary.RejectedOrders > 0 && !_options.DryRun)
            {
                // Sales are missing from ClickHouse: not ok, whatever else the run did.
                summary.Status = LoadStatus.Partial;
                summary.ExitCode = LoadExitCode.Rejected;
                summary.ErrorKind = "RejectedOrders";
            }
        }
        catch (Exception ex)
        {
            (summary.ExitCode, summary.ErrorKind) = Classify(ex, cancellation);
            summary.Status = summary.ExitCode == LoadExitCode.Stopped ? LoadStatus.Stopped : LoadStatus.Error;
            summary.Message = summary.Status == LoadStatus.Stopped ? "stopped (Ctrl+C or SIGINT) before it finished; the next run covers its window" : OneLine(ex.Message);
        }
        summary.PagesInFlight = source.PagesInFlight;
        summary.FinishedAt = _options.Time.GetUtcNow();
        return summary;
    }

    /// <summary>
    /// Reloads whole sale days through the load path (Compare-QTicketsClickHouse -Repair): for each run of
    /// consecutive days, every order paid in it is staged again (a <see cref="LoadWindow.PaymentsOnly"/> window,
    /// cancelled and refunded orders included), then the facts of every one of those days are recomputed, also of
    /// a day that has no order left. No dim_events, no inventory, no meta_job_runs row and no watermark: the
    /// scheduled runs' state is left as it is. Staging rows and facts get versions above every stored one, so they
    /// replace whatever stands for those days, even rows versioned by a clock ahead of this one. Today is reloaded
    /// like any other day.
    /// Never throws for a failed reload: the summary carries the status and exit code.
    /// </summary>
    public Task<LoadSummary> ReloadDaysAsync(IReadOnlyCollection<DateOnly> days, CancellationToken cancellation) =>
        SummariseAsync("repair of whole days", async (summary, now) =>
        {
            if (_store is null) throw new InvalidOperationException("Reloading days writes to ClickHouse: a dry run cannot.");
            await RequireSchemaAsync(cancellation).ConfigureAwait(false);
            var version = (ulong)now.ToUnixTimeSeconds();
            var floor = checked(await _store.GetStagedVersionAsync(cancellation).ConfigureAwait(false) + 1);
            var directory = new EventDirectory(await ReadEventsAsync(summary, cancellation).ConfigureAwait(false));
            var touched = new HashSet<DateOnly>(days);
            foreach (var (first, last) in ConsecutiveRuns(days))
            {
                var window = new LoadWindow(_options.Clock.StartOf(first), _options.Clock.StartOf(last.AddDays(1)),
                    $"repair: {first:yyyy-MM-dd}..{last:yyyy-MM-dd}") { PaymentsOnly = true };
                summary.WindowStart ??= window.Start;
                summary.WindowEnd = window.End;
                observer.Verbose($"Reload window {window.Start:O} .. {window.End:O}: {window.Reason}");
                touched.UnionWith(await LoadOrdersAsync(summary, window, directory, floor, null, cancellation).ConfigureAwait(false));
            }
            summary.DaysTouched = touched.Order().ToList();
            await RecomputeFactsAsync(summary, version, cancellation).ConfigureAwait(false);
        }, cancellation);

    static IEnumerable<(DateOnly First, DateOnly Last)> ConsecutiveRuns(IEnumerable<DateOnly> days)
    {
        DateOnly? first = null, last = null;
        foreach (var d in days.Distinct().Order())
        {
            if (last is { } l && d == l.AddDays(1)) { last = d; continue; }
            if (first is { } f) yield return (f, last!.Value);
            first = last = d;
        }
        if (first is { } f2) yield return (f2, last!.Value);
    }

    async Task LoadAsync(LoadSummary summary, DateTimeOffset now, CancellationToken cancellation)
    {
        var version = (ulong)now.ToUnixTimeSeconds();
        DateTimeOffset? watermark = null;
        var forced = _options.ForcedSinceHours;
        var emptied = false;
        LegacyWrites? legacy = null;
        // One above every version staged so far: this run's reading of an order replaces every earlier one.
        var floor = 0UL;
        if (_store is not null)
        {
            await RequireSchemaAsync(cancellation).ConfigureAwait(false);
            legacy = await _store.RemoveLegacyWritesAsync(cancellation).ConfigureAwait(false);
            watermark = await _store.ReadWatermarkAsync(_options.JobName, cancellation).ConfigureAwait(false);
            var staged = await _store.GetStagedVersionAsync(cancellation).ConfigureAwait(false);
            floor = checked(staged + 1);
            if (staged == 0)
            {
                emptied = true;
                // Whatever -SinceHours says, at least the backfill: the watermark this run writes claims all before it.
                if (forced is { } hours) forced = Math.Max(hours, _options.InitialBackfillHours);
                if (watermark is { } stored)
                {
                    // Dropped, emptied or recreated by hand: the watermark claims orders that are gone. Forgotten
                    // before anything is loaded, so a run that dies midway leaves the next one a first run too.
                    observer.Warning($"{KnownTables.OrdersStaging} holds no order, but the watermark says orders were loaded up to " +
                                      $"{stored.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (the table was dropped or emptied, or nothing was ever paid): " +
                                      "loading like a first run.");
                    await _store.ClearWatermarkAsync(_options.JobName, cancellation).ConfigureAwait(false);
                    watermark = null;
                }
            }
        }
        // A dry run reads no watermark: it looks at the lookback (or -SinceHours), like the legacy dry run.
        var window = LoadWindow.Choose(now, watermark,
            forced ?? (_options.DryRun ? Math.Max(_options.LookbackHours, 1) : null),
            _options.LookbackHours, _options.InitialBackfillHours);
        summary.WindowStart = window.Start;
        summary.WindowEnd = window.End;
        summary.WindowReason = window.Reason;
        summary.Backfill = (window.Backfill || emptied) && !_options.DryRun;
        observer.Verbose($"Load window {window.Start:O} .. {window.End:O}: {window.Reason}");

        var events = await ReadEventsAsync(summary, cancellation).ConfigureAwait(false);
        var rejections = await ReadRejectionsAsync(summary, now, cancellation).ConfigureAwait(false);
        // Asked before this run stages anything, so only days whose facts are lost (a facts table dropped, a run
        // that died between staging and facts) count, not the days this run adds.
        var lost = _store is null ? Array.Empty<DateOnly>() : await _store.GetDaysWithoutFactsAsync(cancellation).ConfigureAwait(false);
        if (lost.Count > 0)
            observer.Warning($"{lost.Count} sale day(s) have orders in staging but their daily facts are missing or half-replaced ({lost[0]:yyyy-MM-dd} .. {lost[^1]:yyyy-MM-dd}): " +
                              "recomputing them too.");
        var days = await LoadOrdersAsync(summary, window, new EventDirectory(events), floor, rejections, cancellation).ConfigureAwait(false);
        days.UnionWith(lost);
        if (legacy is not null) days.UnionWith(legacy.Days);
        summary.DaysTouched = days.Order().ToList();
        await RecomputeFactsAsync(summary, version, cancellation).ConfigureAwait(false);

        if (_store is not null && events.Count > 0)
            await WriteAsync(KnownTables.Events, events.Select(e => EventRow.Of(e, _options.Clock, RowVersion.Of(e))), summary.RunId, cancellation).ConfigureAwait(false);

        if (_store is not null) await LoadReferenceListsAsync(summary, now, cancellation).ConfigureAwait(false);

        if (!_options.SkipInventory && source.HasSeats)
            await SnapshotInventoryAsync(summary, events, now, version, cancellation).ConfigureAwait(false);

        if (_store is not null)
        {
            // The rejected orders before the watermark: the watermark may move past them only because from here on
            // they are retried by id (a window kept open for them would grow run after run, re-reading every order
            // since the oldest rejection). A run that cannot record them fails and leaves the watermark alone.
            await _store.WriteRejectedOrdersAsync(rejections.Changes, cancellation).ConfigureAwait(false);
            // Last of all: a run that failed anywhere above leaves the watermark alone, so the next run re-reads.
            await _store.WriteWatermarkAsync(_options.JobName, window.End, cancellation).ConfigureAwait(false);
        }
        // Everything above is done (its rows removed, their days recomputed), but the run is not ok while it runs.
        if (legacy is { Any: true }) throw new LegacyLoaderException(legacy, _store!.Database);
    }

    /// <summary>The rejected orders recorded by earlier runs (none for a dry run, which reads nothing from ClickHouse).</summary>
    async Task<RejectedOrderBook> ReadRejectionsAsync(LoadSummary summary, DateTimeOffset now, CancellationToken cancellation)
    {
        var (known, lastVersion) = _store is null
            ? (Array.Empty<RejectedOrder>(), 0UL)
            : await _store.ReadRejectedOrdersAsync(_options.JobName, cancellation).ConfigureAwait(false);
        return new RejectedOrderBook(_options.JobName, summary.RunId, _options.Clock.Of(now), known, lastVersion);
    }

    async Task<List<Event>> ReadEventsAsync(LoadSummary summary, CancellationToken cancellation)
    {
        var events = new List<Event>();
        await foreach (var e in source.EventsAsync(cancellation).ConfigureAwait(false)) events.Add(e);
        summary.Events = events.Count;
        return events;
    }

    /// <summary>The daily facts of every day in the summary, recomputed from staging FINAL (whole days).</summary>
    async Task RecomputeFactsAsync(LoadSummary summary, ulong version, CancellationToken cancellation)
    {
        if (_store is null || summary.DaysTouched.Count == 0) return;
        var facts = await _store.RecomputeDailyFactsAsync(summary.DaysTouched, version, cancellation).ConfigureAwait(false);
        summary.SalesDailyRows = facts.SalesDailyRows;
        summary.SalesUtmDailyRows = facts.SalesUtmDailyRows;
    }

    /// <summary>
    /// Streams orders through the converter into staging, then the open rejected orders of earlier runs fetched by
    /// id (those the window did not bring); returns the sale days it touched. Rows get at least the version
    /// <paramref name="floor"/>. Without <paramref name="rejections"/> (a repair of whole days) rejected orders are
    /// counted and reported, not recorded.
    /// </summary>
    async Task<HashSet<DateOnly>> LoadOrdersAsync(LoadSummary summary, LoadWindow window, EventDirectory events, ulong floor,
        RejectedOrderBook? rejections, CancellationToken cancellation)
    {
        var converter = new SalesRowConverter(_options.Clock, floor: floor);
        // Sources yield ascending ids, each once (ILoadSource): a watermark, not a set of every id seen, which at
        // 1M orders was tens of MB held to the end of the run.
        var lastId = long.MinValue;
        var days = new HashSet<DateOnly>();
        await using var staging = _store is null ? null : new LazyWriter<SalesRow>(_store, KnownTables.OrdersStaging, _options.BatchSize, observer, summary.RunId);
        var rejected = 0;
        async Task StageAsync(Order order)
        {
            events.TryGet(order.EventId, out var ev);
            var row = converter.ToSalesRow(order, ev, out var rejection);
            if (rejection is not null)
            {
                observer.Warning($"{order} rejected: {rejection}");
                if (rejections is null || rejections.Reject(order, rejection)) rejected++;
                else summary.IgnoredOrders++;
                return;
            }
            rejections?.Loaded(order);
            if (row is null) return;
            summary.SalesRows++;
            summary.Tickets += row.tickets_sold;
            summary.Revenue += row.revenue;
            days.Add(DateOnly.FromDateTime(row.sale_ts));
            if (staging is not null) await staging.AddAsync(row, cancellation).ConfigureAwait(false);
        }

        await foreach (var order in source.OrdersAsync(window, cancellation).ConfigureAwait(false))
        {
            // An order whose id is not a number (Id 0) is rejected by the converter; it takes no place in the order.
            if (order.Id > 0)
            {
                if (order.Id <= lastId)
                    throw new InvalidOperationException($"Order {order.Id} came after order {lastId}: the source must yield ascending ids, each once.");
                lastId = order.Id;
            }
            summary.Orders++;
            await StageAsync(order).ConfigureAwait(false);
        }

        if (rejections is not null)
        {
            var retry = rejections.ToRetry();
            summary.RetriedOrders = retry.Count;
            if (retry.Count > 0) observer.Verbose($"Retrying {retry.Count} rejected order(s) by id");
            // Fetched as many at a time as seat maps are (-Parallelism: one request takes 2-8 s on the real API), staged in
            // id order. A request that fails beyond its retries fails the run like any API failure: the watermark stays.
            var fetched = new ConcurrentDictionary<long, Order?>();
            await Parallel.ForEachAsync(retry,
                new ParallelOptions { MaxDegreeOfParallelism = _options.InventoryParallelism, CancellationToken = cancellation },
                async (id, ct) => fetched[id] = await source.OrderAsync(id, ct).ConfigureAwait(false)).ConfigureAwait(false);
            foreach (var id in retry)
            {
                if (fetched[id] is { } order) await StageAsync(order).ConfigureAwait(false);
                else
                {
                    observer.Warning($"Order {id} rejected: the API no longer finds it (404)");
                    rejections.NotFound(id);
                }
            }
            summary.ReloadedOrders = rejections.Reloaded;
            summary.RejectedOrders = rejections.Open;
            if (rejections.Open > 0) summary.Message = RejectionMessage(rejections);
        }
        else
        {
            summary.RejectedOrders += rejected;
            if (rejected > 0) summary.Message = $"{rejected} order(s) rejected (see the warnings)";
        }
        if (staging is not null) await staging.CompleteAsync(cancellation).ConfigureAwait(false);
        return days;
    }

    /// <summary>What a partial run says: how many orders wait, where, and the first one's problem.</summary>
    static string RejectionMessage(RejectedOrderBook rejections)
    {
        var first = rejections.OpenOrders.First();
        return $"{rejections.Open} order(s) rejected, kept in {KnownTables.RejectedOrders} and retried by id on every run " +
               $"(first: order {first.OrderId}: {first.Problem})";
    }

    async Task SnapshotInventoryAsync(LoadSummary summary, List<Event> events, DateTimeOffset now, ulong version, CancellationToken cancellation)
    {
        // Only events still on sale: a finished event's last snapshot stays as it was, and the real API's
        // hundreds of past shows are not re-read every 15 minutes.
        var current = events.Where(e => e.DeletedAt is null && InventorySnapshot.ShowsOf(e).Any(s => (s.FinishDate ?? s.StartDate) >= now)).ToList();
        var snapshot = new InventorySnapshot(now, _options.Clock, version);
        var perShow = new ConcurrentDictionary<long, ShowSeatTotals>();
        var shows = current.SelectMany(e => InventorySnapshot.ShowsOf(e)).ToList();
        await Parallel.ForEachAsync(shows,
            new ParallelOptions { MaxDegreeOfParallelism = _options.InventoryParallelism, CancellationToken = cancellation },
            async (show, ct) =>
            {
                try { perShow[show.Id] = await source.SeatsAsync(show.Id, ct).ConfigureAwait(false); }
                catch (QTicketsNotFoundException)
                {
                    observer.Warning($"Show {show.Id}: no seat map (404); left out of the inventory snapshot.");
                }
            }).ConfigureAwait(false);
        summary.InventoryShows = perShow.Count;

        var rows = new List<InventoryRow>();
        foreach (var ev in current)
        {
            var showRows = InventorySnapshot.ShowsOf(ev).Where(s => perShow.ContainsKey(s.Id))
                .Select(s => { var t = perShow[s.Id]; return snapshot.ForShow(ev, s, t.MaxQuantity, t.FreeQuantity, t.Seats); })
                .ToList();
            if (showRows.Count > 0) rows.Add(snapshot.ForEvent(ev, showRows));
        }
        summary.InventoryRows = rows.Count;
        if (_store is null || rows.Count == 0) return;
        await WriteAsync(KnownTables.InventoryStaging, rows, summary.RunId, cancellation).ConfigureAwait(false);
        // The legacy latest-snapshot table has no _dedup_key: its key is (event_id, city).
        await WriteAsync(KnownTables.InventoryLatest, rows, summary.RunId, cancellation, nameof(InventoryRow._dedup_key)).ConfigureAwait(false);
        await _store.SupersedeInventoryAsync(snapshot.Version, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Discounts, promo codes and price colours into the legacy's auxiliary tables, whole lists every run (a few
    /// hundred rows; a row replaces its earlier reading by the source's time). An account whose API has no colour
    /// list gets a warning, not a failed run.
    /// </summary>
    async Task LoadReferenceListsAsync(LoadSummary summary, DateTimeOffset now, CancellationToken cancellation)
    {
        if (await source.ReferenceListsAsync(cancellation).ConfigureAwait(false) is not { } lists) return;
        var types = lists.Discounts.ToDictionary(d => d.Id, d => d.Type);
        await WriteAsync(KnownTables.Discounts, lists.Discounts.Select(d => ReferenceRows.Of(d, _options.Clock, now)), summary.RunId, cancellation)
            .ConfigureAwait(false);
        await WriteAsync(KnownTables.PromoCodes, lists.PromoCodes.Select(p => ReferenceRows.Of(p, types.GetValueOrDefault(p.DiscountId, ""), _options.Clock, now)),
            summary.RunId, cancellation).ConfigureAwait(false);
        if (lists.ColorThemes is { } colors)
            await WriteAsync(KnownTables.PriceShades, colors.Select(c => ReferenceRows.Of(c, _options.Clock, now)), summary.RunId, cancellation).ConfigureAwait(false);
        else
            observer.Warning($"The QTickets API has no /color-themes list for this account: {KnownTables.PriceShades} is not refreshed.");
        summary.ReferenceRows = lists.Discounts.Count + lists.PromoCodes.Count + (lists.ColorThemes?.Count ?? 0);
        observer.Verbose($"Reference lists: {lists.Discounts.Count} discounts, {lists.PromoCodes.Count} promo codes, " +
                          $"{lists.ColorThemes?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} price colours.");
    }

    async Task WriteAsync<T>(string table, IEnumerable<T> rows, Guid runId, CancellationToken cancellation, params string[] omitted) where T : class
    {
        await using var writer = new LazyWriter<T>(_store!, table, _options.BatchSize, observer, runId, omitted);
        foreach (var row in rows) await writer.AddAsync(row, cancellation).ConfigureAwait(false);
        await writer.CompleteAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// A typed table writer opened with the first row, so a table that gets no row sees no request at all. Its batches' deduplication tokens are scoped to
    /// the run: a retried batch is kept once, but rows are written again by every run, since their versions come
    /// from the source and a later run's batch can be byte for byte an earlier one's (a repair must restore a row
    /// deleted since).
    /// </summary>
    sealed class LazyWriter<T>(IClickHouseStore store, string table, int batchSize, IRunObserver observer, Guid runId,
        params string[] omitted) : IAsyncDisposable where T : class
    {
        ITableWriter<T>? _writer;

        public async Task AddAsync(T row, CancellationToken cancellation)
        {
            _writer ??= await store.OpenWriterAsync<T>(table,
                new WriteOptions { BatchSize = batchSize, ProgressId = 11, DeduplicationScope = runId.ToString("N"), Omitted = omitted },
                observer, cancellation).ConfigureAwait(false);
            await _writer.AddAsync(row, cancellation).ConfigureAwait(false);
        }

        public async Task CompleteAsync(CancellationToken cancellation)
        {
            if (_writer is not null) await _writer.CompleteAsync(cancellation).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => _writer?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>The tables a load reads or writes (the writer's grants); views and plan_sales it never touches.</summary>
    static readonly HashSet<string> s_loadTables = new(StringComparer.Ordinal)
    {
        KnownTables.OrdersStaging, KnownTables.InventoryStaging, KnownTables.Events, KnownTables.SalesDaily,
        KnownTables.SalesUtmDaily, KnownTables.InventoryLatest, KnownTables.JobRuns, KnownTables.LoaderState, KnownTables.RejectedOrders,
        KnownTables.Inventory, KnownTables.Discounts, KnownTables.PromoCodes, KnownTables.PriceShades,
    };

    async Task RequireSchemaAsync(CancellationToken cancellation)
    {
        var migrations = await _store!.GetMigrationsAsync(SchemaOptions.Single, cancellation).ConfigureAwait(false);
        var pending = migrations.Where(m => !m.Applied).ToList();
        if (pending.Count > 0)
            throw new ClickHouseStoreException(ClickHouseFailure.TableMissing,
                $"The ClickHouse schema of {_store.Endpoint} is not up to date ({pending.Count} migration(s) pending, first: " +
                $"{pending[0].Version:D3} {pending[0].Name}). Run Initialize-QTicketsClickHouse once as a user allowed to create tables.");
        // Before anything is read from the API: a dropped table fails the run here, watermark unmoved.
        var missing = (await _store.GetMissingObjectsAsync(migrations, cancellation).ConfigureAwait(false))
            .Where(o => s_loadTables.Contains(o.Name)).Select(o => o.Name).ToList();
        if (missing.Count > 0)
            throw new ClickHouseStoreException(ClickHouseFailure.TableMissing,
                $"{_store.Endpoint} has no table {string.Join(", ", missing)} (dropped?). Run Initialize-QTicketsClickHouse as a user " +
                "allowed to create tables: it recreates missing tables and views, and the next load refills them.", table: missing[0]);
    }

    /// <summary>The meta_job_runs row, ok, partial, stopped or error. A failure to record a committed run fails the run; an error row is best effort.</summary>
    async Task RecordAsync(LoadSummary summary, CancellationToken cancellation)
    {
        var run = summary.ToRun(_options.Clock,
            summary.Status is LoadStatus.Ok or LoadStatus.Partial or LoadStatus.Stopped ? summary.Status : LoadStatus.Error,
            summary.Committed ? summary.RowsProcessed : 0, summary.JobRunMessage(), summary.JobRunMetrics(_options.LookbackHours));
        try
        {
            // Recorded even when the run was cancelled: give the audit row a few seconds of its own.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _store!.RecordRunAsync(run, summary.Committed ? cancellation : timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!summary.Committed || ex is not OperationCanceledException)
        {
            if (summary.Committed)
            {
                summary.Status = LoadStatus.Error;
                (summary.ExitCode, summary.ErrorKind) = Classify(ex, cancellation);
                summary.Message = "the data is loaded, but the meta_job_runs row failed: " + OneLine(ex.Message);
            }
            else
            {
                observer.Warning("Could not record the failed run in meta_job_runs: " + OneLine(ex.Message));
            }
        }
    }

    /// <summary>Which exit code a failure gets (README: exit codes).</summary>
    public static (LoadExitCode Code, string Kind) Classify(Exception ex, CancellationToken cancellation) => ex switch
    {
        OperationCanceledException when cancellation.IsCancellationRequested => (LoadExitCode.Stopped, "Stopped"),
        ConfigurationException => (LoadExitCode.ConfigError, "ConfigError"),
        RunLockedException => (LoadExitCode.Locked, "Locked"),
        RunLockFailedException => (LoadExitCode.LockFailed, "LockFailed"),
        LegacyLoaderException => (LoadExitCode.LegacyLoader, "LegacyLoader"),
        ClickHouseStoreException { Failure: ClickHouseFailure.NotClickHouse } => (LoadExitCode.ConfigError, "NotClickHouse"),
        QTicketsAuthenticationException => (LoadExitCode.AuthError, "AuthError"),
        QTicketsUnavailableException => (LoadExitCode.ApiUnavailable, "ApiUnavailable"),
        QTicketsApiException => (LoadExitCode.ApiUnavailable, "ApiError"),
        ClickHouseStoreException ch => (LoadExitCode.ClickHouseError, "ClickHouse" + ch.Failure),
        FileNotFoundException or DirectoryNotFoundException => (LoadExitCode.ConfigError, "ConfigError"),
        _ => (LoadExitCode.Failed, ex.GetType().Name),
    };

    static string OneLine(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
