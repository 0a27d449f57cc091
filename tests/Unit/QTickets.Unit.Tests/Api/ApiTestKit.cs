using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// A clock that runs <c>speed</c> times faster than real time, for every wait and timeout the client makes:
/// a 60 s Retry-After takes 0.6 s at speed 100, yet the client still computes (and tests assert) 60 s.
/// </summary>
public sealed class ScaledTimeProvider(double speed) : TimeProvider
{
    readonly DateTimeOffset _origin = DateTimeOffset.UtcNow;
    readonly long _start = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => _origin + Stopwatch.GetElapsedTime(_start) * speed;

    public override long GetTimestamp() => _start + (long)((Stopwatch.GetTimestamp() - _start) * speed);

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan ? t : TimeSpan.FromTicks((long)(t.Ticks / speed));

    sealed class ScaledTimer(ITimer inner, ScaledTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Scale(dueTime), clock.Scale(period));
        public void Dispose() => inner.Dispose();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>Everything the client reported, thread-safe.</summary>
public sealed class RecordingObserver : IRunObserver
{
    readonly ConcurrentQueue<string> _verbose = new();
    readonly ConcurrentQueue<string> _warnings = new();
    readonly ConcurrentQueue<ProgressUpdate> _progress = new();

    public IReadOnlyList<string> VerboseLines => _verbose.ToArray();
    public IReadOnlyList<string> Warnings => _warnings.ToArray();
    public IReadOnlyList<ProgressUpdate> Progress => _progress.ToArray();

    public void Verbose(string message) => _verbose.Enqueue(message);
    public void Warning(string message) => _warnings.Enqueue(message);
    void IRunObserver.Progress(ProgressUpdate update) => _progress.Enqueue(update);

    public string AllText() => string.Join("\n", VerboseLines.Concat(Warnings).Concat(Progress.Select(p => p.Activity + " " + p.Status)));
}

/// <summary>One request as the fake API saw it.</summary>
public sealed record SeenRequest(HttpMethod Method, string Path, string? Body, string? Authorization, string? Accept,
    string? CacheControl, string? ContentType)
{
    public JsonElement? Json => Body is null ? null : JsonDocument.Parse(Body).RootElement.Clone();
    public int Page => Json is JsonElement j && j.TryGetProperty("page", out var p) ? p.GetInt32() : 0;

    /// <summary>The value of a `where` condition "column operator", or null.</summary>
    public string? Where(string column, string op)
    {
        if (Json is not JsonElement j || !j.TryGetProperty("where", out var where)) return null;
        foreach (var c in where.EnumerateArray())
            if (c.GetProperty("column").GetString() == column && c.GetProperty("operator").GetString() == op)
                return c.GetProperty("value").ToString();
        return null;
    }
}

/// <summary>
/// An in-memory QTickets: serves /orders pages from a list (id order, page and `id >` honoured, other filters
/// ignored so the client's own re-check is exercised) and lets a test replace any answer.
/// </summary>
public sealed class FakeApi : HttpMessageHandler
{
    readonly object _lock = new();
    readonly List<string> _orders = new();
    int _inFlight;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();
    public int PerPage { get; set; } = 10;
    public int MaxInFlight { get; private set; }
    /// <summary>Called with each request before the default answer; return a response to replace it.</summary>
    public Func<SeenRequest, int, Task<HttpResponseMessage?>>? Intercept { get; set; }
    /// <summary>Called before a list page is served (e.g. to insert orders while a read is under way).</summary>
    public Action<SeenRequest>? BeforePage { get; set; }
    /// <summary>Random delay per answer, to shuffle completion order of pages in flight.</summary>
    public int MaxDelayMs { get; set; }
    /// <summary>A lying API: paging.total reported instead of the real count.</summary>
    public long? ReportedTotal { get; set; }
    /// <summary>A lying API: paging.perPage reported instead of <see cref="PerPage"/>.</summary>
    public int? ReportedPerPage { get; set; }
    /// <summary>A lying API: answers without paging.</summary>
    public bool NoPaging { get; set; }
    /// <summary>An API that serves page 1 whatever page is asked for.</summary>
    public bool IgnorePage { get; set; }
    /// <summary>An API that ignores the `id >` condition.</summary>
    public bool IgnoreIdFilter { get; set; }
    /// <summary>Rewrites a page's rows (page number, rows in id order) before it is served.</summary>
    public Func<int, List<string>, List<string>>? Rows { get; set; }
    /// <summary>List requests served with a page (not replaced by <see cref="Intercept"/>).</summary>
    public int PagesServed => _pagesServed;
    int _pagesServed;

    public FakeApi AddOrders(IEnumerable<string> orders)
    {
        lock (_lock)
        {
            _orders.AddRange(orders);
            _orders.Sort((a, b) => IdOf(a).CompareTo(IdOf(b)));
        }
        return this;
    }

    static long IdOf(string order) => JsonDocument.Parse(order).RootElement.GetProperty("id").GetInt64();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var seen = new SeenRequest(request.Method, request.RequestUri!.AbsolutePath.Replace("/api/rest/v1", ""), body,
            request.Headers.Authorization?.ToString(), request.Headers.Accept.ToString(), request.Headers.CacheControl?.ToString(),
            request.Content?.Headers.ContentType?.MediaType);
        var call = Requests.Count;
        Requests.Enqueue(seen);
        var now = Interlocked.Increment(ref _inFlight);
        lock (_lock) MaxInFlight = Math.Max(MaxInFlight, now);
        try
        {
            if (MaxDelayMs > 0) await Task.Delay(Random.Shared.Next(MaxDelayMs), cancellationToken);
            if (Intercept is not null && await Intercept(seen, call).WaitAsync(cancellationToken) is { } replaced) return replaced;
            if (seen.Path == "/orders") return Page(seen);
            return Json(404, """{"error":"Resource \"Order\" not found","status":404,"code":"RESOURCE_NOT_FOUND","info":{"id":1,"resource":"Order"}}""");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    HttpResponseMessage Page(SeenRequest seen)
    {
        BeforePage?.Invoke(seen);
        Interlocked.Increment(ref _pagesServed);
        List<string> matching;
        lock (_lock)
        {
            var after = !IgnoreIdFilter && seen.Where("id", ">") is string a ? long.Parse(a) : long.MinValue;
            matching = _orders.Where(o => IdOf(o) > after).ToList();
        }
        var page = IgnorePage ? 1 : Math.Max(1, seen.Page);
        var items = matching.Skip((page - 1) * PerPage).Take(PerPage).ToList();
        if (Rows is not null) items = Rows(page, items);
        var paging = NoPaging ? "" : $",\"paging\":{{\"perPage\":{ReportedPerPage ?? PerPage},\"currentPage\":{page},\"total\":{ReportedTotal ?? matching.Count}}}";
        return Json(200, $"{{\"data\":[{string.Join(",", items)}]{paging}}}");
    }

    public static HttpResponseMessage Json(int status, string body, Action<HttpResponseMessage>? headers = null)
    {
        var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        headers?.Invoke(r);
        return r;
    }

    /// <summary>A minimal order in the API's shape, with personal data so leaks are detectable.</summary>
    public static string Order(long id, DateTimeOffset? payedAt, bool deleted = false, DateTimeOffset? updatedAt = null)
    {
        string T(DateTimeOffset t) => "\"" + t.ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd'T'HH:mm:sszzz") + "\"";
        var created = (payedAt ?? new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.FromHours(3))).AddMinutes(-1);
        return $"{{\"id\":{id},\"uniqid\":\"u{id}\",\"payed\":{(payedAt is null ? "false" : "true")},\"payed_at\":{(payedAt is null ? "null" : T(payedAt.Value))}," +
               $"\"client_id\":1,\"client\":{{\"id\":1,\"email\":\"buyer{id}@example.test\",\"details\":{{\"id\":1,\"name\":\"N\",\"middlename\":null,\"surname\":\"S\",\"phone\":\"+70000000{id % 1000:000}\",\"vk_id\":\"\",\"facebook_id\":\"\"}}}}," +
               $"\"event_id\":31000,\"price\":900,\"original_price\":1000,\"currency_id\":\"RUB\",\"utm\":[],\"custom\":\"\",\"fields\":[]," +
               $"\"baskets\":[],\"refunds\":[],\"integrations\":[],\"created_at\":{T(created)},\"updated_at\":{T(updatedAt ?? created.AddMinutes(1))}," +
               $"\"deleted_at\":{(deleted ? T(created.AddHours(1)) : "null")}}}";
    }
}

public static class ApiKit
{
    public const string Token = "qt-UNIT-t0ken-SECRET-5f4e3d2c1b";

    public static QTicketsConfig Config(string baseUrl = "http://127.0.0.1:9/api/rest/v1", string token = Token) =>
        new ConfigLoader(new Hashtable()).WithParameter("Token", token).WithParameter("BaseUrl", baseUrl).Load(ConfigNeeds.Api);

    /// <summary>
    /// Options for fast tests: the real delays on a 100× clock, and a generous attempt timeout (10 virtual
    /// minutes = 6 s) so a cold first request on a busy machine never counts as timed out.
    /// </summary>
    public static ApiOptions FastOptions(HttpMessageHandler? handler = null, Action<TimeSpan>? waits = null, int attempts = 4, double speed = 100) => new()
    {
        MaxAttempts = attempts,
        BaseDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(60),
        AttemptTimeout = TimeSpan.FromMinutes(10),
        Deadline = TimeSpan.FromHours(1),
        TimeProvider = new ScaledTimeProvider(speed),
        Handler = handler,
        RetryWaitObserved = waits,
    };

    public static IQTicketsApi Create(ApiOptions options, IRunObserver? observer = null, string baseUrl = "http://127.0.0.1:9/api/rest/v1", string token = Token) =>
        new QTickets.Engine.Engine().CreateApi(Config(baseUrl, token), options, observer ?? NullRunObserver.Instance);

    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> items, CancellationToken cancellation = default)
    {
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(cancellation)) list.Add(item);
        return list;
    }

    public static readonly DateTimeOffset Since = new(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(3));
    public static readonly DateTimeOffset Until = new(2026, 11, 20, 0, 0, 0, TimeSpan.FromHours(3));
}
