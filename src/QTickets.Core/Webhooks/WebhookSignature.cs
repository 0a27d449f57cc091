using System.Buffers;
using System.Security.Cryptography;

namespace QTickets.Core.Webhooks;

/// <summary>
/// QTickets signs a delivery with the secret set in its cabinet: X-Signature is the hex HMAC-SHA1 of the raw body.
/// Verification decodes the header to bytes and compares them with the computed MAC in constant time, so the
/// answer's timing tells a forger nothing about how many leading bytes were right; a header that is not 40 hex
/// digits fails without a comparison.
/// </summary>
public static class WebhookSignature
{
    const int MacBytes = 20;

    /// <summary>The X-Signature QTickets would send for <paramref name="body"/>: lowercase hex.</summary>
    public static string Sign(ReadOnlySpan<byte> body, ReadOnlySpan<byte> secret) => Convert.ToHexStringLower(HMACSHA1.HashData(secret, body));

    public static bool Verify(ReadOnlySpan<byte> body, string? signature, ReadOnlySpan<byte> secret)
    {
        if (signature is null) return false;
        var hex = signature.AsSpan().Trim();
        if (hex.Length != MacBytes * 2) return false;
        Span<byte> given = stackalloc byte[MacBytes];
        if (Convert.FromHexString(hex, given, out _, out var written) != OperationStatus.Done || written != MacBytes) return false;
        Span<byte> expected = stackalloc byte[MacBytes];
        HMACSHA1.HashData(secret, body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
