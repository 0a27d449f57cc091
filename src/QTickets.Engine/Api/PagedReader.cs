using System.Runtime.CompilerServices;
using System.Text.Json;
using QTickets.Contracts;

namespace QTickets.Engine.Api;

/// <summary>
/// Reads every page of a list endpoint, sorted by id ascending, and yields each id once, in order.
///
/// Why this is correct while orders are created and changed during the read: the filters we send (payed,
/// payed_at, created_at, updated_at >=, id) only ever let rows *into* the matching set, never out (payed_at
/// never changes once set, updated_at only grows, cancellation is filtered client-side). With a stable id
/// order, a row entering the set can only shift later pages right, which repeats a row at a page boundary and
/// never skips one: the id watermark (skip any id at or below the last one yielded) removes those repeats.
/// Rows created after page 1 revealed the total land beyond the last page of that snapshot; a final keyset
/// sweep (`id > last id yielded`) collects them. Rows that join the set below the watermark after their page
/// was read (an old reservation paid now) are not this read's: the next run's window finds them.
///
/// Why page numbers and not only keyset paging: the snapshot's pages are independent requests, so after page 1
/// up to <see cref="ApiOptions.Parallelism"/> pages are in flight (the API takes 2–8 s per page); they are still
/// yielded strictly in page order, and at most that many parsed pages are held.
/// </summary>
internal sealed class PagedReader(ApiTransport transport, ApiOptions options, IRunObserver observer)
{
    static int s_activity = 0x51540000;

    public async IAsyncEnumerable<T> ReadAsync<T>(
        string path, IReadOnlyList<WhereCondition> where, Func<JsonElement, T> parse, Func<T, long> idOf, string noun,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        var activityId = Interlocked.Increment(ref s_activity);
        var activity = $"Reading {noun} from QTickets (GET {path})";
        using var inFlightStop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var inFlight = new Queue<Task<Page<T>>>();
        var watermark = long.MinValue;
        try
        {
            var first = await FetchAsync(path, where, 1, parse, idOf, cancellation).ConfigureAwait(false);
            var lastPage = first.PerPage <= 0 ? 1 : Math.Max(1, (int)((first.Total + first.PerPage - 1) / first.PerPage));
            Report(activityId, activity, 1, lastPage);
            foreach (var item in first.Items)
            {
                var id = idOf(item);
                if (id <= watermark) continue;
                watermark = id;
                yield return item;
            }

            var next = 2;
            while (next <= lastPage && inFlight.Count < Math.Max(1, options.Parallelism))
                inFlight.Enqueue(FetchAsync(path, where, next++, parse, idOf, inFlightStop.Token));
            while (inFlight.Count > 0)
            {
                var page = await inFlight.Dequeue().ConfigureAwait(false);
                if (next <= lastPage) inFlight.Enqueue(FetchAsync(path, where, next++, parse, idOf, inFlightStop.Token));
                Report(activityId, activity, page.Number, lastPage);
                foreach (var item in page.Items)
                {
                    var id = idOf(item);
                    if (id <= watermark) continue; // a row repeated because the set grew below this page
                    watermark = id;
                    yield return item;
                }
            }

            // Keyset sweep for rows created after the snapshot. It stops when a page brings nothing new, which
            // also ends it on a server that ignored the id filter instead of looping.
            var sweep = 0;
            while (true)
            {
                var after = where.Append(new WhereCondition("id", ">", Math.Max(0, watermark))).ToList();
                var page = await FetchAsync(path, after, 1, parse, idOf, cancellation).ConfigureAwait(false);
                sweep++;
                observer.Progress(new ProgressUpdate(activityId, activity, $"page {lastPage + sweep} ({noun} added while reading)", 100));
                var fresh = 0;
                foreach (var item in page.Items)
                {
                    var id = idOf(item);
                    if (id <= watermark) continue;
                    watermark = id;
                    fresh++;
                    yield return item;
                }
                if (fresh == 0 || page.Total <= page.Items.Count) break;
            }
        }
        finally
        {
            inFlightStop.Cancel();
            while (inFlight.Count > 0)
            {
                try { await inFlight.Dequeue().ConfigureAwait(false); }
                catch { /* the read already failed or was abandoned; its own error is the one reported */ }
            }
            observer.Progress(new ProgressUpdate(activityId, activity, "done", 100, Completed: true));
        }
    }

    void Report(int activityId, string activity, int page, int lastPage) =>
        observer.Progress(new ProgressUpdate(activityId, activity, $"page {page} of {lastPage}", Math.Min(100, page * 100 / lastPage)));

    async Task<Page<T>> FetchAsync<T>(string path, IReadOnlyList<WhereCondition> where, int number, Func<JsonElement, T> parse,
        Func<T, long> idOf, CancellationToken cancellation)
    {
        // Off the caller's context: parsing a page runs on the pool, in parallel with the other pages in flight.
        await Task.Yield();
        var request = new ApiRequest(path, ListBody.Build(where, number, options.PageSize), number);
        using var json = await transport.SendAsync(request, cancellation).ConfigureAwait(false);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw Invalid(request, "has no data array");
        long total = data.GetArrayLength();
        var perPage = data.GetArrayLength();
        if (root.TryGetProperty("paging", out var paging) && paging.ValueKind == JsonValueKind.Object)
        {
            if (paging.TryGetProperty("total", out var t) && t.TryGetInt64(out var tv)) total = tv;
            if (paging.TryGetProperty("perPage", out var p) && p.TryGetInt32(out var pv)) perPage = pv;
        }
        var items = new List<T>(data.GetArrayLength());
        var previous = long.MinValue;
        var index = 0;
        foreach (var element in data.EnumerateArray())
        {
            T item;
            try
            {
                item = parse(element);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw Invalid(request, $"has an item (#{index + 1}) that cannot be read: {ex.Message}", ex);
            }
            var id = idOf(item);
            // Paging relies on the id order; an answer out of order would make the watermark drop rows silently.
            if (id <= previous)
                throw Invalid(request, $"is not sorted by id (id {id} after {previous}); the read would not be reliable");
            previous = id;
            items.Add(item);
            index++;
        }
        return new Page<T>(number, items, total, perPage);
    }

    static QTicketsResponseException Invalid(ApiRequest request, string what, Exception? inner = null) =>
        new($"The answer to {request.Describe} {what}.", request.Describe, 200, "", 1, inner: inner);

    sealed record Page<T>(int Number, List<T> Items, long Total, int PerPage);
}
