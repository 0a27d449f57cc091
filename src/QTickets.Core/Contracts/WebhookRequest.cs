namespace QTickets.Core.Contracts;

/// <summary>
/// One delivery as the listener read it: the raw body (the signature covers these exact bytes) and the headers
/// QTickets sends. Header values are as received: nothing here is trusted before the signature verifies.
/// </summary>
/// <param name="Remote">The peer address (the reverse proxy's, behind one): named in log lines.</param>
public sealed record WebhookRequest(string Method, string Path, string? Signature, string? EventType, string? ModelName,
    ReadOnlyMemory<byte> Body, string Remote);
