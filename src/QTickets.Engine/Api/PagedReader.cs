using System.Runtime.CompilerServices;
using QTickets.Core.Contracts;

namespace QTickets.Engine.Api;

/// <summary>
/// Reads every row of a list endpoint, sorted by id ascending, and yields each id once, in order.
///
/// No single field decides that the list is complete. `paging.total` is live, unverified and has been seen to lie
/// (low, high or missing), so it only sizes the prefetch and the progress bar. The list ends when the API's own
/// pages end: a page with fewer rows than a page holds, or an empty one; then a keyset request (`id > last id
/// yielded`) must come back empty too. A read is a sequence of runs: the first pages through the filters
/// alone, each later one through the filters plus `id > last id yielded`, and the read is over when a keyset
/// run's first page is empty. So a total too low costs nothing (full pages keep the run going, their prefetch
/// ramping up from one page to the pages in flight allowed), a total too high costs at most the pages
/// fetched ahead when the short or empty page arrives (they are cancelled), and no `paging` at all reads
/// like a total too low. What a page holds is learnt from the pages (see <see cref="PageShape"/>), so a wrong perPage
/// costs requests, not rows. A page that brings only rows already read (an API ignoring the page number) ends its
/// run like a short page would, and the keyset run reads on; an API ignoring `id >` is only trusted where its
/// numbered pages ended with a short or empty page. Rows missing from the last page look like a total too high:
/// no client can tell them apart, and the total's disagreement is reported as a warning.
///
/// Why this is correct while orders are created and changed during the read: the filters we send (payed,
/// payed_at, created_at, updated_at >=, id) only ever let rows *into* the matching set, never out (payed_at
/// never changes once set, updated_at only grows, cancellation is filtered client-side). With a stable id
/// order, a row entering the set can only shift later pages right, which repeats a row at a page boundary and
/// never skips one: the id watermark (skip any id at or below the last one yielded) removes those repeats. Rows
/// created after the page that ended a run was served have ids above the watermark: the next keyset run reads
/// them. Rows that join the set below the watermark after their page was read (an old reservation paid now) are
/// not this read's: the next run's window finds them. Pages after the one that ended a run are never yielded:
/// growth may have pushed rows past a page already served, and only a keyset run from the watermark reads
/// them without a gap.
///
/// What fails the read (<see cref="QTicketsResponseException"/>: the run exits 5 and keeps its watermark), each
/// a contradiction no later request can resolve: an answer without a data array, an unreadable `paging`, rows
/// out of id order, a short page followed by a full page of new rows (the short page lost rows in the middle
/// of the list), a keyset answer with ids at or below its `id >` value after pages stopped advancing, or a
/// later keyset page going below it.
///
/// Why page numbers and not only keyset paging: pages are independent requests, so several are in flight (the API
/// takes 2–8 s per page). How many is <see cref="PagesInFlight"/>'s call: it finds the API's capacity between 1 and
/// the ceiling while reading, or keeps the number -Parallelism pinned. Pages are still yielded strictly in page
/// order, and at most twice the ceiling of parsed pages are held. Once 429s have set a pace, every page request also
/// waits for its slot of the pace (<see cref="PaceAsync"/>) before it goes.
/// </summary>
internal sealed class PagedReader(ApiTransport transport, ApiOptions options, PagesInFlight inFlight, IRunObserver observer)
{
    readonly PagesInFlight _inFlight = inFlight;
    // One request at a time waits for the next slot of the pace, the others wait their turn here: slots go out in the
    // order pages were asked for, and a cut of the pace holds back the one waiting as well.
    readonly SemaphoreSlim _paceTurn = new(1, 1);

    static int s_activity = 0x51540000;

    /// <summary>How a run of numbered pages ended.</summary>
    enum RunEnd { Empty, Short, Stalled }

    public async IAsyncEnumerable<T> ReadAsync<T>(
        string path, IReadOnlyList<WhereCondition> where, PageFormat<T> format, Func<T, long> idOf, string noun,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        var activityId = Interlocked.Increment(ref s_activity);
        var activity = $"Reading {noun} from QTickets (GET {path})";
        var shape = new PageShape(options.PageSize);
        var watermark = long.MinValue;
        var requests = 0;
        var missingPagingReported = false;
        var totalReported = false;
        Run<T>? run = null;
        try
        {
            long? after = null; // null: the first run (the filters alone); otherwise a keyset run (id > after)
            RunEnd? previous = null;
            while (true)
            {
                var conditions = after is long a ? where.Append(new WhereCondition("id", ">", a)).ToList() : where;
                run = new Run<T>(this, path, conditions, format, idOf, cancellation);
                var page = await run.FirstAsync().ConfigureAwait(false);
                RunEnd? end = null;
                while (true)
                {
                    requests++;
                    if (!page.HasPaging && !missingPagingReported)
                    {
                        missingPagingReported = true;
                        observer.Warning($"The answer to {page.Request.Describe} has no paging: reading until the pages end.");
                    }
                    if (after is long below && page.Items.Count > 0 && idOf(page.Items[0]) <= below)
                    {
                        // The API ignored `id > below`. Only the numbered pages can tell where the list ends then.
                        if (page.Number > 1)
                            throw Invalid(page.Request, $"has id {idOf(page.Items[0])} although it asked for ids above {below} " +
                                                        "(its page 1 did not): the ids went backwards, the read would not be reliable");
                        if (previous == RunEnd.Stalled)
                            throw Invalid(page.Request, $"has id {idOf(page.Items[0])} although it asked for ids above {below}: the API " +
                                                        "ignores the id filter and its numbered pages stopped advancing, so the rest of the list cannot be read");
                        observer.Verbose($"The API ignored `id > {below}` ({page.Request.Describe}); the numbered pages ended with a short or empty page, which ends the read.");
                        foreach (var item in page.Items)
                        {
                            var id = idOf(item);
                            if (id <= watermark) continue;
                            watermark = id;
                            yield return item;
                        }
                        yield break;
                    }

                    shape.Learn(page);
                    var fresh = 0;
                    foreach (var item in page.Items)
                    {
                        var id = idOf(item);
                        if (id <= watermark) continue; // a row repeated because the set grew below this page
                        watermark = id;
                        fresh++;
                        yield return item;
                    }
                    var lastPage = shape.LastPage(page);
                    Report(activityId, activity, after is null ? page.Number : requests, lastPage, after is not null, noun);

                    if (page.Items.Count == 0) end = RunEnd.Empty;
                    else if (page.Items.Count < shape.Size) end = RunEnd.Short;
                    else if (fresh == 0) end = RunEnd.Stalled; // a full page of rows already read: pages are not advancing
                    if (end is null)
                    {
                        page = await run.NextAsync(page.Number, lastPage).ConfigureAwait(false);
                        continue;
                    }

                    if (end == RunEnd.Short)
                        await CheckShortPageAsync(run, page, lastPage, shape, watermark, idOf, noun).ConfigureAwait(false);
                    if (!totalReported) totalReported = CrossCheckTotal(page, shape, end.Value, noun); // once a read
                    break;
                }
                await run.DisposeAsync().ConfigureAwait(false);
                run = null;

                // A keyset run whose first page was empty: nothing newer than the last row yielded. Also the first run
                // finding nothing at all: its filters match no row.
                if (end == RunEnd.Empty && page.Number == 1) yield break;
                if (end == RunEnd.Stalled)
                    observer.Verbose($"Pages stopped advancing ({page.Request.Describe} brought only {noun} already read); reading on by id.");
                previous = end;
                after = Math.Max(0, watermark);
            }
        }
        finally
        {
            if (run is not null) await run.DisposeAsync().ConfigureAwait(false);
            observer.Progress(new ProgressUpdate(activityId, activity, "done", 100, Completed: true));
            observer.Verbose($"Read {noun} from GET {path}: {requests} page(s); so far this client used {_inFlight.Report()}.");
        }
    }

    /// <summary>
    /// A short page is the end of the list only if the page after it has nothing new. That page is awaited when it
    /// is already in flight, and asked for when the total says there is more; a full page of new rows there means
    /// the short page lost rows in the middle of the list.
    /// </summary>
    async Task CheckShortPageAsync<T>(Run<T> run, Page<T> page, int? lastPage, PageShape shape, long watermark, Func<T, long> idOf, string noun)
    {
        var following = await run.FollowingAsync(askIfNotInFlight: lastPage is int last && page.Number < last).ConfigureAwait(false);
        if (following is null || following.Items.Count == 0) return;
        var first = idOf(following.Items[0]);
        if (first <= watermark) return; // it overlaps rows already read: the set grew below it, no gap to tell
        if (following.Items.Count >= shape.Size)
            throw new QTicketsResponseException(
                $"The answers to GET {page.Request.Path} contradict each other: page {page.Number} held {page.Items.Count} {noun} where a page " +
                $"holds {shape.Size}, which ends the list, yet page {following.Number} held {following.Items.Count} more (ids {first}.." +
                $"{idOf(following.Items[^1])}); rows may be missing from page {page.Number}, so the read is not reliable.",
                page.Request.Describe, 200, "", 1);
        // Two short pages of one size in a row: pages hold that many, whatever perPage says. The rows of the
        // second are read again by the keyset run, which then sees its pages as full and pages in parallel.
        if (following.Items.Count == page.Items.Count) shape.Observed(page.Items.Count);
    }

    /// <summary>Warns when the total and the pages disagree by more than a page; true when it did.</summary>
    bool CrossCheckTotal<T>(Page<T> page, PageShape shape, RunEnd end, string noun)
    {
        if (page.Total is not long total || end == RunEnd.Stalled) return false;
        var read = (long)(page.Number - 1) * shape.Size + page.Items.Count;
        // paging.total is live: a few rows come and go during a read. More than a page apart is a wrong total.
        if (Math.Abs(total - read) <= shape.Size) return false;
        observer.Warning(total > read
            ? $"{page.Request.Describe}: paging.total says {total} {noun}, but the pages end after {read}; read to the end of the pages, not to the total."
            : $"{page.Request.Describe}: paging.total says {total} {noun}, but the pages held {read}; read on to the end of the pages.");
        return true;
    }

    void Report(int activityId, string activity, int page, int? lastPage, bool keyset, string noun)
    {
        var status = keyset ? $"page {page} ({noun} added while reading)"
            : lastPage is int last && page <= last ? $"page {page} of {last}" : $"page {page}";
        var percent = keyset ? 100 : lastPage is int l && l > 0 ? Math.Min(100, page * 100 / l) : -1;
        observer.Progress(new ProgressUpdate(activityId, activity, status, percent));
    }

    async Task<Page<T>> FetchAsync<T>(string path, IReadOnlyList<WhereCondition> where, int number, PageFormat<T> format,
        Func<T, long> idOf, CancellationToken cancellation)
    {
        // Off the caller's context: reading a page runs on the pool, in parallel with the other pages in flight.
        await Task.Yield();
        var request = new ApiRequest(path, ListBody.Build(where, number, options.PageSize), number);
        await PaceAsync(cancellation).ConfigureAwait(false);
        var answer = await format.ReadAsync(transport, request, cancellation).ConfigureAwait(false);
        var previous = long.MinValue;
        foreach (var item in answer.Items)
        {
            var id = idOf(item);
            // Paging relies on the id order; an answer out of order would make the watermark drop rows silently.
            if (id <= previous)
                throw Invalid(request, $"is not sorted by id (id {id} after {previous}); the read would not be reliable");
            previous = id;
        }
        return new Page<T>(request, number, answer.Items, answer.Total, answer.PerPage, answer.HasPaging);
    }

    /// <summary>Returns when the pace lets the next request go: at once while there is no pace.</summary>
    async Task PaceAsync(CancellationToken cancellation)
    {
        var clock = options.TimeProvider;
        if (_inFlight.Reserve(clock.GetElapsedTime(0), waited: false) <= TimeSpan.Zero) return;
        await _paceTurn.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            while (_inFlight.Reserve(clock.GetElapsedTime(0), waited: true) is var wait && wait > TimeSpan.Zero)
                await Task.Delay(wait, clock, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _paceTurn.Release();
        }
    }

    internal static QTicketsResponseException Invalid(ApiRequest request, string what, Exception? inner = null) =>
        new($"The answer to {request.Describe} {what}.", request.Describe, 200, "", 1, inner: inner);

    sealed record Page<T>(ApiRequest Request, int Number, List<T> Items, long? Total, int? PerPage, bool HasPaging);

    /// <summary>
    /// How many rows a page holds, learnt from the answers: the size asked for or the first answer's perPage, else its
    /// row count; raised by any page holding more, lowered when two short pages in a row agree on a smaller size.
    /// </summary>
    sealed class PageShape(int? asked)
    {
        int? _size;

        public int Size => _size ?? asked ?? 1;

        public void Learn<T>(Page<T> page)
        {
            if (_size is null && (page.PerPage is not null || page.Items.Count > 0))
                _size = page.PerPage ?? asked ?? page.Items.Count;
            if (page.Items.Count > Size) _size = page.Items.Count;
        }

        public void Observed(int size) => _size = size;

        /// <summary>The last page by the answer's total, only a guess: null when the answer has none.</summary>
        public int? LastPage<T>(Page<T> page) =>
            page.Total is long total ? (int)Math.Clamp((total + Size - 1) / Size, 1, int.MaxValue) : null;
    }

    /// <summary>
    /// The numbered pages of one query, fetched ahead and handed out strictly in page order. Within the total's
    /// last page as many are in flight as <see cref="PagesInFlight.Limit"/> allows at that moment; past it (the total
    /// was low, or there is none) one at first, doubling with every full page. A page that arrives frees its slot at
    /// once, even while an earlier page is still awaited, so a slow page does not idle the others; pages fetched ahead
    /// (in flight or waiting their turn) are at most twice the ceiling, which bounds the parsed pages held. Disposing
    /// cancels and drains whatever is still in flight.
    /// </summary>
    sealed class Run<T>(PagedReader reader, string path, IReadOnlyList<WhereCondition> where, PageFormat<T> format,
        Func<T, long> idOf, CancellationToken cancellation) : IAsyncDisposable
    {
        readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        readonly Queue<Task<Page<T>>> _ahead = new();
        int _next = 2;
        int _beyond; // pages allowed ahead past the total's last page

        int Limit => Math.Max(1, reader._inFlight.Limit);
        int MostAhead => 2 * Math.Max(Limit, reader._inFlight.Ceiling);

        Task<Page<T>> Fetch(int number) => reader.FetchAsync(path, where, number, format, idOf, _stop.Token);

        public Task<Page<T>> FirstAsync() => reader.FetchAsync(path, where, 1, format, idOf, cancellation);

        /// <summary>The page after a full one.</summary>
        /// <param name="lastPage">The last page by the latest total; null when the answers carry none.</param>
        public async Task<Page<T>> NextAsync(int full, int? lastPage)
        {
            var last = lastPage ?? 1;
            // A full page at or past the total's last page: the total is low or missing, so page on, carefully at first.
            if (full >= last) _beyond = _beyond == 0 ? 1 : Math.Min(Limit, _beyond * 2);
            if (_ahead.Count == 0) _ahead.Enqueue(Fetch(_next++));
            while (true)
            {
                TopUp(last);
                var head = _ahead.Peek();
                if (head.IsCompleted) return await _ahead.Dequeue().ConfigureAwait(false);
                // The head or any other page: one that arrives makes room for the next request. The head may complete
                // between the check above and this list (then the list can be empty: look again).
                var pending = _ahead.Where(t => !t.IsCompleted).ToList();
                if (pending.Count > 0) await Task.WhenAny(pending).ConfigureAwait(false);
            }
        }

        void TopUp(int last)
        {
            var inFlight = _ahead.Count(t => !t.IsCompleted);
            while (inFlight < Limit && _ahead.Count < MostAhead)
            {
                var firstAhead = _next - _ahead.Count;
                var pastLast = Math.Max(0, _next - 1 - Math.Max(last, firstAhead - 1));
                if (_next > last && pastLast >= _beyond) break;
                _ahead.Enqueue(Fetch(_next++));
                inFlight++;
            }
        }

        /// <summary>The page after the last one handed out: awaited if in flight, else asked for or null.</summary>
        public async Task<Page<T>?> FollowingAsync(bool askIfNotInFlight)
        {
            if (_ahead.Count > 0) return await _ahead.Dequeue().ConfigureAwait(false);
            if (!askIfNotInFlight) return null;
            return await Fetch(_next++).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            while (_ahead.Count > 0)
            {
                try { await _ahead.Dequeue().ConfigureAwait(false); }
                catch { /* cancelled, or failed after the run had ended: its answer is not needed */ }
            }
            _stop.Dispose();
        }
    }
}
