using System.Diagnostics;
using System.Threading.Channels;
using ClickHouse.Driver;
using QTickets.Store;
using QTickets.Contracts;

namespace QTickets.Engine.Storage;

/// <summary>
/// One table's streaming insert. The producer fills a batch array (up to BatchSize rows or
/// <see cref="MaxBatchBytes"/>); full batches pass through a bounded channel
/// to one insert task, so at most (BatchesInFlight + 2) batches exist at a time whatever the input size. Each
/// batch is one InsertBinaryAsync (RowBinary over HTTP) carrying its content token; a batch whose connection
/// drops is sent again with the same token, so the server keeps it once.
/// </summary>
internal sealed class TableWriter : ITableWriter
{
    static readonly global::ClickHouse.Driver.Compression.Lz4Compressor s_lz4 =
        new(global::ClickHouse.Driver.Compression.Lz4Level.Fast, 64 * 1024);
    static readonly TimeSpan[] s_retryDelays = { TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) };

    readonly ClickHouseClient _client;
    readonly ClickHouseErrors _errors;
    readonly string _database;
    readonly string _table;
    readonly string[] _columns;
    readonly Dictionary<string, string> _types;
    readonly WriteOptions _options;
    readonly IRunObserver _observer;
    readonly Channel<object?[][]> _batches;
    readonly CancellationTokenSource _abort = new();
    readonly Task _inserter;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    object?[][] _current;
    int _filled;
    long _bytes;
    long _rowsWritten;
    int _batchesWritten;
    bool _completed;

    public TableWriter(ClickHouseClient client, ClickHouseErrors errors, string database, string table,
        IReadOnlyList<TableColumn> columns, WriteOptions options, IRunObserver observer)
    {
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
        _client = client;
        _errors = errors;
        _database = database;
        _table = table;
        _columns = columns.Select(c => c.Name).ToArray();
        // Known types: the driver then skips its schema probe (a SELECT the writer user may not be granted).
        _types = columns.ToDictionary(c => c.Name, c => c.Type);
        _options = options;
        _observer = observer;
        _batches = Channel.CreateBounded<object?[][]>(new BoundedChannelOptions(Math.Max(1, options.BatchesInFlight))
        {
            SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
        });
        _current = new object?[options.BatchSize][];
        _inserter = Task.Run(InsertLoopAsync);
    }

    string Qualified => $"{_database}.{_table}";

    public async ValueTask AddAsync(object?[] row, CancellationToken cancellation)
    {
        if (row.Length != _columns.Length)
            throw new ArgumentException($"A row for {_table} has {row.Length} values; the writer's columns are {_columns.Length}.");
        _current[_filled++] = row;
        _bytes += SizeOf(row);
        if (_filled == _current.Length || _bytes >= MaxBatchBytes) await FlushAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// A batch also ends once its values hold about this much memory, so the writer's footprint is bounded in
    /// bytes whatever the row size (a staging row carries its order's JSON, 2-5 KB): at most three batches are
    /// alive (filling, queued, inserting). Boundaries depend only on the rows, so a re-run gets the same tokens.
    /// </summary>
    internal const long MaxBatchBytes = 32L << 20;

    static long SizeOf(object?[] row)
    {
        long n = 32 + 8L * row.Length;
        foreach (var v in row) n += v is string s ? 24 + 2L * s.Length : 24;
        return n;
    }

    async Task FlushAsync(CancellationToken cancellation)
    {
        if (_filled == 0) return;
        var batch = _filled == _current.Length ? _current : _current[.._filled];
        _current = new object?[_options.BatchSize][];
        _filled = 0;
        _bytes = 0;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _abort.Token);
            await _batches.Writer.WriteAsync(batch, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // The insert task failed: its exception is the one to report.
            await _inserter.ConfigureAwait(false);
            throw;
        }
        catch (ChannelClosedException)
        {
            await _inserter.ConfigureAwait(false);
            throw;
        }
    }

    public async Task<WriteResult> CompleteAsync(CancellationToken cancellation)
    {
        if (!_completed)
        {
            _completed = true;
            await FlushAsync(cancellation).ConfigureAwait(false);
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
                await InsertAsync(batch, _abort.Token).ConfigureAwait(false);
                _rowsWritten += batch.Length;
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

    async Task InsertAsync(object?[][] batch, CancellationToken cancellation)
    {
        var token = BatchToken.Of(_table, _columns, batch);
        var options = new InsertOptions
        {
            Database = _database,
            BatchSize = batch.Length,
            MaxDegreeOfParallelism = 1,
            ColumnTypes = _types,
            CustomSettings = new Dictionary<string, object> { ["insert_deduplication_token"] = token },
            // ClickHouse's native LZ4 frames instead of the driver's default gzip: ~2.5x smaller bodies still,
            // at a fraction of gzip's CPU (BENCHMARKS.md, "ClickHouse write path").
            Compressor = s_lz4,
        };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var watch = Stopwatch.StartNew();
                await _client.InsertBinaryAsync(_table, _columns, batch, options, cancellation).ConfigureAwait(false);
                _observer.Verbose($"Inserted {batch.Length} rows into {Qualified} in {watch.ElapsedMilliseconds} ms " +
                                  $"(batch {_batchesWritten + 1}, token {token[^8..]}{(attempt > 0 ? $", attempt {attempt + 1}" : "")})");
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
                throw Describe(ex, batch);
            }
        }
    }

    /// <summary>A type mismatch found on the client names the column and the row; others go through the translator.</summary>
    Exception Describe(Exception ex, object?[][] batch)
    {
        var translated = _errors.Translate(ex, Qualified, _columns);
        if (translated.Failure != ClickHouseFailure.TypeMismatch || translated.Column is not null) return translated;
        var row = ex is global::ClickHouse.Driver.Copy.ClickHouseBulkCopySerializationException s ? s.Row : null;
        for (var i = 0; row is not null && i < _columns.Length; i++)
        {
            if (!Fits(row[i], _types[_columns[i]]))
                return _errors.TypeMismatch(ex, Qualified, _columns[i], null,
                    $"{(row[i] is null ? "null" : row[i]!.GetType().Name)} value does not convert to {_types[_columns[i]]}");
        }
        return translated;
    }

    /// <summary>A coarse check of a value against a ClickHouse type, enough to name the offending column.</summary>
    static bool Fits(object? value, string type)
    {
        if (value is null) return type.StartsWith("Nullable(", StringComparison.Ordinal);
        var inner = type.Replace("Nullable(", "", StringComparison.Ordinal).Replace("LowCardinality(", "", StringComparison.Ordinal);
        var numeric = inner.StartsWith("UInt", StringComparison.Ordinal) || inner.StartsWith("Int", StringComparison.Ordinal) ||
                      inner.StartsWith("Float", StringComparison.Ordinal) || inner.StartsWith("Decimal", StringComparison.Ordinal);
        if (numeric) return value is not string and not DateTime and not bool || value is string s && decimal.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _);
        if (inner.StartsWith("DateTime", StringComparison.Ordinal) || inner.StartsWith("Date", StringComparison.Ordinal))
            return value is DateTime or DateTimeOffset or DateOnly;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _abort.Cancel();
        _batches.Writer.TryComplete();
        try { await _inserter.ConfigureAwait(false); }
        catch { /* disposal after a failure: the failure was reported by CompleteAsync or AddAsync */ }
        _abort.Dispose();
    }
}
