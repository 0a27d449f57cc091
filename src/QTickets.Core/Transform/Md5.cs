using System.Buffers.Binary;
using System.Numerics;

namespace QTickets.Core.Transform;

/// <summary>
/// MD5 (RFC 1321) in managed code, for the dedup keys: every sales row hashes its order id (a few bytes), and the
/// platform's MD5 on Linux goes to OpenSSL through a digest context per call, which cost more than the rest of
/// converting an order (BENCHMARKS.md, "Parse and convert"). Not for security: the key is a legacy recipe
/// (<c>lower(hex(MD5(…)))</c> in ClickHouse), held to <see cref="System.Security.Cryptography.MD5"/> by the unit tests.
/// </summary>
internal static class Md5
{
    static readonly uint[] s_k = MakeK();
    static ReadOnlySpan<byte> Shifts =>
    [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];

    /// <summary>The 16-byte digest of <paramref name="data"/> into <paramref name="hash"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        uint a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
        var whole = data.Length & ~63;
        for (var at = 0; at < whole; at += 64) Block(data.Slice(at, 64), ref a, ref b, ref c, ref d);
        // The tail, the 0x80 byte, zeros, and the length in bits: one block, or two when the tail leaves under 8 bytes.
        Span<byte> last = stackalloc byte[128];
        last.Clear();
        var tail = data[whole..];
        tail.CopyTo(last);
        last[tail.Length] = 0x80;
        var blocks = tail.Length < 56 ? 1 : 2;
        BinaryPrimitives.WriteUInt64LittleEndian(last.Slice(blocks * 64 - 8), (ulong)data.Length * 8);
        for (var i = 0; i < blocks; i++) Block(last.Slice(i * 64, 64), ref a, ref b, ref c, ref d);
        BinaryPrimitives.WriteUInt32LittleEndian(hash, a);
        BinaryPrimitives.WriteUInt32LittleEndian(hash[4..], b);
        BinaryPrimitives.WriteUInt32LittleEndian(hash[8..], c);
        BinaryPrimitives.WriteUInt32LittleEndian(hash[12..], d);
    }

    static void Block(ReadOnlySpan<byte> block, ref uint a0, ref uint b0, ref uint c0, ref uint d0)
    {
        Span<uint> m = stackalloc uint[16];
        for (var i = 0; i < 16; i++) m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(i * 4, 4));
        uint a = a0, b = b0, c = c0, d = d0;
        var k = s_k;
        var shifts = Shifts;
        for (var i = 0; i < 64; i++)
        {
            uint f;
            int g;
            switch (i >> 4)
            {
                case 0: f = (b & c) | (~b & d); g = i; break;
                case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15; break;
                case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15; break;
                default: f = c ^ (b | ~d); g = (7 * i) & 15; break;
            }
            f += a + k[i] + m[g];
            a = d;
            d = c;
            c = b;
            b += BitOperations.RotateLeft(f, shifts[i]);
        }
        a0 += a;
        b0 += b;
        c0 += c;
        d0 += d;
    }

    static uint[] MakeK()
    {
        var k = new uint[64];
        for (var i = 0; i < 64; i++) k[i] = (uint)(long)Math.Floor(Math.Abs(Math.Sin(i + 1)) * 4294967296.0);
        return k;
    }
}
