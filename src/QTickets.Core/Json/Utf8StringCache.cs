using System.Text;

namespace QTickets.Core.Json;

/// <summary>
/// The strings of short values that repeat from order to order (currency, payment type, seat ids and seat names of a
/// show's categories), made once per value a reader has seen lately: made anew for every order they are a large share
/// of what reading one allocates. A fixed number of slots by a hash of the bytes, the newest value winning a slot; a hit is confirmed byte
/// by byte. Never used for people's data, which no cache should hold.
/// </summary>
internal sealed class Utf8StringCache
{
    const int Slots = 512;
    const int LongestValue = 96;

    // Bytes that are not UTF-8 fail as the reader's own GetString fails, never turn into replacement characters.
    static readonly UTF8Encoding s_strict = new(false, throwOnInvalidBytes: true);

    readonly byte[]?[] _keys = new byte[Slots][];
    readonly string?[] _values = new string?[Slots];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > LongestValue) return s_strict.GetString(utf8);
        var slot = (int)((uint)HashCode.Combine(utf8.Length, Hash(utf8)) % Slots);
        if (_keys[slot] is { } key && utf8.SequenceEqual(key)) return _values[slot]!;
        var value = s_strict.GetString(utf8);
        _keys[slot] = utf8.ToArray();
        _values[slot] = value;
        return value;
    }

    static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = new HashCode();
        hash.AddBytes(utf8);
        return hash.ToHashCode();
    }
}
