using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using QTickets.Core.Transform;
using Xunit;

namespace QTickets.Unit.Tests.Transform;

/// <summary>The dedup keys' managed MD5 gives the platform's digest for every length around the block edges and beyond.</summary>
public class Md5Tests
{
    [Fact]
    public void Every_length_from_0_to_300_bytes_hashes_as_the_platform_does()
    {
        var random = new Random(18);
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Convert.ToHexString(MD5.HashData(data)), Hex(data));
        }
    }

    [Fact]
    public void Order_ids_and_the_RFC_examples_hash_as_the_platform_does()
    {
        Assert.Equal("D41D8CD98F00B204E9800998ECF8427E", Hex(""u8));
        Assert.Equal("900150983CD24FB0D6963F7D28E17F72", Hex("abc"u8));
        Assert.Equal("57EDF4A22BE3C955AC49DA2E2107B67A",
            Hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"u8));
        var random = new Random(4360);
        for (var i = 0; i < 20_000; i++)
        {
            var id = i < 10_000 ? i : random.NextInt64(long.MaxValue);
            var digits = Encoding.UTF8.GetBytes(id.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(Convert.ToHexString(MD5.HashData(digits)), Hex(digits));
        }
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData("9223372036854775807"u8)), DedupKey.ForOrder(long.MaxValue));
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData("-5"u8)), DedupKey.ForOrder(-5));
    }

    static string Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[16];
        Md5.HashData(data, hash);
        return Convert.ToHexString(hash);
    }
}
