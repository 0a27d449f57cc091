namespace QTickets.Core.Contracts;

/// <summary>
/// An answer that is not what the API promises: malformed or truncated JSON (after the retries allowed for
/// it), a missing envelope, ids out of order. Never turned into a silently short result.
/// </summary>
public sealed class QTicketsResponseException(
    string message, string request, int? statusCode, string bodyExcerpt, int attempts, long? lineNumber = null, long? bytePosition = null, Exception? inner = null)
    : QTicketsApiException(message, request, statusCode, bodyExcerpt, attempts, inner)
{
    /// <summary>0-based line of the JSON error (the API sends one line).</summary>
    public long? LineNumber { get; } = lineNumber;

    /// <summary>0-based byte offset within that line where the JSON broke.</summary>
    public long? BytePosition { get; } = bytePosition;
}
