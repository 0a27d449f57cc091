namespace QTickets.Core.Diagnostics;

/// <summary>A raw answer (or the lack of one) before analysis.</summary>
internal sealed class ProbeResponse
{
    public int? StatusCode { get; init; }
    public string? ReasonPhrase { get; init; }
    public string? ContentType { get; init; }
    public string? Body { get; init; }
    public string? Headers { get; init; }
    public string? RequestId { get; init; }
    /// <summary>Why there is no answer (connection refused, timeout ...).</summary>
    public string? Error { get; init; }
    public long ElapsedMs { get; init; }
}
