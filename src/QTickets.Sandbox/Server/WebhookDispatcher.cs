using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Server;

/// <summary>
/// Delivers webhooks the way QTickets does: a POST of the order's JSON (as `/orders/{id}` serves it) to the
/// configured URL, signed with X-Signature = hex HMAC-SHA1 of the body with the configured secret, with X-Event-Type
/// (created, payed, deleted, refunded as the world's life cycle makes them; updated and checked on request),
/// X-Model-Name: Order and User-Agent: Qtickets-Webhooks/2.0. Only a 200 counts as delivered; after the n-th failed
/// attempt the next is due n³ seconds later on the virtual clock, and after 10 retries the delivery is dropped
/// (counted as dead), as QTickets gives up after about 50 minutes.
/// <para>
/// Deliveries due at the virtual now go out at once, in real time, several at a time. Misbehaviour on demand:
/// every delivery sent twice (duplicates), each wave sent newest first (reorder), a tampered copy of every n-th
/// delivery with the original signature (forgeEvery: the receiver must refuse it), and hold (nothing is sent until
/// released: deliveries pile up, as behind a receiver that was down).
/// </para>
/// </summary>
internal sealed class WebhookDispatcher : IAsyncDisposable
{
    public const int MaxRetries = 10;

    readonly object _sync = new();
    readonly Func<int> _now;
    readonly HttpClient _http;
    readonly List<Delivery> _queue = [];
    readonly SemaphoreSlim _kick = new(0);
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    long _seq, _delivered, _attempts, _failedAttempts, _dead, _duplicates, _forged, _forgedRefused, _forgedAccepted;
    int _inFlight;
    string? _url;
    byte[] _secret = [];

    sealed class Delivery(long seq, long orderId, string eventType, byte[] body, int dueAt)
    {
        public long Seq { get; } = seq;
        public long OrderId { get; } = orderId;
        public string EventType { get; } = eventType;
        public byte[] Body { get; } = body;
        public int DueAt { get; set; } = dueAt;
        public int Failures { get; set; }
        public bool InFlight { get; set; }
    }

    public WebhookDispatcher(Func<int> virtualNow)
    {
        _now = virtualNow;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
        _loop = Task.Run(LoopAsync);
    }

    public int Concurrency { get; private set; } = 16;
    public bool Duplicates { get; private set; }
    public bool Reorder { get; private set; }
    public int ForgeEvery { get; private set; }
    public bool Hold { get; private set; }

    public bool Enabled { get { lock (_sync) return _url is not null; } }

    /// <summary>Applies the fields present in <paramref name="config"/>: url, secret, concurrency, duplicates, reorder, forgeEvery, hold.</summary>
    public void Configure(JObject config)
    {
        lock (_sync)
        {
            if (config["url"] is JString url)
            {
                if (!Uri.TryCreate(url.Value, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                    throw new ArgumentException($"webhook url must be an absolute http(s) URL, not '{url.Value}'");
                _url = url.Value;
            }
            if (config["secret"] is JString secret)
            {
                if (secret.Value.Length == 0) throw new ArgumentException("webhook secret must not be empty");
                _secret = Encoding.UTF8.GetBytes(secret.Value);
            }
            if (config["concurrency"] is JNumber c) Concurrency = Math.Clamp((int)c.AsDouble(), 1, 256);
            if (config["duplicates"] is JBool d) Duplicates = d.Value;
            if (config["reorder"] is JBool r) Reorder = r.Value;
            if (config["forgeEvery"] is JNumber f) ForgeEvery = Math.Max(0, (int)f.AsDouble());
            if (config["hold"] is JBool h) Hold = h.Value;
            if (_url is not null && _secret.Length == 0) throw new ArgumentException("a webhook url needs a secret too");
        }
        _kick.Release();
    }

    /// <summary>Stops delivering: the URL is forgotten and every pending delivery dropped.</summary>
    public void Disable()
    {
        lock (_sync)
        {
            _url = null;
            _queue.RemoveAll(d => !d.InFlight);
        }
    }

    /// <summary>Queues one delivery of <paramref name="body"/>, due now. Ignored while no URL is configured.</summary>
    public void Enqueue(long orderId, string eventType, byte[] body)
    {
        lock (_sync)
        {
            if (_url is null) return;
            _queue.Add(new Delivery(++_seq, orderId, eventType, body, _now()));
        }
    }

    /// <summary>Something may be due (new deliveries, a clock advance, a release).</summary>
    public void Kick() => _kick.Release();

    /// <summary>Waits until nothing due at the virtual now is queued or in flight (or <paramref name="timeout"/> passes).</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        Kick();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            lock (_sync)
            {
                var now = _now();
                if (_inFlight == 0 && (Hold || _url is null || !_queue.Exists(d => d.DueAt <= now))) return true;
            }
            await Task.Delay(10);
        }
        return false;
    }

    public JObject Describe()
    {
        lock (_sync)
        {
            var now = _now();
            var nextDue = _queue.Count == 0 ? (int?)null : _queue.Min(d => d.DueAt);
            return new JObject()
                .Add("url", _url).Add("secretSet", _secret.Length > 0).Add("concurrency", (long)Concurrency)
                .Add("duplicates", Duplicates).Add("reorder", Reorder).Add("forgeEvery", (long)ForgeEvery).Add("hold", Hold)
                .Add("pending", (long)_queue.Count).Add("due", (long)_queue.Count(d => d.DueAt <= now)).Add("inFlight", (long)_inFlight)
                .Add("nextDue", nextDue is { } n ? Data.Time.Render(n) : null)
                .Add("delivered", _delivered).Add("attempts", _attempts).Add("failedAttempts", _failedAttempts).Add("dead", _dead)
                .Add("duplicatesSent", _duplicates).Add("forgedSent", _forged).Add("forgedRefused", _forgedRefused).Add("forgedAccepted", _forgedAccepted);
        }
    }

    /// <summary>The X-Signature QTickets sends: lowercase hex HMAC-SHA1 of the body.</summary>
    public static string Sign(byte[] body, byte[] secret) => Convert.ToHexStringLower(HMACSHA1.HashData(secret, body));

    async Task LoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try { await _kick.WaitAsync(TimeSpan.FromMilliseconds(200), token); }
            catch (OperationCanceledException) { return; }
            List<Delivery> wave;
            string url;
            byte[] secret;
            int concurrency;
            lock (_sync)
            {
                if (_url is null || Hold) continue;
                var now = _now();
                wave = _queue.Where(d => !d.InFlight && d.DueAt <= now).OrderBy(d => d.Seq).ToList();
                if (wave.Count == 0) continue;
                if (Reorder) wave.Reverse();
                foreach (var d in wave) d.InFlight = true;
                _inFlight += wave.Count;
                url = _url;
                secret = _secret;
                concurrency = Reorder ? 1 : Concurrency;
            }
            await Parallel.ForEachAsync(wave, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = token },
                async (d, ct) => await DeliverAsync(d, url, secret, ct));
        }
    }

    async Task DeliverAsync(Delivery d, string url, byte[] secret, CancellationToken ct)
    {
        var signature = Sign(d.Body, secret);
        var ok = await PostAsync(url, d.Body, signature, d.EventType, ct) == 200;
        bool duplicate, forge;
        lock (_sync)
        {
            _attempts++;
            d.InFlight = false;
            _inFlight--;
            if (ok)
            {
                _delivered++;
                _queue.Remove(d);
            }
            else
            {
                _failedAttempts++;
                d.Failures++;
                if (d.Failures > MaxRetries)
                {
                    _dead++;
                    _queue.Remove(d);
                }
                else d.DueAt = _now() + d.Failures * d.Failures * d.Failures;
            }
            duplicate = ok && Duplicates;
            forge = ForgeEvery > 0 && d.Failures == (ok ? 0 : 1) && d.Seq % ForgeEvery == 0;
        }
        if (duplicate)
        {
            await PostAsync(url, d.Body, signature, d.EventType, ct);
            Interlocked.Increment(ref _duplicates);
        }
        if (forge)
        {
            // The body changed after signing: ticket prices with a digit in front, the signature of the real body.
            var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(d.Body).Replace("\"price\":", "\"price\":9", StringComparison.Ordinal));
            var status = await PostAsync(url, tampered, signature, d.EventType, ct);
            Interlocked.Increment(ref _forged);
            if (status == 401) Interlocked.Increment(ref _forgedRefused);
            else if (status == 200) Interlocked.Increment(ref _forgedAccepted);
        }
        Kick();
    }

    async Task<int> PostAsync(string url, byte[] body, string signature, string eventType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Signature", signature);
        request.Headers.TryAddWithoutValidation("X-Event-Type", eventType);
        request.Headers.TryAddWithoutValidation("X-Model-Name", "Order");
        request.Headers.TryAddWithoutValidation("User-Agent", "Qtickets-Webhooks/2.0");
        try
        {
            using var response = await _http.SendAsync(request, ct);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop; } catch (OperationCanceledException) { }
        _http.Dispose();
    }
}
