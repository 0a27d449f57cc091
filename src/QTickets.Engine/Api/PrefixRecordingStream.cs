namespace QTickets.Engine.Api;

/// <summary>
/// Passes a response body through to its reader while keeping its first bytes and counting the rest, so a body
/// that turns out malformed can still be quoted (an excerpt) and measured without holding all of it.
/// </summary>
internal sealed class PrefixRecordingStream(Stream inner, int prefixLength) : Stream
{
    readonly byte[] _prefix = new byte[prefixLength];
    int _kept;

    /// <summary>The bytes read so far, up to the prefix length.</summary>
    public byte[] Prefix => _prefix.AsSpan(0, _kept).ToArray();

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    void Record(ReadOnlySpan<byte> read)
    {
        var keep = Math.Min(read.Length, _prefix.Length - _kept);
        if (keep > 0)
        {
            read[..keep].CopyTo(_prefix.AsSpan(_kept));
            _kept += keep;
        }
        BytesRead += read.Length;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Record(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Record(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
