using System.Net.Http.Headers;

namespace QTickets.Engine.Api;

/// <summary>Reads Retry-After in both forms RFC 9110 allows: delta-seconds and an HTTP-date.</summary>
internal static class RetryAfter
{
    /// <summary>
    /// The wait the server asked for, or null. An HTTP-date is measured against the answer's own Date header
    /// when present, so a client clock that is off (or a sandbox with a simulated clock) still waits what the
    /// server meant; otherwise against <paramref name="now"/>. A date in the past means "now".
    /// </summary>
    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var value = headers.RetryAfter;
        if (value is null) return null;
        if (value.Delta is TimeSpan delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (value.Date is DateTimeOffset date)
        {
            var reference = headers.Date ?? now;
            var wait = date - reference;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
