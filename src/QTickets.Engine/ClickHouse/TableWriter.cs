using System.Diagnostics;
using System.Threading.Channels;
using ClickHouse.Driver;
using QTickets.Core.Contracts;

namespace QTickets.Engine.ClickHouse;

/// <summary>
/// One table's streaming insert. Each row is encoded to RowBinary as it arrives (<see cref="IRowEncoder{TRow}"/>) into
/// the filling <see cref="EncodedBatch"/>, which ends at BatchSize rows or <see cref="MaxBatchBytes"/>; full
/// batches pass through a bounded channel to one insert task, and a new batch starts only when one of
/// (BatchesInFlight + 1) slots is free, so at most that many batches of bytes
/// exist at a time whatever the input size. Each batch is one INSERT ... FORMAT RowBinary over HTTP carrying its
/// content token; a batch whose connection drops is sent again with the same token, so the server keeps it once.
/// </summary>
internal sealed class TableWriter<TRow> : ITableWriter<TRow>
{
    static readonly TimeSpan[] s_retryDelays = { TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) };

    readonly ClickHouseClient _client;
    readonly ClickHouseErrors _errors;
    readonly string _database;
    readonly string _table;
    readonly string[] _columns;
    readonly string[] _quotedColumns;
    readonly IRowEncoder<TRow> _encoder;
    readonly bool _compress;
    readonly WriteOptions _options;
    readonly IRunObserver _observer;
    readonly ChunkPool _pool;
    readonly Channel<EncodedBatch> _batches;
    readonly SemaphoreSlim _slots;
    readonly CancellationTokenSource _abort = new();
    readonly Task _inserter;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    EncodedBatch? _current;
    long _rowsAdded;
    long _rowsWritten;
    int _batchesWritten;
    bool _completed;

    /// <param name="compress">gzip the request bodies: worth it over a network, pure CPU cost on loopback.</param>
    public TableWriter(ClickHouseClient client, ClickHouseErrors errors, string database, string table,
        IRowEncoder<TRow> encoder, WriteOptions options, IRunObserver observer, bool compress)
    {
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
        _client = client;
        _errors = errors;
        _database = database;
        _table = table;
        _columns = encoder.Columns.Select(c => c.Name).ToArray();
        _quotedColumns = _columns.Select(Quote).ToArray();
        _encoder = encoder;
        _compress = compress;
        _options = options;
        _observer = observer;
        // Chunks of the batches that can be alive at once, plus slack.
        var slots = Math.Max(1, options.BatchesInFlight) + 1;
        _pool = new ChunkPool((int)(slots * (MaxBatchBytes / ChunkPool.ChunkSize + 1)));
        _slots = new SemaphoreSlim(slots - 1); // the first batch, below, holds one
        _batches = Channel.CreateBounded<EncodedBatch>(new BoundedChannelOptions(Math.Max(1, options.BatchesInFlight))
        {
            SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
        });
        _current = new EncodedBatch(_pool);
        _inserter = Task.Run(InsertLoopAsync);
    }

    string Qualified => $"{_database}.{_table}";

    static string Quote(string identifier) => "`" + identifier.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";

    public async ValueTask AddAsync(TRow row, CancellationToken cancellation)
    {
        var batch = _current ?? throw new InvalidOperationException($"The writer of {Qualified} failed or completed; open another.");
        var mark = batch.Length;
        try
        {
            _encoder.Encode(row, batch);
        }
        catch (RowValueException ex)
        {
            // Drop the half-written row: the batch keeps only whole rows, and the rows before it are still written.
            batch.Truncate(mark);
            // The value itself is left out, here and in the inner exception (a FormatException quotes it): it may
            // be a customer's name or phone, and errors reach logs.
            var i = ex.Column;
            var why = ex.InnerException is ColumnValueException
                ? ex.Message
                : $"{ex.ValueKind} does not convert to {_encoder.Columns[i].Type} ({ex.InnerException!.GetType().Name})";
            throw _errors.TypeMismatch(new ColumnValueException(why), Qualified, _columns[i], null, $"row {_rowsAdded + 1}: {why}");
        }
        batch.Rows++;
        _rowsAdded++;
        if (batch.Rows == _options.BatchSize || batch.Length >= MaxBatchBytes) await FlushAsync(startNext: true, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// A batch also ends at this many bytes of RowBinary, so the writer's footprint is bounded in bytes whatever
    /// the row size (a staging row carries its order's JSON, 2-5 KB): with the default one batch in flight, at most
    /// two are alive (one filling or queued, one inserting). Boundaries depend only on the rows, so a re-run makes
    /// the same batches and tokens.
    /// </summary>
    internal const long MaxBatchBytes = 32L << 20;

    /// <summary>Hands the filling batch to the insert task and, unless this is the last, starts the next one.</summary>
    async Task FlushAsync(bool startNext, CancellationToken cancellation)
    {
        if (_current is not { Rows: > 0 } batch) return;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _abort.Token);
        try
        {
            await _batches.Writer.WriteAsync(batch, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // Not handed over: still ours to give back. If the insert task failed, its exception is the one to report.
            _current = null;
            batch.Release();
            if (_abort.IsCancellationRequested || ex is ChannelClosedException) await _inserter.ConfigureAwait(false);
            throw;
        }
        // Handed over: the insert task releases it. The next batch waits for a free slot, so a producer faster than
        // the server holds (BatchesInFlight + 1) batches of bytes at most: one queued or filling, one inserting.
        _current = null;
        if (!startNext) return;
        try
        {
            await _slots.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            await _inserter.ConfigureAwait(false);
            throw;
        }
        _current = new EncodedBatch(_pool);
    }

    public async Task<WriteResult> CompleteAsync(CancellationToken cancellation)
    {
        if (!_completed)
        {
            _completed = true;
            await FlushAsync(startNext: false, cancellation).ConfigureAwait(false);
            _batches.Writer.TryComplete();
        }
        await using (cancellation.Register(() => _abort.Cancel()))
            await _inserter.ConfigureAwait(false);
        _observer.Progress(new ProgressUpdate(_options.ProgressId, $"Writing {Qualified}",
            $"{_rowsWritten} rows in {_batchesWritten} batches", 100, Completed: true));
        return new WriteResult
        {
            Database = _database, Table = _table, Rows = _rowsWritten, Batches = _batchesWritten, Elapsed = _clock.Elapsed,
        };
    }

    async Task InsertLoopAsync()
    {
        try
        {
            await foreach (var batch in _batches.Reader.ReadAllAsync(_abort.Token).ConfigureAwait(false))
            {
                try { await InsertAsync(batch, _abort.Token).ConfigureAwait(false); }
                finally
                {
                    batch.Release();
                    _slots.Release();
                }
                _rowsWritten += batch.Rows;
                _batchesWritten++;
                var percent = _options.ExpectedRows > 0 ? (int)Math.Min(100, _rowsWritten * 100 / _options.ExpectedRows) : -1;
                _observer.Progress(new ProgressUpdate(_options.ProgressId, $"Writing {Qualified}",
                    $"batch {_batchesWritten}: {_rowsWritten} rows", percent));
            }
        }
        catch
        {
            // Unblock a producer waiting on the full channel, and refuse further batches.
            _abort.Cancel();
            _batches.Writer.TryComplete();
            throw;
        }
    }

    async Task InsertAsync(EncodedBatch batch, CancellationToken cancellation)
    {
        var token = batch.Token(_table, _columns, _options.DeduplicationScope);
        var options = new InsertOptions
        {
            Database = _database,
            CustomSettings = new Dictionary<string, object> { ["insert_deduplication_token"] = token },
        };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var watch = Stopwatch.StartNew();
                using (await _client.InsertRawStreamAsync(Quote(_table), batch.OpenRead(), "RowBinary", _quotedColumns,
                           _compress, options, cancellation).ConfigureAwait(false))
                {
                }
                _observer.Verbose($"Inserted {batch.Rows} rows ({batch.Length / 1024} KB RowBinary) into {Qualified} in " +
                                  $"{watch.ElapsedMilliseconds} ms (batch {_batchesWritten + 1}, token {token[^8..]}" +
                                  $"{(attempt > 0 ? $", attempt {attempt + 1}" : "")})");
                return;
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested && ClickHouseErrors.IsTransient(ex) && attempt < s_retryDelays.Length)
            {
                // The server may have committed the batch before the connection dropped: the same token makes
                // the retry a no-op in that case.
                _observer.Warning($"Insert into {Qualified} failed ({_errors.Scrub(ex.Message)}); retrying the same batch " +
                                  $"in {s_retryDelays[attempt].TotalSeconds} s (attempt {attempt + 2} of {s_retryDelays.Length + 1}).");
                await Task.Delay(s_retryDelays[attempt], cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                throw _errors.Translate(ex, Qualified, _columns);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _abort.Cancel();
        _current?.Release();
        _current = null;
        _batches.Writer.TryComplete();
        try { await _inserter.ConfigureAwait(false); }
        catch { /* disposal after a failure: the failure was reported by CompleteAsync or AddAsync */ }
        _abort.Dispose();
    }
}
