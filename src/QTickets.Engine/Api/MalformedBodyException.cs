using System.Text.Json;

namespace QTickets.Engine.Api;

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
