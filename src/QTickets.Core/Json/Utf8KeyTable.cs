using System.Text;

namespace QTickets.Core.Json;

/// <summary>
/// A fixed set of JSON property names looked up by their UTF-8 bytes, as <see cref="System.Text.Json.Utf8JsonReader"/>
/// hands them out: an order has some 150 keys, and turning each into a string or chars to look it up in a dictionary
/// would be a large part of reading one. Open addressing over a hash of the length and the first and last bytes; every hit
/// is confirmed byte by byte.
/// </summary>
internal sealed class Utf8KeyTable<T>
{
    readonly byte[]?[] _keys;
    readonly T[] _values;
    readonly int _mask;

    public Utf8KeyTable(IEnumerable<KeyValuePair<string, T>> entries)
    {
        var list = entries.ToList();
        var size = 16;
        while (size < list.Count * 4) size *= 2;
        _keys = new byte[size][];
        _values = new T[size];
        _mask = size - 1;
        foreach (var (key, value) in list)
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            var at = Hash(bytes) & _mask;
            while (_keys[at] is { } taken)
            {
                if (taken.AsSpan().SequenceEqual(bytes)) throw new ArgumentException($"The key '{key}' is listed twice.");
                at = (at + 1) & _mask;
            }
            _keys[at] = bytes;
            _values[at] = value;
        }
    }

    public bool TryGet(ReadOnlySpan<byte> key, out T value)
    {
        var at = Find(key);
        value = at < _keys.Length ? _values[at] : default!;
        return at < _keys.Length;
    }

    /// <summary>What <see cref="Predicted"/> learns in: per slot, one for any key not listed, and one for the first key.</summary>
    public int[] NewSequence()
    {
        var next = new int[_keys.Length + 2];
        Array.Fill(next, _keys.Length);
        return next;
    }

    /// <summary>
    /// <see cref="TryGet"/> for the keys of objects served one after another with their keys in the same order (the
    /// baskets of a page): the key that followed the <paramref name="previous"/> one last time (learnt in
    /// <paramref name="next"/>, from <see cref="NewSequence"/>) is tried first, one comparison instead of a hash and a
    /// probe. <paramref name="previous"/> starts at -1 for an object's first key, and is left on this key.
    /// </summary>
    public bool TryGetPredicted(ReadOnlySpan<byte> key, ref int previous, int[] next, out T value)
    {
        var after = previous < 0 ? _keys.Length + 1 : previous;
        var guess = next[after];
        var at = guess < _keys.Length && _keys[guess] is { } expected && key.SequenceEqual(expected) ? guess : Find(key);
        next[after] = at;
        previous = at;
        value = at < _keys.Length ? _values[at] : default!;
        return at < _keys.Length;
    }

    /// <summary>The key's slot; the table's size when it is not listed.</summary>
    int Find(ReadOnlySpan<byte> key)
    {
        var at = Hash(key) & _mask;
        while (_keys[at] is { } candidate)
        {
            if (key.SequenceEqual(candidate)) return at;
            at = (at + 1) & _mask;
        }
        return _keys.Length;
    }

    static int Hash(ReadOnlySpan<byte> key)
    {
        if (key.Length == 0) return 0;
        // Names that share a prefix ("refunded_at", "refunded_amount") differ in length or in their last bytes.
        var h = (uint)key.Length * 0x9E3779B1u;
        h ^= key[0] * 0x85EBCA77u;
        h ^= key[^1] * 0xC2B2AE3Du;
        if (key.Length > 2) h ^= key[key.Length / 2] * 0x27D4EB2Fu;
        return (int)(h ^ (h >> 15));
    }
}
