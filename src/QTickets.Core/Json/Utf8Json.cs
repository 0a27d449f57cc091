using System.Text;

namespace QTickets.Core.Json;

/// <summary>
/// JSON text held as its UTF-8 bytes: an order's payload goes from the reader that writes it to the ClickHouse writer
/// that sends it as these bytes, never through a .NET string (half the memory, no transcoding either way). PowerShell
/// and people see the text (<see cref="ToString"/>: Format-*, Export-Csv, string parameters).
/// </summary>
public sealed class Utf8Json : IEquatable<Utf8Json>
{
    readonly byte[] _bytes;

    /// <param name="bytes">Valid UTF-8 JSON; kept, not copied.</param>
    public Utf8Json(byte[] bytes) => _bytes = bytes ?? throw new ArgumentNullException(nameof(bytes));

    public static readonly Utf8Json EmptyObject = new("{}"u8.ToArray());

    public static Utf8Json FromText(string text) => new(Encoding.UTF8.GetBytes(text));

    public ReadOnlySpan<byte> AsSpan() => _bytes;

    public override string ToString() => Encoding.UTF8.GetString(_bytes);

    public bool Equals(Utf8Json? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is Utf8Json other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }
}
