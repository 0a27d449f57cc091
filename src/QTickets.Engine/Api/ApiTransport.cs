using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;

namespace QTickets.Engine.Api;

/// <summary>
/// Sends one request with the resilience the API needs and returns its parsed JSON, or throws one of the
/// Contracts exceptions. Strategies, outermost first: the request's deadline, retries (429, 5xx, timeouts,
/// network errors, truncated bodies; exponential back-off with jitter or Retry-After, capped), a breaker shared
/// by every request of this client, and the per-attempt timeout. Every attempt writes one verbose line.
/// </summary>
internal sealed class ApiTransport : IDisposable
{
    const int ExcerptLength = 300;

    readonly HttpClient _http;
    readonly string _baseUrl;
    readonly string _token;
    readonly string _fingerprint;
    readonly ApiOptions _options;
    readonly IRunObserver _observer;
    readonly ResiliencePipeline<ApiAttempt> _pipeline;
    readonly PagesInFlight _pages;
    // The breaker fails requests that never reached the server; they report the last answer that did.
    volatile string _lastFailure = "no answer yet";

    /// <param name="pages">Told what every attempt said about the API's capacity.</param>
    public ApiTransport(Uri baseUrl, string token, string fingerprint, ApiOptions options, IRunObserver observer, PagesInFlight pages)
    {
        _pages = pages;
        _baseUrl = baseUrl.ToString().TrimEnd('/');
        _token = token;
        _fingerprint = fingerprint;
        _options = options;
        _observer = observer;
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.AttemptTimeout,
        };
        // Timeouts are Polly's job (per attempt and per request); HttpClient's own would race them.
        _http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = Timeout.InfiniteTimeSpan };
        _pipeline = BuildPipeline();
    }

    public string TokenFingerprint => _fingerprint;

    public void Dispose() => _http.Dispose();

    /// <summary>The answer's JSON (the caller disposes it). Throws Contracts exceptions on failure.</summary>
    public async Task<JsonDocument> SendAsync(ApiRequest request, CancellationToken cancellation) =>
        (JsonDocument)await SendAsync(new RequestState(this, request, null, cancellation)).ConfigureAwait(false);

    /// <summary>
    /// The answer as <paramref name="read"/> makes it from the body's bytes, for an answer read in one pass without a
    /// JsonDocument (orders pages). Throws Contracts exceptions on failure, and whatever <paramref name="read"/> throws
    /// other than a <see cref="JsonException"/>.
    /// </summary>
    public async Task<TAnswer> SendAsync<TAnswer>(ApiRequest request, Utf8AnswerReader<TAnswer> read, CancellationToken cancellation)
        where TAnswer : class =>
        (TAnswer)await SendAsync(new RequestState(this, request, read, cancellation)).ConfigureAwait(false);

    async Task<object> SendAsync(RequestState state)
    {
        var request = state.Request;
        var cancellation = state.Cancellation;
        ApiAttempt answer;
        try
        {
            answer = await _pipeline.ExecuteAsync(static (s, ct) => s.Transport.AttemptAsync(s, ct), state, cancellation)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException ex)
        {
            throw new QTicketsUnavailableException(
                $"{request.Describe} was not sent: the QTickets API failed repeatedly and the circuit breaker is open " +
                $"(for {_options.BreakDuration.TotalSeconds:0} s). Last answer: {_lastFailure}.",
                request.Describe, state.LastStatus, state.LastExcerpt, state.Attempts, timedOut: false, circuitOpen: true, ex);
        }
        catch (MalformedBodyException ex)
        {
            throw new QTicketsResponseException(
                $"{request.Describe} returned malformed JSON (HTTP {ex.Status}, {ex.Length} bytes): it breaks at line {ex.LineNumber ?? 0}, " +
                $"byte {ex.BytePosition ?? 0}, after {state.Attempts} attempt(s). Body starts: {Excerpt(ex.Body)}",
                request.Describe, ex.Status, Excerpt(ex.Body), state.Attempts, ex.LineNumber, ex.BytePosition, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            // Which timeout fired is the strategy's own (its Timeout), not a clock reading taken afterwards: under
            // load the elapsed time read here could still be short of the deadline that fired.
            var deadline = ex.Timeout == _options.Deadline || state.Elapsed >= _options.Deadline;
            throw new QTicketsUnavailableException(
                (deadline
                    ? $"{request.Describe} did not complete within its deadline of {_options.Deadline.TotalSeconds:0} s"
                    : $"{request.Describe} timed out on every attempt ({_options.AttemptTimeout.TotalSeconds:0} s each)") +
                $" after {state.Attempts} attempt(s). Last answer: {state.LastAnswer}.",
                request.Describe, state.LastStatus, state.LastExcerpt, state.Attempts, timedOut: true, circuitOpen: false, ex);
        }
        catch (Exception ex) when (TransientFailure.IsTransient(ex))
        {
            throw new QTicketsUnavailableException(
                $"{request.Describe} failed after {state.Attempts} attempt(s): {Scrub(ex.Message)}. Last answer: {state.LastAnswer}.",
                request.Describe, state.LastStatus, state.LastExcerpt, state.Attempts, timedOut: false, circuitOpen: false, ex);
        }

        if (answer.IsSuccess) return answer.Answer!;
        throw Failure(request, answer, state.Attempts);
    }

    Exception Failure(ApiRequest request, ApiAttempt answer, int attempts)
    {
        var excerpt = Excerpt(answer.Body);
        if (answer.Status is 401 or 403)
            return new QTicketsAuthenticationException(
                $"QTickets refused the token {_fingerprint} (HTTP {answer.Status} on {request.Describe}). Check QTICKETS_TOKEN " +
                "(or -Token): copy the token again from " + TokenSource.CabinetLocation + ". Answer: " + excerpt,
                request.Describe, answer.Status, excerpt);
        if (answer.Status == 404 && NotFound(answer.Body) is (string resource, long id))
            return new QTicketsNotFoundException($"QTickets has no {resource} with id {id} ({request.Describe}: 404 RESOURCE_NOT_FOUND).",
                request.Describe, resource, id, excerpt);
        if (TransientFailure.IsTransientStatus(answer.Status))
            return new QTicketsUnavailableException(
                $"{request.Describe} failed after {attempts} attempt(s); the last answer was HTTP {answer.Status}: {excerpt}",
                request.Describe, answer.Status, excerpt, attempts, timedOut: false, circuitOpen: false);
        var hint = answer.Status == 404 ? " (an HTML 404 means the route does not exist: check QTICKETS_BASE_URL)" : "";
        return new QTicketsApiException($"{request.Describe} was rejected with HTTP {answer.Status}{hint}: {excerpt}",
            request.Describe, answer.Status, excerpt, attempts);
    }

    static (string, long)? NotFound(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("code", out var code) ||
                code.ValueKind != JsonValueKind.String || code.GetString() != "RESOURCE_NOT_FOUND")
                return null;
            string resource = "resource";
            long id = 0;
            if (root.TryGetProperty("info", out var info) && info.ValueKind == JsonValueKind.Object)
            {
                if (info.TryGetProperty("resource", out var r) && r.ValueKind == JsonValueKind.String) resource = r.GetString()!;
                if (info.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number) i.TryGetInt64(out id);
            }
            return (resource, id);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    async ValueTask<ApiAttempt> AttemptAsync(RequestState state, CancellationToken cancellation)
    {
        state.Attempts++;
        var started = Stopwatch.GetTimestamp();
        var ticket = _pages.Sent();
        var request = state.Request;
        using var message = new HttpRequestMessage(HttpMethod.Get, _baseUrl + request.Path);
        // The headers of every documented example.
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        message.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (request.Body is not null)
            message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        var attemptNote = state.Attempts > 1 ? $" (attempt {state.Attempts})" : "";
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var retryAfter = RetryAfter.From(response.Headers, _options.TimeProvider.GetUtcNow());
            object? answer = null;
            var items = 0;
            byte[] body;
            if (status is >= 200 and < 300)
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
                if (state.Read is { } read)
                {
                    using var whole = await PooledBody.ReadAsync(stream, response.Content.Headers.ContentLength, cancellation).ConfigureAwait(false);
                    try
                    {
                        answer = read(whole.Span, out items);
                    }
                    catch (JsonException ex)
                    {
                        throw Malformed(new MalformedBodyException(status, whole.Prefix(ExcerptLength * 4), whole.Length, ex));
                    }
                }
                else
                {
                    // Parsed from the stream: JsonDocument reads into pooled buffers and gives them back on Dispose (a
                    // byte[] per answer would be large-object-heap garbage, see PooledBody).
                    var recorded = new PrefixRecordingStream(stream, ExcerptLength * 4);
                    try
                    {
                        var json = await JsonDocument.ParseAsync(recorded, default, cancellation).ConfigureAwait(false);
                        items = Items(json);
                        answer = json;
                    }
                    catch (JsonException ex)
                    {
                        throw Malformed(new MalformedBodyException(status, recorded.Prefix, recorded.BytesRead, ex));
                    }
                }
                body = []; // a read answer is used as read; only failures quote the body
            }
            else
            {
                body = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
                state.Record(status, Excerpt(body), $"HTTP {status}: {Excerpt(body)}");
                if (TransientFailure.IsTransientStatus(status)) _lastFailure = state.LastAnswer;
            }
            Verbose(request, attemptNote, answer is null ? $"{status}" : $"{status}, {items} items", started);
            if (answer is not null) Signal(ticket, AttemptSignal.Answered, started);
            else if (status == 429) Signal(ticket, AttemptSignal.Throttled, started);
            else if (TransientFailure.IsTransientStatus(status)) Signal(ticket, AttemptSignal.Unavailable, started);
            return new ApiAttempt(status, body, answer, retryAfter);

            MalformedBodyException Malformed(MalformedBodyException malformed)
            {
                state.Record(malformed.Status, Excerpt(malformed.Body), $"HTTP {malformed.Status} with {malformed.Message}");
                Verbose(request, attemptNote, $"{malformed.Status}, {malformed.Message}", started);
                Signal(ticket, AttemptSignal.Unavailable, started);
                return malformed;
            }
        }
        catch (Exception ex) when (ex is not MalformedBodyException && TransientFailure.IsTransient(ex))
        {
            state.Record(null, "", $"{ex.GetType().Name}: {Scrub(ex.Message)}");
            _lastFailure = state.LastAnswer;
            Verbose(request, attemptNote, $"failed ({state.LastAnswer})", started);
            Signal(ticket, AttemptSignal.Unavailable, started);
            throw;
        }
        catch (OperationCanceledException)
        {
            // The per-attempt timeout (Polly turns it into TimeoutRejectedException), the deadline, or Ctrl+C.
            // The last answer stays what it was: a deadline message should name the last real answer.
            Verbose(request, attemptNote, "no answer (timed out or cancelled)", started);
            // Cancelled by the caller (Ctrl+C, or the reader dropping pages it no longer needs) says nothing of the API.
            if (!state.Cancellation.IsCancellationRequested) Signal(ticket, AttemptSignal.TimedOut, started);
            throw;
        }
    }

    void Signal(long ticket, AttemptSignal signal, long started)
    {
        var now = Stopwatch.GetTimestamp();
        if (_pages.Record(ticket, signal, Stopwatch.GetElapsedTime(started, now), Stopwatch.GetElapsedTime(0, now)) is { } change)
            _observer.Verbose(change.ToString());
    }

    void Verbose(ApiRequest request, string attemptNote, string outcome, long started)
    {
        var ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _observer.Verbose($"{request.Describe}{attemptNote}: {outcome} in {ms} ms (token {_fingerprint})");
    }

    static int Items(JsonDocument json)
    {
        var root = json.RootElement;
        if (root.ValueKind == JsonValueKind.Array) return root.GetArrayLength();
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data)) return 1;
        return data.ValueKind switch
        {
            JsonValueKind.Array => data.GetArrayLength(),
            JsonValueKind.Object when !data.TryGetProperty("id", out _) => data.EnumerateObject().Count(),
            _ => 1,
        };
    }

    /// <summary>At most 300 characters of a body, the token (should a server echo it) replaced by its fingerprint.</summary>
    string Excerpt(byte[] body)
    {
        var length = Math.Min(body.Length, ExcerptLength * 4);
        var text = Encoding.UTF8.GetString(body, 0, length);
        // Error messages reach cron logs and meta_job_runs: a cut-off orders page starts with the client's contacts.
        text = Scrub(QTickets.Core.Json.PersonalData.MaskText(text)).ReplaceLineEndings(" ");
        return text.Length > ExcerptLength ? text[..ExcerptLength] + "…" : text;
    }

    string Scrub(string text) => _token.Length == 0 ? text : text.Replace(_token, _fingerprint, StringComparison.Ordinal);

    ResiliencePipeline<ApiAttempt> BuildPipeline()
    {
        var o = _options;
        var handle = new PredicateBuilder<ApiAttempt>()
            .HandleResult(a => TransientFailure.IsTransientStatus(a.Status))
            .Handle<Exception>(TransientFailure.IsTransient);
        var builder = new ResiliencePipelineBuilder<ApiAttempt> { TimeProvider = o.TimeProvider }
            .AddTimeout(o.Deadline);
        if (o.MaxAttempts > 1)
            builder.AddRetry(new RetryStrategyOptions<ApiAttempt>
            {
                ShouldHandle = handle,
                MaxRetryAttempts = o.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.BaseDelay,
                MaxDelay = o.MaxDelay,
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Result?.RetryAfter is TimeSpan wait ? (wait > o.MaxDelay ? o.MaxDelay : wait) : null),
                OnRetry = args =>
                {
                    o.RetryWaitObserved?.Invoke(args.RetryDelay);
                    var why = args.Outcome.Result is { } r
                        ? $"HTTP {r.Status}{(r.RetryAfter is null ? "" : ", Retry-After " + r.RetryAfter.Value.TotalSeconds.ToString("0.###") + " s")}"
                        : args.Outcome.Exception?.GetType().Name ?? "failure";
                    _observer.Verbose($"Retrying in {args.RetryDelay.TotalSeconds:0.0##} s after {why} (attempt {args.AttemptNumber + 2} of {o.MaxAttempts})");
                    return default;
                },
            });
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<ApiAttempt>
        {
            ShouldHandle = handle,
            // Not 1.0: one success early in the window (page 1) must not keep a dead API's breaker closed;
            // an intermittent API (half its answers fail) stays well below it.
            FailureRatio = 0.9,
            MinimumThroughput = Math.Max(2, o.BreakerMinimumThroughput),
            SamplingDuration = o.BreakerSamplingDuration,
            BreakDuration = o.BreakDuration,
            OnOpened = args =>
            {
                _observer.Warning($"The QTickets API failed at least {o.BreakerMinimumThroughput} times in {o.BreakerSamplingDuration.TotalSeconds:0} s; requests stop for " +
                                  $"{o.BreakDuration.TotalSeconds:0} s. Last answer: {_lastFailure}.");
                return default;
            },
        });
        return builder.AddTimeout(o.AttemptTimeout).Build();
    }

    /// <summary>What the attempts of one request saw, for the final error message.</summary>
    sealed class RequestState(ApiTransport transport, ApiRequest request, Utf8AnswerReader<object>? read, CancellationToken cancellation)
    {
        /// <summary>How a 2xx body becomes the answer; null: a JsonDocument.</summary>
        public Utf8AnswerReader<object>? Read { get; } = read;
        /// <summary>The caller's token: when it fired, an attempt that ended without an answer was not a timeout.</summary>
        public CancellationToken Cancellation { get; } = cancellation;
        readonly long _started = transport._options.TimeProvider.GetTimestamp();
        public ApiTransport Transport { get; } = transport;
        public ApiRequest Request { get; } = request;
        public int Attempts;
        public int? LastStatus;
        public string LastExcerpt = "";
        public string LastAnswer = "none";
        public TimeSpan Elapsed => Transport._options.TimeProvider.GetElapsedTime(_started);

        public void Record(int? status, string excerpt, string answer)
        {
            LastStatus = status;
            LastExcerpt = excerpt;
            LastAnswer = answer;
        }
    }
}
