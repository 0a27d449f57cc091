using System.Buffers;

namespace QTickets.Engine.Api;

/// <summary>
/// A whole answer body in an array rented from the shared pool, given back on Dispose: a byte[] per page (~1 MB for
/// 200 orders, plus the copies of a growing buffer) is large-object-heap garbage that made a 1M-order run's peak
/// memory wander by tens of MB. Whoever reads it keeps nothing that points into it.
/// </summary>
internal sealed class PooledBody : IDisposable
{
    const int FirstRent = 64 * 1024;
    // A declared length is trusted only this far: a header is no reason to rent a gigabyte before a byte has come.
    const int MostDeclared = 16 * 1024 * 1024;

    byte[] _buffer;

    PooledBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The body's first bytes, copied: what an error message may quote.</summary>
    public byte[] Prefix(int most) => _buffer.AsSpan(0, Math.Min(Length, most)).ToArray();

    public static async Task<PooledBody> ReadAsync(Stream stream, long? declaredLength, CancellationToken cancellation)
    {
        // One byte more than declared: reading 0 bytes into it is how the end shows without a second rent.
        var buffer = ArrayPool<byte>.Shared.Rent(declaredLength is > 0 and < MostDeclared ? (int)declaredLength + 1 : FirstRent);
        var used = 0;
        try
        {
            while (true)
            {
                if (used == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, used).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(used), cancellation).ConfigureAwait(false);
                if (read == 0) return new PooledBody(buffer, used);
                used += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
