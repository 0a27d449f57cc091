using System.Buffers.Binary;
using System.Text;

namespace QTickets.Core.Json;

/// <summary>
/// The strings of short values that repeat from order to order (currency, payment type, seat ids and seat names of a
/// show's categories), made once per value a reader has seen lately: made anew for every order they are a large share
/// of what reading one allocates. A value served escaped (every Cyrillic seat name: PHP escapes each letter) is found
/// by its served bytes and keeps its unescaped bytes too, so it is unescaped once, not once per order. A fixed number
/// of slots by a hash of the bytes, the newest value winning a slot; a hit is confirmed byte by byte. Never used for
/// people's data, which no cache should hold.
/// </summary>
internal sealed class Utf8StringCache
{
    const int Slots = 512;
    // Served escaped, a Cyrillic letter takes six bytes.
    const int LongestValue = 256;

    // Bytes that are not UTF-8 fail as the reader's own GetString fails, never turn into replacement characters.
    static readonly UTF8Encoding s_strict = new(false, throwOnInvalidBytes: true);

    readonly byte[]?[] _keys = new byte[Slots][];
    readonly string?[] _values = new string?[Slots];
    /// <summary>Per slot: null, the key is the value's UTF-8; else the key is the value served escaped, and these its bytes.</summary>
    readonly byte[]?[] _unescaped = new byte[Slots][];

    /// <summary>The string of a value's (unescaped) UTF-8 bytes.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > LongestValue) return s_strict.GetString(utf8);
        var slot = Slot(utf8);
        if (_keys[slot] is { } key && _unescaped[slot] is null && utf8.SequenceEqual(key)) return _values[slot]!;
        return Keep(slot, utf8, s_strict.GetString(utf8), null);
    }

    /// <summary>A value served escaped and seen lately: its string and unescaped bytes, by the served bytes.</summary>
    public bool TryGetEscaped(ReadOnlySpan<byte> served, out string value, out byte[] unescaped)
    {
        var slot = Slot(served);
        if (served.Length <= LongestValue && _keys[slot] is { } key && _unescaped[slot] is { } bytes && served.SequenceEqual(key))
        {
            value = _values[slot]!;
            unescaped = bytes;
            return true;
        }
        value = null!;
        unescaped = null!;
        return false;
    }

    /// <summary>The string of a value served escaped (<paramref name="served"/>), from its unescaped bytes, kept for <see cref="TryGetEscaped"/>.</summary>
    public string AddEscaped(ReadOnlySpan<byte> served, ReadOnlySpan<byte> unescaped)
    {
        var value = s_strict.GetString(unescaped);
        return served.Length > LongestValue ? value : Keep(Slot(served), served, value, unescaped.ToArray());
    }

    string Keep(int slot, ReadOnlySpan<byte> key, string value, byte[]? unescaped)
    {
        _keys[slot] = key.ToArray();
        _values[slot] = value;
        _unescaped[slot] = unescaped;
        return value;
    }

    static int Slot(ReadOnlySpan<byte> bytes) => (int)((uint)(Hash(bytes) ^ bytes.Length * 0x2545F491) % Slots);

    /// <summary>
    /// The length and the first, middle and last eight bytes: cheap, and enough to tell the repeating values apart (seat
    /// ids of one show differ at their end, escaped seat names in their middle); a collision only costs a miss.
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
        var middle = BinaryPrimitives.ReadUInt64LittleEndian(utf8[(utf8.Length / 2 - 4)..]);
        var last = BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]);
        return (int)(((first * 0x9E3779B97F4A7C15UL) ^ (middle * 0x165667B19E3779F9UL) ^ (last * 0xC2B2AE3D27D4EB4FUL)) >> 32);
    }
}
