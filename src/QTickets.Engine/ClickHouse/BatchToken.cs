using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace QTickets.Engine.Storage;

/// <summary>
/// The insert_deduplication_token of a batch: XxHash128 of the table, the column list and every value, so the
/// same rows retried (after a dropped connection, or a whole re-run with identical rows) carry the same token and
/// the server drops the repeat, while any different batch gets a different token (reusing a token for other rows
/// would silently drop them).
/// </summary>
internal static class BatchToken
{
    public static string Of(string table, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows)
    {
        var hash = new XxHash128();
        Text(hash, table);
        foreach (var c in columns) Text(hash, c);
        Span<byte> scratch = stackalloc byte[16];
        foreach (var row in rows)
            foreach (var value in row)
                Value(hash, value, scratch);
        return "qt-" + table + "-" + Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    static void Value(XxHash128 hash, object? value, Span<byte> scratch)
    {
        switch (value)
        {
            case null: scratch[0] = 0; hash.Append(scratch[..1]); break;
            case string s: Text(hash, s); break;
            case DateTime d: scratch[0] = 2; hash.Append(scratch[..1]); Write(hash, d.Ticks, scratch); break;
            case decimal m:
                scratch[0] = 3; hash.Append(scratch[..1]);
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(m, bits);
                hash.Append(MemoryMarshal.AsBytes(bits));
                break;
            case ulong u: Write(hash, u, scratch); break;
            case long l: Write(hash, l, scratch); break;
            case uint ui: Write(hash, ui, scratch); break;
            case int i: Write(hash, i, scratch); break;
            case double f: Write(hash, f, scratch); break;
            default: Text(hash, Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""); break;
        }
    }

    static void Write<T>(XxHash128 hash, T value, Span<byte> scratch) where T : unmanaged
    {
        scratch[0] = 1;
        hash.Append(scratch[..1]);
        hash.Append(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref value, 1)));
    }

    static void Text(XxHash128 hash, string s)
    {
        // Length first, so ("ab","c") and ("a","bc") differ.
        Span<byte> length = stackalloc byte[5];
        length[0] = 4;
        BitConverter.TryWriteBytes(length[1..], s.Length);
        hash.Append(length);
        hash.Append(MemoryMarshal.AsBytes(s.AsSpan()));
    }
}
