using Polly.Timeout;
using System.Net.Http.Headers;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;

namespace QTickets.Engine.Api;

/// <summary>One GET to the REST API: a path under the base URL and an optional JSON body (filters, sort, page).</summary>
/// <param name="Page">The page asked for, only for messages; null for single resources.</param>
internal sealed record ApiRequest(string Path, string? Body, int? Page = null)
{
    /// <summary>How every message names the request, e.g. "GET /orders page 3". Never the body (it may hold filter values of no use in a log line).</summary>
    public string Describe => Page is int p ? $"GET {Path} page {p}" : $"GET {Path}";
}

/// <summary>
/// Reads a whole 2xx body, held as its UTF-8 bytes, into the answer, inside the attempt: the reader's
/// <see cref="JsonException"/> (the bytes are not JSON) makes the attempt a malformed one, which is retried.
/// </summary>
/// <param name="items">How many items the answer holds, for the attempt's verbose line.</param>
internal delegate TAnswer Utf8AnswerReader<out TAnswer>(ReadOnlySpan<byte> body, out int items);

/// <summary>
/// What one HTTP attempt produced: the status, the body and, for a 2xx, the answer read from it (a JsonDocument, or
/// what a <see cref="Utf8AnswerReader{TAnswer}"/> made). Non-2xx answers are results rather than exceptions so the
/// retry strategy can read Retry-After from them.
/// </summary>
internal sealed class ApiAttempt(int status, byte[] body, object? answer, TimeSpan? retryAfter)
{
    public int Status { get; } = status;
    public byte[] Body { get; } = body;
    public object? Answer { get; } = answer;
    /// <summary>The wait the server asked for (429/503), from either Retry-After form.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>What is worth another attempt. Deliberately narrow: 4xx other than 408/429 will not change.</summary>
internal static class TransientFailure
{
    public static bool IsTransientStatus(int status) => status is 408 or 429 or >= 500 and <= 599;

    /// <summary>
    /// Network and timeout failures only. Not IOException in general: a FileLoadException is an IOException,
    /// and retrying a failed assembly load would only hide it (platform facts). HttpIOException is the
    /// connection dropping mid-body; a plain IOException counts only when a socket error caused it.
    /// </summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        MalformedBodyException => true,
        TimeoutRejectedException => true,
        HttpRequestException => true,
        HttpIOException => true,
        SocketException => true,
        IOException io when io.InnerException is SocketException => true,
        _ => false,
    };
}

/// <summary>
/// A 2xx whose body is not complete JSON. Inside the retry loop only: truncation is usually a dropped
/// connection, so it is retried; when attempts run out it becomes a QTicketsResponseException.
/// </summary>
internal sealed class MalformedBodyException(int status, byte[] bodyStart, long length, JsonException inner)
    : Exception($"malformed JSON at line {inner.LineNumber ?? 0}, byte {inner.BytePositionInLine ?? 0} of {length}", inner)
{
    public int Status { get; } = status;
    /// <summary>The body's first bytes (enough for an excerpt), not the whole body.</summary>
    public byte[] Body { get; } = bodyStart;
    public long Length { get; } = length;
    public long? LineNumber { get; } = inner.LineNumber;
    public long? BytePosition { get; } = inner.BytePositionInLine;
}

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
