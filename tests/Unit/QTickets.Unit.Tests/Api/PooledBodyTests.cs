using QTickets.Engine.Api;

namespace QTickets.Unit.Tests.Api;

/// <summary>The body an orders page is read from: every byte, in order, whatever the declared length says.</summary>
public sealed class PooledBodyTests
{
    /// <summary>A stream that hands out at most a few bytes per read, as a network stream does.</summary>
    sealed class Trickle(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(10, 10L)]
    [InlineData(300_000, null)]          // grows past the first rent several times
    [InlineData(300_000, 1_000L)]        // declared too low
    [InlineData(300_000, 5_000_000L)]    // declared too high
    [InlineData(300_000, 40_000_000_000L)] // declared absurdly: not rented
    public async Task Every_byte_is_read_in_order(int length, long? declared)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);

        using var body = await PooledBody.ReadAsync(new Trickle(bytes), declared, CancellationToken.None);

        Assert.Equal(length, body.Length);
        Assert.True(body.Span.SequenceEqual(bytes));
        Assert.Equal(bytes.AsSpan(0, Math.Min(length, 1200)).ToArray(), body.Prefix(1200));
    }
}
