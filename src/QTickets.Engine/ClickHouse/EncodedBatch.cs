using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;

namespace QTickets.Engine.ClickHouse;

/// <summary>
/// One batch of rows already encoded as ClickHouse RowBinary, held in fixed-size byte chunks from the writer's
/// <see cref="ChunkPool"/>. Rows are encoded the moment they arrive, so the objects the pipeline handed in die
/// young (gen 0) instead of living until their batch is inserted, which keeps the write path's garbage collection
/// and memory small (BENCHMARKS.md, "ClickHouse write path").
/// Every chunk but the last is full, so a byte offset maps straight to (chunk, position), which makes dropping a
/// half-written row (<see cref="Truncate"/>) exact.
/// </summary>
internal sealed class EncodedBatch
{
    readonly ChunkPool _pool;
    readonly List<byte[]> _chunks = new();
    byte[] _chunk;
    int _position;

    public EncodedBatch(ChunkPool pool)
    {
        _pool = pool;
        _chunk = pool.Rent();
        _chunks.Add(_chunk);
    }

    /// <summary>Rows encoded in full.</summary>
    public int Rows { get; set; }

    /// <summary>Bytes written.</summary>
    public long Length => (long)(_chunks.Count - 1) * ChunkPool.ChunkSize + _position;

    public void WriteByte(byte value)
    {
        if (_position == _chunk.Length) NextChunk();
        _chunk[_position++] = value;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            if (_position == _chunk.Length) NextChunk();
            var n = Math.Min(bytes.Length, _chunk.Length - _position);
            bytes[..n].CopyTo(_chunk.AsSpan(_position));
            _position += n;
            bytes = bytes[n..];
        }
    }

    public void WriteUInt16(ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); Write(b); }
    public void WriteUInt32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); Write(b); }
    public void WriteUInt64(ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); Write(b); }
    public void WriteInt32(int v) => WriteUInt32(unchecked((uint)v));
    public void WriteInt64(long v) => WriteUInt64(unchecked((ulong)v));
    public void WriteDouble(double v) => WriteUInt64(BitConverter.DoubleToUInt64Bits(v));
    public void WriteSingle(float v) => WriteUInt32(BitConverter.SingleToUInt32Bits(v));

    /// <summary>LEB128, ClickHouse's VarUInt: the length prefix of strings, arrays and maps.</summary>
    public void WriteVarUInt(ulong v)
    {
        while (v >= 0x80)
        {
            WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        WriteByte((byte)v);
    }

    /// <summary>A String value: its UTF-8 length, then its bytes (encoded in place when they fit the chunk).</summary>
    public void WriteString(string s)
    {
        var count = Encoding.UTF8.GetByteCount(s);
        WriteVarUInt((ulong)count);
        if (count <= _chunk.Length - _position)
        {
            _position += Encoding.UTF8.GetBytes(s, _chunk.AsSpan(_position));
            return;
        }
        var rented = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            var n = Encoding.UTF8.GetBytes(s, rented);
            Write(rented.AsSpan(0, n));
        }
        finally { ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>Drops everything after <paramref name="length"/> bytes (a row that failed half-way).</summary>
    public void Truncate(long length)
    {
        if (length > Length || length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        var index = (int)(length / ChunkPool.ChunkSize);
        var position = (int)(length % ChunkPool.ChunkSize);
        if (position == 0 && index > 0) { index--; position = ChunkPool.ChunkSize; }
        while (_chunks.Count - 1 > index)
        {
            _pool.Return(_chunks[^1]);
            _chunks.RemoveAt(_chunks.Count - 1);
        }
        _chunk = _chunks[^1];
        _position = position;
    }

    /// <summary>
    /// The batch's insert_deduplication_token: XxHash128 of the scope, the table, the column list and the encoded
    /// rows, so a batch sent again (a dropped connection, or, without a scope, a re-run over the same rows) carries
    /// the same token and the server keeps it once, while any other batch gets another token (a reused token would
    /// silently drop rows). A scope (the loader's run id) limits that to one run: a later run's identical batch is
    /// inserted, so it restores rows deleted from the table meanwhile.
    /// </summary>
    public string Token(string table, IReadOnlyList<string> columns, string? scope = null)
    {
        var hash = new XxHash128();
        Span<byte> length = stackalloc byte[4];
        foreach (var text in scope is null ? columns.Prepend(table) : columns.Prepend(table).Prepend(scope))
        {
            // Length first, so ("ab","c") and ("a","bc") differ.
            BinaryPrimitives.WriteInt32LittleEndian(length, text.Length);
            hash.Append(length);
            hash.Append(Encoding.UTF8.GetBytes(text));
        }
        for (var i = 0; i < _chunks.Count; i++)
            hash.Append(_chunks[i].AsSpan(0, i == _chunks.Count - 1 ? _position : ChunkPool.ChunkSize));
        return "qt-" + table + "-" + Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    /// <summary>A read-only view of the bytes, for one HTTP request (a retry opens another).</summary>
    public Stream OpenRead() => new Reader(this);

    /// <summary>Gives the chunks back to the pool; the batch is unusable afterwards.</summary>
    public void Release()
    {
        foreach (var c in _chunks) _pool.Return(c);
        _chunks.Clear();
        _position = 0;
    }

    void NextChunk()
    {
        _chunk = _pool.Rent();
        _chunks.Add(_chunk);
        _position = 0;
    }

    /// <summary>Seekable with a known Length, so the request carries Content-Length instead of chunked encoding.</summary>
    sealed class Reader(EncodedBatch batch) : Stream
    {
        readonly long _length = batch.Length;
        long _offset;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => _length;
        public override long Position { get => _offset; set => _offset = Math.Clamp(value, 0, _length); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var remaining = _length - _offset;
            if (remaining <= 0 || buffer.IsEmpty) return 0;
            var index = (int)(_offset / ChunkPool.ChunkSize);
            var position = (int)(_offset % ChunkPool.ChunkSize);
            var n = (int)Math.Min(Math.Min(buffer.Length, ChunkPool.ChunkSize - position), remaining);
            batch._chunks[index].AsSpan(position, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        /// <summary>Whole chunks straight to the socket: no intermediate buffer, a few hundred writes per batch.</summary>
        public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
        {
            while (_offset < _length)
            {
                var index = (int)(_offset / ChunkPool.ChunkSize);
                var position = (int)(_offset % ChunkPool.ChunkSize);
                var n = (int)Math.Min(ChunkPool.ChunkSize - position, _length - _offset);
                await destination.WriteAsync(batch._chunks[index].AsMemory(position, n), cancellationToken).ConfigureAwait(false);
                _offset += n;
            }
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _offset + offset,
            _ => _length + offset,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// The chunks of one writer's batches. Chunks come back when their batch is inserted, so a long write reuses the
/// same few dozen arrays instead of allocating (large-object heap) arrays for every batch.
/// </summary>
internal sealed class ChunkPool(int capacity)
{
    /// <summary>256 KB: small enough that a batch's last chunk wastes little, large enough to copy in few calls.</summary>
    public const int ChunkSize = 256 * 1024;

    readonly ConcurrentBag<byte[]> _free = new();

    public byte[] Rent() => _free.TryTake(out var chunk) ? chunk : new byte[ChunkSize];

    public void Return(byte[] chunk)
    {
        if (_free.Count < capacity) _free.Add(chunk);
    }
}
