using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using QTickets.Core.Contracts;
using static QTickets.Unit.Tests.Api.ApiKit;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// Retries, waits, timeouts, the breaker and error shapes, against an in-memory API on a 100× clock: the
/// waits asserted are the ones the client chose (virtual seconds), the test takes milliseconds.
/// </summary>
public sealed class ApiClientResilienceTests
{
    static readonly string OnePage = $"{{\"data\":[{FakeApi.Order(1, Since.AddDays(1))}],\"paging\":{{\"perPage\":50,\"currentPage\":1,\"total\":1}}}}";

    /// <summary>An API whose first <paramref name="failures"/> answers come from <paramref name="failure"/>, then a good page.</summary>
    static FakeApi Failing(int failures, Func<int, HttpResponseMessage> failure) => new()
    {
        Intercept = (_, call) => Task.FromResult<HttpResponseMessage?>(call < failures ? failure(call) : FakeApi.Json(200, OnePage)),
    };

    static Task<List<QTickets.Core.Model.Order>> ReadAsync(IQTicketsApi client, CancellationToken cancellation = default) =>
        client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until), cancellation).ToListAsync(cancellation);

    [Fact]
    public async Task A_503_storm_is_survived_with_exponential_backoff()
    {
        var api = Failing(3, _ => FakeApi.Json(503, """{"error":"Unknown error","status":503,"code":"UNKNOWN_ERROR","info":[]}"""));
        var waits = new ConcurrentQueue<TimeSpan>();
        var observer = new RecordingObserver();
        using var client = Create(FastOptions(api, waits.Enqueue, attempts: 6), observer);

        var orders = await ReadAsync(client);

        Assert.Single(orders);
        Assert.Equal(3, waits.Count);
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(60)));
        Assert.Equal(3, observer.VerboseLines.Count(l => l.StartsWith("Retrying in", StringComparison.Ordinal) && l.Contains("HTTP 503")));
    }

    [Fact]
    public async Task Retry_After_in_seconds_is_the_wait()
    {
        var api = Failing(2, _ => FakeApi.Json(429, """{"error":"Too Many Requests","status":429}""", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7))));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Create(FastOptions(api, waits.Enqueue));

        Assert.Single(await ReadAsync(client));
        Assert.Equal(new[] { TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7) }, waits);
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_is_measured_against_the_answers_Date()
    {
        // The server's clock is a year off ours: only its own Date header gives the wait it meant.
        var serverNow = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var api = Failing(1, _ => FakeApi.Json(429, "{}", r =>
        {
            r.Headers.Date = serverNow;
            r.Headers.RetryAfter = new RetryConditionHeaderValue(serverNow.AddSeconds(12));
        }));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Create(FastOptions(api, waits.Enqueue));

        Assert.Single(await ReadAsync(client));
        Assert.Equal(new[] { TimeSpan.FromSeconds(12) }, waits);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_cap_waits_the_cap()
    {
        var api = Failing(1, _ => FakeApi.Json(503, "{}", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromHours(1))));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Create(FastOptions(api, waits.Enqueue));

        Assert.Single(await ReadAsync(client));
        Assert.Equal(new[] { TimeSpan.FromSeconds(60) }, waits);
    }

    [Theory]
    [InlineData(400, """{"error":"bad request","status":400}""")]
    [InlineData(404, "<html><title>Страница не найдена 404 – Qtickets</title></html>")]
    [InlineData(422, """{"error":"unprocessable","status":422}""")]
    public async Task Other_4xx_are_never_retried(int status, string body)
    {
        var api = Failing(100, _ => FakeApi.Json(status, body));
        using var client = Create(FastOptions(api));

        var ex = await Assert.ThrowsAsync<QTicketsApiException>(() => ReadAsync(client));

        Assert.Single(api.Requests);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(1, ex.Attempts);
        Assert.Contains($"HTTP {status}", ex.Message);
    }

    [Fact]
    public async Task A_403_is_an_authentication_error_naming_QTICKETS_TOKEN_not_the_token()
    {
        var api = Failing(100, _ => FakeApi.Json(403, """{"error":"Some error","status":403}"""));
        var observer = new RecordingObserver();
        using var client = Create(FastOptions(api), observer);

        var ex = await Assert.ThrowsAsync<QTicketsAuthenticationException>(() => ReadAsync(client));

        Assert.Single(api.Requests);
        Assert.Contains("QTICKETS_TOKEN", ex.Message);
        Assert.Contains(Token[..2] + "***" + Token[^2..], ex.Message);
        Assert.DoesNotContain(Token, ex.ToString());
        Assert.DoesNotContain(Token, observer.AllText());
    }

    [Fact]
    public async Task Exhausted_retries_report_attempts_last_status_and_a_short_body_excerpt_without_the_token()
    {
        // A server that echoes the request's Authorization header back in a long error body.
        var body = "{\"error\":\"Unknown error\",\"echo\":\"Bearer " + Token + "\",\"pad\":\"" + new string('x', 1000) + "\"}";
        var api = Failing(100, _ => FakeApi.Json(503, body));
        var observer = new RecordingObserver();
        using var client = Create(FastOptions(api, attempts: 4), observer);

        var ex = await Assert.ThrowsAsync<QTicketsUnavailableException>(() => ReadAsync(client));

        Assert.Equal(4, api.Requests.Count);
        Assert.Equal(4, ex.Attempts);
        Assert.Equal(503, ex.StatusCode);
        Assert.Contains("after 4 attempt(s)", ex.Message);
        Assert.Contains("HTTP 503", ex.Message);
        Assert.InRange(ex.BodyExcerpt.Length, 1, 301);
        Assert.StartsWith("{\"error\":\"Unknown error\"", ex.BodyExcerpt);
        Assert.DoesNotContain(Token, ex.ToString());
        Assert.DoesNotContain(Token, observer.AllText());
        Assert.False(ex.TimedOut);
    }

    [Fact]
    public async Task A_truncated_body_is_retried_then_read_in_full()
    {
        var api = Failing(2, _ => FakeApi.Json(200, OnePage[..(OnePage.Length / 2)]));
        using var client = Create(FastOptions(api));

        Assert.Single(await ReadAsync(client));
        Assert.Equal(3, api.Requests.Count(r => r.Where("id", ">") is null)); // page 1, twice more; then the sweep
    }

    [Fact]
    public async Task A_body_that_stays_truncated_fails_naming_endpoint_page_and_byte_offset()
    {
        var cut = OnePage.Length / 2;
        var api = Failing(100, _ => FakeApi.Json(200, OnePage[..cut]));
        using var client = Create(FastOptions(api, attempts: 3));

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => ReadAsync(client));

        Assert.Equal(3, api.Requests.Count);
        Assert.Contains("GET /orders page 1", ex.Message);
        Assert.Contains("malformed JSON", ex.Message);
        Assert.Equal(0, ex.LineNumber);
        Assert.InRange(ex.BytePosition!.Value, cut - 200, cut);
        Assert.Contains($"byte {ex.BytePosition}", ex.Message);
    }

    [Fact]
    public async Task A_cut_off_page_quoted_in_the_error_keeps_the_clients_contacts_out()
    {
        // The genuine first page starts with the first order's client: e-mail, name, surname, phone.
        var genuine = File.ReadAllText(QTickets.Tests.Shared.Fixtures.PathOf("orders_page1.json"));
        var api = Failing(100, _ => FakeApi.Json(200, genuine[..2000]));
        using var client = Create(FastOptions(api, attempts: 2));

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => ReadAsync(client));

        Assert.Contains("Body starts:", ex.Message);
        Assert.Contains("\"id\":1614202", ex.Message);
        foreach (var personal in new[] { "buyer1@example.test", "Name1", "Surname1", "+70000000001", "qMjwO9uXGx" })
            Assert.DoesNotContain(personal, ex.ToString());
    }

    [Fact]
    public async Task Connection_failures_and_a_connection_reset_mid_body_are_retried()
    {
        var api = new FakeApi
        {
            Intercept = (_, call) => call switch
            {
                0 => throw new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)),
                1 => Task.FromResult<HttpResponseMessage?>(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StreamContent(new ResetStream(OnePage)) }),
                _ => Task.FromResult<HttpResponseMessage?>(FakeApi.Json(200, OnePage)),
            },
        };
        using var client = Create(FastOptions(api));

        Assert.Single(await ReadAsync(client));
        Assert.Equal(3, api.Requests.Count(r => r.Where("id", ">") is null));
    }

    [Fact]
    public async Task A_FileLoadException_is_not_mistaken_for_a_network_error()
    {
        var api = new FakeApi { Intercept = (_, _) => throw new FileLoadException("manifest definition does not match") };
        using var client = Create(FastOptions(api));

        await Assert.ThrowsAsync<FileLoadException>(() => ReadAsync(client));
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task A_dead_API_fails_within_its_deadline()
    {
        var api = new FakeApi { Intercept = async (_, _) => { await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)); return null; } };
        var options = FastOptions(api, attempts: 100) with { AttemptTimeout = TimeSpan.FromSeconds(20), Deadline = TimeSpan.FromSeconds(90), BreakerMinimumThroughput = 1000 };
        var observer = new RecordingObserver();
        using var client = Create(options, observer);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<QTicketsUnavailableException>(() => ReadAsync(client));

        Assert.True(ex.TimedOut);
        Assert.Contains("deadline of 90 s", ex.Message);
        Assert.InRange(api.Requests.Count, 1, 5); // 20 s attempts plus back-off within 90 s
        Assert.Contains(observer.VerboseLines, l => l.Contains("after TimeoutRejectedException"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}"); // 90 virtual seconds
    }

    [Fact]
    public async Task The_circuit_breaker_stops_a_run_against_an_API_that_keeps_failing()
    {
        var api = Failing(1000, _ => FakeApi.Json(502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"));
        var observer = new RecordingObserver();
        using var client = Create(FastOptions(api, attempts: 50) with { BreakerMinimumThroughput = 3 }, observer);

        var ex = await Assert.ThrowsAsync<QTicketsUnavailableException>(() => ReadAsync(client));

        Assert.True(ex.CircuitOpen);
        Assert.Equal(3, api.Requests.Count);
        Assert.Contains("HTTP 502", ex.Message);
        Assert.Contains("circuit breaker is open", ex.Message);
        Assert.Contains(observer.Warnings, w => w.Contains("requests stop for"));
    }

    [Fact]
    public async Task Cancellation_stops_a_hanging_request_long_before_it_would_answer()
    {
        // The bound proves the request was cut (it would hang for 30 s) while leaving room for a CPU-starved test
        // machine: other test classes run beside this one.
        var api = new FakeApi { Intercept = async (_, _) => { await Task.Delay(TimeSpan.FromSeconds(30)); return null; } };
        using var client = Create(FastOptions(api, speed: 1) with { AttemptTimeout = TimeSpan.FromMinutes(5) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAsync(client, cts.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Every_request_writes_one_verbose_line_with_status_time_items_and_the_token_fingerprint()
    {
        var api = Failing(1, _ => FakeApi.Json(503, "{}"));
        var observer = new RecordingObserver();
        using var client = Create(FastOptions(api), observer);

        await ReadAsync(client);

        var lines = observer.VerboseLines.Where(l => l.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        Assert.Equal(api.Requests.Count, lines.Count);
        Assert.Matches(@"^GET /orders page 1: 503 in \d+ ms \(token qt\*\*\*1b\)$", lines[0]);
        Assert.Matches(@"^GET /orders page 1 \(attempt 2\): 200, 1 items in \d+ ms \(token qt\*\*\*1b\)$", lines[1]);
        Assert.DoesNotContain(Token, observer.AllText());
    }

    /// <summary>A body stream that delivers part of the body, then fails like a reset connection.</summary>
    sealed class ResetStream(string body) : MemoryStream(System.Text.Encoding.UTF8.GetBytes(body[..(body.Length / 2)]))
    {
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var n = await base.ReadAsync(buffer, offset, count, cancellationToken);
            return n > 0 ? n : throw new IOException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset));
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await base.ReadAsync(buffer, cancellationToken);
            return n > 0 ? n : throw new IOException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset));
        }
    }
}
