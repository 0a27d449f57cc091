using System.Text.Json;

namespace QTickets.Engine.Api;

/// <summary>
/// What one HTTP attempt produced: the status, the body and, for a 2xx, the parsed JSON. Non-2xx answers are
/// results rather than exceptions so the retry strategy can read Retry-After from them.
/// </summary>
internal sealed class ApiAttempt(int status, byte[] body, JsonDocument? json, TimeSpan? retryAfter)
{
    public int Status { get; } = status;
    public byte[] Body { get; } = body;
    public JsonDocument? Json { get; } = json;
    /// <summary>The wait the server asked for (429/503), from either Retry-After form.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool IsSuccess => Status is >= 200 and < 300;
}
