using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace QTickets.Core.Transform;

/// <summary>
/// MD5 (RFC 1321) in managed code, for the dedup keys: every sales row hashes its order id (a few bytes), and the
/// platform's MD5 on Linux goes to OpenSSL through a digest context per call, which cost more than the rest of
/// converting an order (BENCHMARKS.md, "Parse and convert"). Not for security: the key is a legacy recipe
/// (<c>lower(hex(MD5(…)))</c> in ClickHouse), held to <see cref="System.Security.Cryptography.MD5"/> by the unit tests.
/// </summary>
internal static class Md5
{
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
        uint m0 = Word(block, 0), m1 = Word(block, 1), m2 = Word(block, 2), m3 = Word(block, 3), m4 = Word(block, 4),
            m5 = Word(block, 5), m6 = Word(block, 6), m7 = Word(block, 7), m8 = Word(block, 8), m9 = Word(block, 9),
            m10 = Word(block, 10), m11 = Word(block, 11), m12 = Word(block, 12), m13 = Word(block, 13),
            m14 = Word(block, 14), m15 = Word(block, 15);
        uint a = a0, b = b0, c = c0, d = d0;
        // RFC 1321's 64 steps written out (the constants are floor(abs(sin(i + 1)) * 2^32)): a loop with a switch
        // per step cost several times as much.
        a = F(a, b, c, d, m0 + 0xd76aa478u, 7);
        d = F(d, a, b, c, m1 + 0xe8c7b756u, 12);
        c = F(c, d, a, b, m2 + 0x242070dbu, 17);
        b = F(b, c, d, a, m3 + 0xc1bdceeeu, 22);
        a = F(a, b, c, d, m4 + 0xf57c0fafu, 7);
        d = F(d, a, b, c, m5 + 0x4787c62au, 12);
        c = F(c, d, a, b, m6 + 0xa8304613u, 17);
        b = F(b, c, d, a, m7 + 0xfd469501u, 22);
        a = F(a, b, c, d, m8 + 0x698098d8u, 7);
        d = F(d, a, b, c, m9 + 0x8b44f7afu, 12);
        c = F(c, d, a, b, m10 + 0xffff5bb1u, 17);
        b = F(b, c, d, a, m11 + 0x895cd7beu, 22);
        a = F(a, b, c, d, m12 + 0x6b901122u, 7);
        d = F(d, a, b, c, m13 + 0xfd987193u, 12);
        c = F(c, d, a, b, m14 + 0xa679438eu, 17);
        b = F(b, c, d, a, m15 + 0x49b40821u, 22);
        a = G(a, b, c, d, m1 + 0xf61e2562u, 5);
        d = G(d, a, b, c, m6 + 0xc040b340u, 9);
        c = G(c, d, a, b, m11 + 0x265e5a51u, 14);
        b = G(b, c, d, a, m0 + 0xe9b6c7aau, 20);
        a = G(a, b, c, d, m5 + 0xd62f105du, 5);
        d = G(d, a, b, c, m10 + 0x02441453u, 9);
        c = G(c, d, a, b, m15 + 0xd8a1e681u, 14);
        b = G(b, c, d, a, m4 + 0xe7d3fbc8u, 20);
        a = G(a, b, c, d, m9 + 0x21e1cde6u, 5);
        d = G(d, a, b, c, m14 + 0xc33707d6u, 9);
        c = G(c, d, a, b, m3 + 0xf4d50d87u, 14);
        b = G(b, c, d, a, m8 + 0x455a14edu, 20);
        a = G(a, b, c, d, m13 + 0xa9e3e905u, 5);
        d = G(d, a, b, c, m2 + 0xfcefa3f8u, 9);
        c = G(c, d, a, b, m7 + 0x676f02d9u, 14);
        b = G(b, c, d, a, m12 + 0x8d2a4c8au, 20);
        a = H(a, b, c, d, m5 + 0xfffa3942u, 4);
        d = H(d, a, b, c, m8 + 0x8771f681u, 11);
        c = H(c, d, a, b, m11 + 0x6d9d6122u, 16);
        b = H(b, c, d, a, m14 + 0xfde5380cu, 23);
        a = H(a, b, c, d, m1 + 0xa4beea44u, 4);
        d = H(d, a, b, c, m4 + 0x4bdecfa9u, 11);
        c = H(c, d, a, b, m7 + 0xf6bb4b60u, 16);
        b = H(b, c, d, a, m10 + 0xbebfbc70u, 23);
        a = H(a, b, c, d, m13 + 0x289b7ec6u, 4);
        d = H(d, a, b, c, m0 + 0xeaa127fau, 11);
        c = H(c, d, a, b, m3 + 0xd4ef3085u, 16);
        b = H(b, c, d, a, m6 + 0x04881d05u, 23);
        a = H(a, b, c, d, m9 + 0xd9d4d039u, 4);
        d = H(d, a, b, c, m12 + 0xe6db99e5u, 11);
        c = H(c, d, a, b, m15 + 0x1fa27cf8u, 16);
        b = H(b, c, d, a, m2 + 0xc4ac5665u, 23);
        a = I(a, b, c, d, m0 + 0xf4292244u, 6);
        d = I(d, a, b, c, m7 + 0x432aff97u, 10);
        c = I(c, d, a, b, m14 + 0xab9423a7u, 15);
        b = I(b, c, d, a, m5 + 0xfc93a039u, 21);
        a = I(a, b, c, d, m12 + 0x655b59c3u, 6);
        d = I(d, a, b, c, m3 + 0x8f0ccc92u, 10);
        c = I(c, d, a, b, m10 + 0xffeff47du, 15);
        b = I(b, c, d, a, m1 + 0x85845dd1u, 21);
        a = I(a, b, c, d, m8 + 0x6fa87e4fu, 6);
        d = I(d, a, b, c, m15 + 0xfe2ce6e0u, 10);
        c = I(c, d, a, b, m6 + 0xa3014314u, 15);
        b = I(b, c, d, a, m13 + 0x4e0811a1u, 21);
        a = I(a, b, c, d, m4 + 0xf7537e82u, 6);
        d = I(d, a, b, c, m11 + 0xbd3af235u, 10);
        c = I(c, d, a, b, m2 + 0x2ad7d2bbu, 15);
        b = I(b, c, d, a, m9 + 0xeb86d391u, 21);
        a0 += a;
        b0 += b;
        c0 += c;
        d0 += d;
    }

    static uint Word(ReadOnlySpan<byte> block, int i) => BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(i * 4, 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint F(uint a, uint b, uint c, uint d, uint x, int s) => b + BitOperations.RotateLeft(a + ((b & c) | (~b & d)) + x, s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint G(uint a, uint b, uint c, uint d, uint x, int s) => b + BitOperations.RotateLeft(a + ((b & d) | (c & ~d)) + x, s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint H(uint a, uint b, uint c, uint d, uint x, int s) => b + BitOperations.RotateLeft(a + (b ^ c ^ d) + x, s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint I(uint a, uint b, uint c, uint d, uint x, int s) => b + BitOperations.RotateLeft(a + (c ^ (b | ~d)) + x, s);
}
