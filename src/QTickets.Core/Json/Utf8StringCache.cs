using System.Buffers.Binary;
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
        var slot = (int)((uint)(Hash(utf8) ^ utf8.Length * 0x2545F491) % Slots);
        if (_keys[slot] is { } key && utf8.SequenceEqual(key)) return _values[slot]!;
        var value = s_strict.GetString(utf8);
        _keys[slot] = utf8.ToArray();
        _values[slot] = value;
        return value;
    }

    /// <summary>
    /// The length and the first and last eight bytes: cheap, and enough to tell the repeating values apart (seat ids of
    /// one show differ at their end); a collision only costs a miss.
    /// </summary>
    static int Hash(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length < 8)
        {
            ulong small = 0;
            foreach (var b in utf8) small = small << 8 | b;
            return (int)(small * 0x9E3779B97F4A7C15UL >> 32);
        }
        var first = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
        var last = BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]);
        return (int)(((first * 0x9E3779B97F4A7C15UL) ^ (last * 0xC2B2AE3D27D4EB4FUL)) >> 32);
    }
}
