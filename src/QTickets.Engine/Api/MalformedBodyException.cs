using System.Text.Json;

namespace QTickets.Engine.Api;

/// <summary>
/// A 2xx whose body is not complete JSON. Inside the retry loop only: truncation is usually a dropped
/// connection, so it is retried; when attempts run out it becomes a QTicketsResponseException.
/// </summary>
internal sealed class MalformedBodyException(int status, byte[] body, JsonException inner)
    : Exception($"malformed JSON at line {inner.LineNumber ?? 0}, byte {inner.BytePositionInLine ?? 0} of {body.Length}", inner)
{
    public int Status { get; } = status;
    public byte[] Body { get; } = body;
    public long? LineNumber { get; } = inner.LineNumber;
    public long? BytePosition { get; } = inner.BytePositionInLine;
}
