namespace QTickets.Core.Contracts;

/// <summary>
/// How the API client pages and retries. The defaults suit the real API (2–8 s per page, no documented rate
/// limits); tests shrink the delays or pass a faster <see cref="TimeProvider"/>.
/// </summary>
public sealed record ApiOptions
{
    /// <summary>Attempts per request, the first included (429, 5xx, timeouts, network errors, truncated bodies).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>First back-off delay; doubles per attempt, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap on every wait, a back-off or a Retry-After the server asked for.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>One HTTP attempt, headers and body, before it counts as timed out (and is retried).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>One request including all its retries and waits; past it the run fails.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Pages in flight pinned to this number (-Parallelism); null lets the client find the API's capacity between 1
    /// and <see cref="MaxParallelism"/> (Engine/Api/PagesInFlight).
    /// </summary>
    public int? Parallelism { get; init; }

    /// <summary>The most pages ever in flight when not pinned (QTICKETS_MAX_PAGES_IN_FLIGHT, -MaxParallelism).</summary>
    public int MaxParallelism { get; init; } = DefaultMaxParallelism;

    public const int DefaultMaxParallelism = 8;

    /// <summary>Page size asked for; null leaves it to the server (orders 50, events 10). The answer's perPage is what counts.</summary>
    public int? PageSize { get; init; }

    /// <summary>
    /// Breaker shared by all requests of a client: after at least this many attempts in
    /// <see cref="BreakerSamplingDuration"/>, 90% or more of them failed, every request fails at once for
    /// <see cref="BreakDuration"/>, so a dead API ends the run instead of retrying page after page.
    /// </summary>
    public int BreakerMinimumThroughput { get; init; } = 12;

    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of every wait and timeout (tests pass a faster one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Replaces the HTTP stack (unit tests and benchmarks with an in-memory handler).</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Called with every wait chosen before a retry (tests assert the documented waits).</summary>
    public Action<TimeSpan>? RetryWaitObserved { get; init; }
}
